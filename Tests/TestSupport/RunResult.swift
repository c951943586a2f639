// RunResult: what a child process left behind, in the shape every test target asserts on.

public struct RunResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// The signal that ended the process, nil when it exited.
    public var signal: Int32?

    public init(status: Int32, stdout: String, stderr: String, signal: Int32? = nil) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.signal = signal
    }

    /// stdout then stderr, for assertion messages.
    public var output: String { stdout + stderr }
}
