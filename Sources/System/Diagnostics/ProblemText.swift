// ProblemText: how a per-item result (a verified object, an archived WAL file, a drill run) names the error that
// failed it, so every report words a failure the same way.

public enum ProblemText {
    /// One line: a Lifeboat error's message without its hint (the report as a whole says what to do next),
    /// anything else as Swift describes it.
    public static func of(_ error: any Error) -> String {
        (error as? any LifeboatError)?.message ?? String(describing: error)
    }
}
