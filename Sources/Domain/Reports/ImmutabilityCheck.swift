// ImmutabilityCheck: when the policy asks for Object Lock, is it there? A backup counts as locked when its
// objects carry an Object Lock retain-until date at all; whether that date covers the backup's retention is the
// retention planner's business (it refuses to delete locked objects early), not the report's.
import Foundation

struct ImmutabilityCheck {
    let input: ReportInput
    let period: ReportPeriod

    func assess() -> ImmutabilityCompliance {
        let backups = input.backups.filter { period.contains($0.startedAt) }
        let locked = backups.filter { $0.objectLockUntil != nil }.count
        let required = input.policy?.immutability != nil
        return ImmutabilityCompliance(
            required: required, available: input.objectLockAvailable, lockedBackups: locked, backups: backups.count,
            mode: input.policy?.immutability?.mode.rawValue,
            met: !required || (input.objectLockAvailable && locked == backups.count))
    }

    func findings(_ immutability: ImmutabilityCompliance) -> Findings {
        guard immutability.required else { return Findings() }
        var findings = Findings()
        if !immutability.available {
            findings.failures.append("the policy requires Object Lock but the repository's store does not offer it")
        }
        if immutability.lockedBackups < immutability.backups {
            findings.failures.append(
                "\(immutability.backups - immutability.lockedBackups) of "
                    + "\(ReportText.count(immutability.backups, "backup")) in the period have no Object Lock")
        }
        return findings
    }
}
