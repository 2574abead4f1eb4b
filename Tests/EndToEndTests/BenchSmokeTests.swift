import Foundation
import Testing

/// The `emc-bench` binary built next to the test bundle.
let benchBinary: URL = emcBinary.deletingLastPathComponent().appendingPathComponent("emc-bench")

@Suite struct BenchSmokeTests {
    static let keys: Set<String> = [
        "raw_verify_per_s", "raw_sha256_mb_per_s", "verify_entries_per_s", "verify_ratio", "verify_peak_rss_mb",
        "incremental_verify_ms", "append_p50_ms", "append_p99_ms", "fsync_p50_ms", "append_ratio",
        "bulk_append_entries_per_s", "settle_us_100x50", "settle_400x12_ms",
        // Issue 13: the verify as CPU time, checkpoint and proof figures.
        "verify_cpu_ratio", "checkpoint_ms", "inclusion_proof_ms", "proof_verify_per_s", "consistency_us_per_new_entry",
        // Issue 17: the spread of the CPU pairs, received entries against the raw baseline, one `emc report` process.
        "verify_ratio_spread", "received_bulk_ratio", "one_shot_append_p50_ms", "one_shot_bare_start_p50_ms",
        "settle_400x12_untraced_ms",
    ]

    @Test func jsonLastLineHasExactlyTheIssueKeys() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run(benchBinary, ["--entries", "500", "--quick", "--json", "--dir", directory.path])
        #expect(result.exitCode == 0)
        let lastLine = try #require(result.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        #expect(Set(object.keys) == Self.keys)
        for (key, value) in object {
            let number = try #require(value as? NSNumber, "\(key) is not a number")
            #expect(number.doubleValue > 0, "\(key) is not positive")
        }
        // The ledger is removed afterwards; the directory given is kept.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func badFlagIsAOneLineErrorWithExitTwo() throws {
        let result = try run(benchBinary, ["--entries", "many"])
        #expect(result.exitCode == 2)
        let text = result.stderr
        #expect(text.hasPrefix("emc-bench: ") && text.split(separator: "\n").count == 1)
    }
}
