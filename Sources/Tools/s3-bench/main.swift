// s3-bench: moves one stream through Lifeboat's S3 store, for scripts/bench.sh s3 (compared with aws s3 cp).
//   s3-bench put KEY < data      multipart upload of stdin
//   s3-bench get KEY > data      ranged, prefetching download to stdout
// Part size from LIFEBOAT_BENCH_PART_SIZE, range size from LIFEBOAT_BENCH_RANGE_SIZE and requests in flight
// from LIFEBOAT_BENCH_PARALLEL, the repository defaults (8 MiB, 16 MiB, 3) when unset.
// Endpoint, bucket and credentials come from LIFEBOAT_BENCH_ENDPOINT, LIFEBOAT_BENCH_BUCKET and the AWS
// variables. Prints "bytes seconds" on stderr.
import Foundation
import HTTPTransport
import S3
import S3Protocol
import Storage

let environment = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments
guard arguments.count == 3, ["put", "get"].contains(arguments[1]),
    let endpoint = environment["LIFEBOAT_BENCH_ENDPOINT"].flatMap(URL.init(string:)),
    let bucket = environment["LIFEBOAT_BENCH_BUCKET"]
else {
    FileHandle.standardError.write(
        Data("usage: s3-bench put|get KEY (with LIFEBOAT_BENCH_ENDPOINT, LIFEBOAT_BENCH_BUCKET)\n".utf8))
    exit(2)
}
do {
    let home = NSHomeDirectory()
    let credentials = try AWSProfileLoader.resolve(environment: environment, homeDirectory: home).credentials
    let store = S3Store(
        S3Configuration(
            bucket: bucket, prefix: "", endpoint: endpoint,
            region: environment["LIFEBOAT_TEST_S3_REGION"] ?? "us-east-1",
            addressing: .path, credentials: credentials, transport: TransportOptions(),
            partSize: Int(environment["LIFEBOAT_BENCH_PART_SIZE"] ?? "") ?? 8 << 20,
            rangeSize: Int(environment["LIFEBOAT_BENCH_RANGE_SIZE"] ?? "") ?? 16 << 20,
            parallel: Int(environment["LIFEBOAT_BENCH_PARALLEL"] ?? "") ?? 3))
    let key = try ObjectKey(arguments[2])
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var total = 0
    let started = Date()
    if arguments[1] == "put" {
        let writer = try store.makeWriter(for: key)
        while case let count = buffer.withUnsafeMutableBytes({ read(0, $0.baseAddress, $0.count) }), count > 0 {
            try buffer.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += count
        }
        _ = try writer.commit()
    } else {
        let reader = try store.open(key)
        while case let count = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 {
            _ = buffer.withUnsafeBytes { write(1, $0.baseAddress, count) }
            total += count
        }
    }
    FileHandle.standardError.write(Data("\(total) \(Date().timeIntervalSince(started))\n".utf8))
} catch {
    FileHandle.standardError.write(Data("s3-bench: \(error)\n".utf8))
    exit(1)
}
