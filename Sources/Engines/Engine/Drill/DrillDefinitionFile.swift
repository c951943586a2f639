// DrillDefinitionFile: reads a drill file (drills/*.yml); the SHA-256 of its bytes goes into the evidence, so an
// auditor can tell which version of the procedure ran.
import Cipher
import Configuration
import Policy

public enum DrillDefinitionFile {
    public static func load(_ path: String) throws -> DrillDefinition {
        try DrillLoader.load(path: path) { bytes in
            let hasher = try? SHA256Hasher()
            bytes.withUnsafeBytes { hasher?.update($0) }
            return hasher.map { Hex.encode($0.finalize()) } ?? ""
        }
    }
}
