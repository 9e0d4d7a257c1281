import Benchmarks
import BriefingTestSupport
import Testing

/// `briefing-bench --quick` as a correctness check: every workload runs at a small size and its
/// answers are right. It asserts nothing about time.
// One bench run at a time: each starts servers and drives them hard.
@Suite("Benchmarks, quick mode", .serialized)
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

    @Test("with a PostgreSQL database, every workload also runs on it, on two nodes where devices spread, each beside its baseline", .timeLimit(.minutes(10)))
    func quickOnPostgres() async throws {
        let database = try await PostgresCluster.shared().createDatabase()
        var configuration = BenchConfiguration.quick(server: .inProcess)
        configuration.only = ["initial-sync", "push-throughput", "fan-out-pull", "login-flood"]
        let report = try await Bench.run(configuration, postgres: database, nodes: 2)
        for name in ["initial-sync@postgres", "push-throughput@postgres×2", "fan-out-pull@postgres×2", "fan-out-pull@postgres×1", "login-flood@postgres"] {
            #expect(report.names.contains(name), "\(name) did not run: \(report.names)")
            #expect(!report.checks(name).isEmpty, "\(name) checked nothing")
        }
        #expect((report.figure("push-throughput@postgres×2", "vs_sqlite_mutations_per_s") ?? 0) > 0)
        #expect((report.figure("initial-sync@postgres", "vs_sqlite_median") ?? 0) > 0)
        #expect((report.figure("fan-out-pull@postgres×2", "vs_1_node_pulls_per_s") ?? 0) > 0)
    }
}
