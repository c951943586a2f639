// RetryPolicy: which S3 failures are worth another attempt, and how long to wait first. Pure functions:
// the caller supplies the random number, so schedules are reproducible in tests.
import Foundation

public enum RetryPolicy {
    /// Server error codes that mean "try again later" regardless of status: S3's four retry-later codes plus
    /// the throttling spellings botocore's standard retry mode also treats as transient.
    static let transientCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
        "Throttling", "ThrottlingException", "RequestThrottled", "PriorRequestNotComplete",
    ]
    static let transientStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
    /// Jitter"): `min(cap, base * 2^attempt) * random`, `attempt` counting from 0. Full jitter spreads
    /// clients that failed together across the whole window. A negative attempt counts as 0, `random` is
    /// clamped into [0, 1), and the result is always in [0, cap).
    public static func delay(
        attempt: Int, base: TimeInterval = 0.2, cap: TimeInterval = 20,
        random: Double
    ) -> TimeInterval {
        let ceiling = ceilingDelay(attempt: attempt, base: base, cap: cap)
        let fraction = random.isNaN ? 0 : min(max(random, 0), 1.0.nextDown)
        return ceiling * fraction
    }

    /// The upper bound of `delay` for an attempt: non-decreasing in `attempt`, never above `cap`.
    public static func ceilingDelay(attempt: Int, base: TimeInterval = 0.2, cap: TimeInterval = 20) -> TimeInterval {
        // pow overflows to +infinity for large attempts, which min() turns into the cap.
        min(max(cap, 0), max(base, 0) * pow(2, Double(max(attempt, 0))))
    }

    /// Transient = worth retrying: HTTP 429, 500, 502, 503, 504, and the codes SlowDown, RequestTimeout,
    /// InternalError, ServiceUnavailable (and throttling aliases). RequestTimeTooSkewed is never transient:
    /// the clock needs fixing first. 400/403/404 and anything else are permanent.
    public static func isTransient(status: Int, code: String?) -> Bool {
        if code == "RequestTimeTooSkewed" { return false }
        if let code, transientCodes.contains(code) { return true }
        return transientStatuses.contains(status)
    }
}
