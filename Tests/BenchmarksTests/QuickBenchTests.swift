import Benchmarks
import Testing

/// `briefing-bench --quick` as a correctness check: every workload runs at a small size and its
/// answers are right. It asserts nothing about time.
@Suite("Benchmarks, quick mode")
struct QuickBenchTests {
    @Test("every workload runs and checks its answers", .timeLimit(.minutes(10)))
    func quick() async throws {
        let report = try await Bench.run(.quick(server: .inProcess))
        for name in Bench.workloadNames {
            #expect(report.names.contains(name), "\(name) did not run")
            #expect(!report.checks(name).isEmpty, "\(name) checked nothing")
        }
        #expect((report.figure("wire-efficiency", "bytes_per_annotation_gzip") ?? 0) > 0)
        #expect((report.figure("initial-sync", "wire_bytes") ?? 0) > (report.figure("wire-efficiency", "bytes_per_briefing_gzip") ?? 0))
        let json = try report.json()
        #expect(json.contains("\"floor_median_s\""))
        #expect(json.contains("\"ratio\""))
    }
}
