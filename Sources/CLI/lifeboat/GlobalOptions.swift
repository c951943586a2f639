// Options every command accepts (README.md "Using it" lists them).
import ArgumentParser

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Configuration file (default ./lifeboat.yml, then $LIFEBOAT_CONFIG, then /etc/lifeboat/lifeboat.yml).")
    var config: String?

    @Flag(name: .long, help: "Print the result as JSON on stdout.")
    var json = false

    @Option(name: .long, help: "Log format on stderr: text or json.")
    var logFormat: LogFormat = .text

    @Flag(name: .long, help: "Print only errors.")
    var quiet = false

    @Flag(name: .long, help: "Never draw progress bars (they appear only on a terminal anyway).")
    var noProgress = false

    @Option(
        name: .long, help: "Update this Prometheus text file (node_exporter textfile collector) with the run's metrics."
    )
    var metricsFile: String?
}
