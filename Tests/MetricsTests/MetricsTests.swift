import Foundation
import XCTest

@testable import Metrics

final class MetricsTests: XCTestCase {
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    func testRenderGroupsFamiliesAndEscapesLabels() {
        let text = PrometheusText.render([
            MetricSample("b_metric", [("cluster", "main")], 2, help: "B."),
            MetricSample("a_metric", [("drill", "say \"hi\"\\now")], 1.5, help: "A\nsecond line"),
            MetricSample("b_metric", [("cluster", "other")], 3, help: "B."),
        ])
        XCTAssertEqual(
            text,
            """
            # HELP a_metric A\\nsecond line
            # TYPE a_metric gauge
            a_metric{drill="say \\"hi\\"\\\\now"} 1.5
            # HELP b_metric B.
            # TYPE b_metric gauge
            b_metric{cluster="main"} 2
            b_metric{cluster="other"} 3

            """)
        XCTAssertEqual(
            PrometheusText.parse(text).map(\.identity).sorted(),
            ["a_metric{drill=\"say \\\"hi\\\"\\\\now\"}", "b_metric{cluster=\"main\"}", "b_metric{cluster=\"other\"}"])
        XCTAssertEqual(PrometheusText.parse(text).first { $0.name == "a_metric" }?.help, "A\nsecond line")
    }

    func testMergeReplacesOwnSamplesKeepsOthersAndCountsFailures() {
        let backup = OperationMetrics(
            cluster: "main", operation: "backup", finishedAt: at, seconds: 12, exitStatus: 0, bytes: 1000)
        var samples = backup.merged(into: [])
        let failedPush = OperationMetrics(
            cluster: "main", operation: "wal_push", finishedAt: at.addingTimeInterval(60), seconds: 0.1, exitStatus: 1)
        samples = failedPush.merged(into: PrometheusText.parse(PrometheusText.render(samples)))
        samples = failedPush.merged(into: PrometheusText.parse(PrometheusText.render(samples)))
        func value(_ name: String, _ operation: String) -> Double? {
            samples.first { $0.name == name && $0.labels.contains { $0 == ("operation", operation) } }?.value
        }
        XCTAssertEqual(
            value("lifeboat_operation_last_success_timestamp_seconds", "backup"), 1_800_000_000,
            "kept from the earlier run")
        XCTAssertEqual(value("lifeboat_operation_last_bytes", "backup"), 1000)
        XCTAssertEqual(value("lifeboat_operation_failures_total", "wal_push"), 2, "the counter carries on")
        XCTAssertEqual(value("lifeboat_operation_failures_total", "backup"), 0)
        XCTAssertNil(value("lifeboat_operation_last_success_timestamp_seconds", "wal_push"), "a failure is no success")
        XCTAssertEqual(value("lifeboat_operation_last_exit_status", "wal_push"), 1)
        XCTAssertEqual(samples.first { $0.name == "lifeboat_operation_failures_total" }?.kind, .counter)
    }

    func testLockRefusalsAreCountedApartFromOtherFailures() {
        var samples: [MetricSample] = []
        for status: Int32 in [0, 5, 1, 5, 0] {
            let run = OperationMetrics(
                cluster: "main", operation: "backup", finishedAt: at, seconds: 1, exitStatus: status)
            samples = run.merged(into: PrometheusText.parse(PrometheusText.render(samples)))
        }
        func value(_ name: String) -> Double? { samples.first { $0.name == name }?.value }
        XCTAssertEqual(value("lifeboat_operation_locked_total"), 2, "exit 5 twice")
        XCTAssertEqual(value("lifeboat_operation_failures_total"), 3, "a refused run is a failure too")
        XCTAssertEqual(value("lifeboat_operation_last_exit_status"), 0)
        XCTAssertEqual(samples.first { $0.name == "lifeboat_operation_locked_total" }?.kind, .counter)
        let fresh = OperationMetrics(cluster: "main", operation: "prune", finishedAt: at, seconds: 1, exitStatus: 0)
            .merged(into: [])
        XCTAssertEqual(
            fresh.first { $0.name == "lifeboat_operation_locked_total" }?.value, 0,
            "written from the first run on, so increase() sees the first refusal")
    }
}
