// CheckReport: every finding of `lifeboat check` in the order they ran, and the verdict: the status of the first
// failing check (its error's own exit status: a bad configuration value is 2, a lock 5, a wrong key 4, anything
// else 1). Warnings and skipped checks do not fail the run.
import Diagnostics

public struct CheckReport: Sendable {
    public var items: [CheckItem]
    /// The exit status of the first failing check, nil when none failed.
    public var firstFailure: ExitStatus?

    public var verdict: Verdict { firstFailure.map(Verdict.error) ?? .passed }
}

extension CheckReport {
    /// Runs one check that returns its detail line; a thrown error is the failure (message and hint).
    @discardableResult
    mutating func record(_ name: String, _ body: () throws -> String) -> Bool {
        recordFinding(name) { ArchiveFinding(.ok, try body()) }
    }

    /// Runs one check that may also warn or skip; returns whether it passed.
    @discardableResult
    mutating func recordFinding(_ name: String, _ body: () throws -> ArchiveFinding) -> Bool {
        do {
            let finding = try body()
            items.append(
                CheckItem(
                    check: name, ok: true, detail: finding.detail, hint: finding.hint,
                    warning: finding.status == .warning ? true : nil,
                    skipped: finding.status == .skipped ? true : nil))
            return true
        } catch {
            let failure = error as? LifeboatError
            items.append(CheckItem(check: name, ok: false, detail: failure?.message ?? "\(error)", hint: failure?.hint))
            firstFailure = firstFailure ?? failure?.exitStatus ?? .failure
            return false
        }
    }

    /// A check that did not run; `reason` says why.
    mutating func skip(_ name: String, _ reason: String) {
        items.append(CheckItem(check: name, ok: true, detail: "skipped: " + reason, skipped: true))
    }
}
