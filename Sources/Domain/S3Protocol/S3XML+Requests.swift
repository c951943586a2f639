// S3XML+Requests: the request bodies Lifeboat sends. Written by hand because the shapes are tiny and the
// bytes must be predictable; text is escaped so keys and ETags survive any character.

extension S3XML {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// Parts are written in ascending part-number order, which S3 requires, whatever order they come in.
    public static func completeMultipartUploadRequest(
        parts: [(number: Int, eTag: String, checksumSHA256: String?)]
    ) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload xmlns=\"\(namespace)\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><ETag>\(escape(part.eTag))</ETag>"
            if let checksum = part.checksumSHA256 { xml += "<ChecksumSHA256>\(escape(checksum))</ChecksumSHA256>" }
            xml += "<PartNumber>\(part.number)</PartNumber></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        return Array(xml.utf8)
    }

    /// DeleteObjects (at most 1000 keys per request). S3 requires a Content-MD5 or x-amz-checksum-* header
    /// on this request; that is the sender's job.
    public static func deleteObjectsRequest(keys: [String], quiet: Bool) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete xmlns=\"\(namespace)\">"
        if quiet { xml += "<Quiet>true</Quiet>" }
        for key in keys { xml += "<Object><Key>\(escape(key))</Key></Object>" }
        xml += "</Delete>"
        return Array(xml.utf8)
    }

    /// RestoreObject: a readable copy for `days` days, fetched at `tier` ("Expedited", "Standard", "Bulk").
    public static func restoreRequest(days: Int, tier: String) -> [UInt8] {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<RestoreRequest xmlns=\"\(namespace)\">"
            + "<Days>\(days)</Days><GlacierJobParameters><Tier>\(escape(tier))</Tier></GlacierJobParameters>"
            + "</RestoreRequest>"
        return Array(xml.utf8)
    }

    /// PutObjectRetention. S3 requires Content-MD5 on it; that is the sender's job.
    public static func retentionRequest(mode: String, retainUntil: String) -> [UInt8] {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Retention xmlns=\"\(namespace)\">"
            + "<Mode>\(escape(mode))</Mode><RetainUntilDate>\(escape(retainUntil))</RetainUntilDate></Retention>"
        return Array(xml.utf8)
    }

    /// PutObjectLegalHold. S3 requires Content-MD5 on it; that is the sender's job.
    public static func legalHoldRequest(on: Bool) -> [UInt8] {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LegalHold xmlns=\"\(namespace)\">"
            + "<Status>\(on ? "ON" : "OFF")</Status></LegalHold>"
        return Array(xml.utf8)
    }

    /// Escapes markup characters, and CR and other control characters as character references: a literal
    /// CR would be turned into LF by the server's XML parser and name a different key.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
