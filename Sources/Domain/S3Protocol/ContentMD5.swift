// ContentMD5: the Content-MD5 header (base64 of the body's MD5, RFC 1864). AWS refuses uploads to a bucket
// with Object Lock (PutObject, UploadPart) and PutObjectRetention / PutObjectLegalHold without an integrity
// header; Content-MD5 is the one every S3-compatible server understands.
import Cipher
import Foundation

public enum ContentMD5 {
    public static let headerName = "content-md5"

    public static func value(for body: [UInt8]) -> String {
        Data(MD5.hash(body)).base64EncodedString()
    }

    public static func header(for body: [UInt8]) -> (String, String) {
        (headerName, value(for: body))
    }
}
