// TransportOptions: the per-client limits and TLS settings, fixed when an HTTPClient is created.
import Foundation

public struct TransportOptions: Sendable {
    public var connectTimeout: TimeInterval = 10
    /// A transfer slower than this for `lowSpeedTime` fails with `.timeout`, so a stalled server cannot
    /// hang a backup. curl counts whole seconds: `lowSpeedTime` is rounded up. A limit of 0 disables it.
    public var lowSpeedLimitBytesPerSecond: Int = 1024
    public var lowSpeedTime: TimeInterval = 30
    public var verifyTLS: Bool = true
    /// A PEM bundle of trusted CAs; nil uses the system store.
    public var caFile: String? = nil

    public init(
        connectTimeout: TimeInterval = 10, lowSpeedLimitBytesPerSecond: Int = 1024,
        lowSpeedTime: TimeInterval = 30, verifyTLS: Bool = true, caFile: String? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.lowSpeedLimitBytesPerSecond = lowSpeedLimitBytesPerSecond
        self.lowSpeedTime = lowSpeedTime
        self.verifyTLS = verifyTLS
        self.caFile = caFile
    }

    func validate() throws {
        guard connectTimeout > 0, connectTimeout.isFinite else {
            throw TransportError.invalidArgument(
                "connect timeout '\(connectTimeout)' must be a positive number of seconds")
        }
        guard lowSpeedLimitBytesPerSecond >= 0 else {
            throw TransportError.invalidArgument(
                "low speed limit '\(lowSpeedLimitBytesPerSecond)' must not be negative")
        }
        guard lowSpeedTime > 0, lowSpeedTime.isFinite else {
            throw TransportError.invalidArgument(
                "low speed time '\(lowSpeedTime)' must be a positive number of seconds")
        }
    }
}
