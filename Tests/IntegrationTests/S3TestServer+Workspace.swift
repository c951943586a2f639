// The S3 test server as the integration tests use it: a workspace whose lifeboat.yml names an s3:// repository.
import Foundation
import TestSupport

extension S3TestServer {
    /// lifeboat.yml for an s3:// repository at `bucket/prefix`, through `endpoint` (the proxy, for faults);
    /// `repository` holds more lines of the repository section (indented), `extra` more top-level sections.
    func writeConfig(
        _ workspace: Workspace, bucket: String? = nil, prefix: String, database: String,
        endpoint: String? = nil, repository: String = "", extra: String = ""
    ) throws {
        try """
        cluster: main
        postgres:
          url: "\(workspace.env.url(database: database))"
        repository:
          url: "s3://\(bucket ?? self.bucket)/\(prefix)"
          endpoint: "\(endpoint ?? self.endpoint)"
          region: us-east-1
          addressing: path
        \(repository)
        encryption:
          key_file: \(workspace.keyFile)
        \(extra)
        """.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }
}
