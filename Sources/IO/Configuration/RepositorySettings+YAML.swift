// Reading the `repository:` section: the location plus the S3 settings, each checked before any request is
// made (a bad storage class or part size would otherwise fail in the middle of an upload).
import Foundation

extension RepositorySettings {
    static let keys = [
        "url", "endpoint", "region", "addressing", "ca_file", "insecure_skip_tls_verify", "storage_class",
        "metadata_storage_class", "part_size", "range_size", "parallel", "sse", "sse_kms_key_id",
    ]
    /// Classes whose objects cannot be read without a restore request: metadata must never go there.
    static let archiveStorageClasses: Set<String> = ["GLACIER", "DEEP_ARCHIVE"]

    static func read(from root: MappingReader, baseDirectory: String) throws -> RepositorySettings {
        let urlHint = "add 'url: file:///var/backups/lifeboat' or 'url: s3://BUCKET/PREFIX' under 'repository:'"
        guard let section = try root.mapping("repository", accepted: keys) else {
            throw root.missing(
                "repository",
                hint:
                    "add a 'repository:' section with 'url: file:///var/backups/lifeboat' or 'url: s3://BUCKET/PREFIX'")
        }
        let text = try section.requiredString("url", hint: urlHint)
        let location: RepositoryLocation
        do {
            location = try RepositoryLocation.parse(text)
        } catch let error as ConfigError {
            throw error.located(at: section.location("url"))
        }
        let endpoint = try self.endpoint(in: section)
        return RepositorySettings(
            location: location,
            endpoint: endpoint,
            region: try region(in: section),
            addressing: try section.choice("addressing", of: Addressing.self),
            caFile: try ConfigLoader.path("ca_file", in: section, baseDirectory: baseDirectory),
            insecureSkipTLSVerify: try section.bool("insecure_skip_tls_verify") ?? false,
            storageClass: try storageClass("storage_class", in: section),
            metadataStorageClass: try metadataStorageClass(in: section),
            partSize: try size(
                "part_size", in: section, default: defaultPartSize, allowed: partSizeRange,
                accepted: "5MiB...5GiB (the S3 limits for a part)"),
            rangeSize: try size(
                "range_size", in: section, default: defaultRangeSize, allowed: rangeSizeRange,
                accepted: "1MiB...1GiB"),
            parallel: try parallel(in: section),
            sse: try sse(in: section),
            sseKMSKeyID: try kmsKeyID(in: section)
        )
    }

    private static func endpoint(in section: MappingReader) throws -> String? {
        guard let text = try section.string("endpoint") else { return nil }
        let accepted = "an http:// or https:// URL such as 'http://127.0.0.1:9000'"
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw section.invalid("endpoint", value: text, accepted: accepted)
        }
        guard components.user == nil, components.password == nil else {
            throw section.invalid(
                "endpoint", value: text, accepted: accepted,
                hint:
                    "credentials do not belong in the endpoint; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
            )
        }
        guard components.query == nil, components.fragment == nil else {
            throw section.invalid("endpoint", value: text, accepted: accepted, hint: "remove the query or fragment")
        }
        return text
    }

    private static func region(in section: MappingReader) throws -> String {
        guard let region = try section.string("region") else { return defaultRegion }
        guard region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw section.invalid(
                "region", value: region, accepted: "a region name such as 'us-east-1' (letters, digits, '-', '_')")
        }
        return region
    }

    private static func storageClass(_ key: String, in section: MappingReader) throws -> String? {
        guard let value = try section.string(key) else { return nil }
        guard NameRules.isValidStorageClass(value) else {
            throw section.invalid(key, value: value, accepted: NameRules.storageClassRule)
        }
        return value
    }

    private static func metadataStorageClass(in section: MappingReader) throws -> String? {
        guard let value = try storageClass("metadata_storage_class", in: section) else { return nil }
        guard !archiveStorageClasses.contains(value) else {
            throw section.invalid(
                "metadata_storage_class", value: value,
                accepted:
                    "a class whose objects are immediately readable, e.g. 'STANDARD', 'STANDARD_IA', 'GLACIER_IR'",
                hint:
                    "manifests and the catalog are read by every list, verify and restore; put only data in archive classes"
            )
        }
        return value
    }

    /// A size in bytes, written as a number or as `N KiB/MiB/GiB`.
    private static func size(
        _ key: String, in section: MappingReader, default fallback: Int, allowed: ClosedRange<Int>, accepted: String
    ) throws -> Int {
        guard let node = section.node(key) else { return fallback }
        let bytes: Int
        if MappingReader.tagName(node) == .int, let number = node.int {
            bytes = number
        } else if MappingReader.tagName(node) == .str, let text = node.scalar?.string, let parsed = ByteSize.parse(text)
        {
            bytes = parsed
        } else if node.scalar != nil {
            throw section.invalid(key, value: node.scalar?.string, accepted: ByteSize.acceptedForms)
        } else {
            throw section.wrongType(key, expected: "a size such as '16MiB'", found: node)
        }
        guard allowed.contains(bytes) else {
            throw section.invalid(key, value: node.scalar?.string, accepted: accepted)
        }
        return bytes
    }

    private static func parallel(in section: MappingReader) throws -> Int {
        let parallel = try section.int("parallel") ?? defaultParallel
        guard parallelRange.contains(parallel) else {
            throw section.invalid(
                "parallel", value: String(parallel), accepted: "1...64 requests",
                hint:
                    "each request holds one part or range in memory: (parallel + 1) × part_size per object uploaded, "
                    + "(parallel + 1) × range_size per object downloaded")
        }
        return parallel
    }

    private static func sse(in section: MappingReader) throws -> String? {
        guard let value = try section.string("sse") else { return nil }
        guard serverSideEncryptions.contains(value) else {
            throw section.invalid(
                "sse", value: value, accepted: serverSideEncryptions.map { "'\($0)'" }.joined(separator: ", "))
        }
        return value
    }

    private static func kmsKeyID(in section: MappingReader) throws -> String? {
        guard let value = try section.string("sse_kms_key_id") else { return nil }
        guard (try section.string("sse")) == "aws:kms" else {
            throw section.invalid(
                "sse_kms_key_id", value: nil, accepted: "a KMS key id together with 'sse: aws:kms'",
                hint: "add 'sse: aws:kms' or remove 'sse_kms_key_id'")
        }
        return value
    }
}
