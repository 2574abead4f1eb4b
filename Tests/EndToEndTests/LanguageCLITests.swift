import Foundation
import Testing

@Suite struct LanguageCLITests {
    func fixture(_ path: String) -> String { fixturesRoot.appendingPathComponent(path).path }

    @Test func checkAcceptsEveryFixtureContract() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture("contracts")).filter { $0.hasSuffix(".emc") }.sorted()
        let result = try runEMC(["check"] + names.map { fixture("contracts/\($0)") })
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
    }

    @Test func checkReportsAllErrorsWithSourceLineAndCaret() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOfFile: fixture("invalid/several-errors-at-once.emc"), encoding: .utf8)
        try source.write(to: directory.appendingPathComponent("bad.emc"), atomically: true, encoding: .utf8)
        let result = try runEMC(["check", "bad.emc"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("""
            bad.emc:10:12: error: shares add up to 95%, must be 100%
            share lead 60%
                       ^
            """))
        #expect(result.stderr.contains("bad.emc:22:8: error: unknown name 'proft'; did you mean 'profit'?"))
        #expect(result.stderr.components(separatedBy: "\nbad.emc:").count == 4, "four diagnostics, the first at the start")
        #expect(result.stderr.hasPrefix("bad.emc:") && result.stderr.hasSuffix("\nemc: error: bad.emc: 4 errors\n"))
    }

    @Test func checkOfMissingFileIsAnIOError() throws {
        let result = try runEMC(["check", "/nonexistent/contract.emc"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("cannot read '/nonexistent/contract.emc'"))
    }

    @Test func checkWithoutFilesIsAUsageError() throws {
        let result = try runEMC(["check"])
        #expect(result.exitCode != 0)
        #expect(result.exitCode != 1)
    }

    @Test func simulateMatchesExpectedJSON() throws {
        for name in ["smart-cooking", "software-team", "supply-chain", "tiered-bonuses", "explicit-weights"] {
            let result = try runEMC(["simulate", fixture("contracts/\(name).emc"), "--metrics", fixture("metrics/\(name).json"), "--json"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            let actual = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let expectedData = try Data(contentsOf: URL(fileURLWithPath: fixture("expected/\(name).json")))
            let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
            let actualMembers = (actual["periods"] as? [[String: Any]])?.map { $0["members"] as? [String: String] }
            let expectedMembers = (expected["periods"] as? [[String: Any]])?.map { $0["members"] as? [String: String] }
            #expect(actualMembers == expectedMembers, "\(name)")
        }
    }

    @Test func simulateTextAndExplain() throws {
        let result = try runEMC(["simulate", fixture("contracts/smart-cooking.emc"), "--metrics", fixture("metrics/smart-cooking.json"), "--explain"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("goal seventeen_dishes missed: chef -1 star, rule menu_bonus forfeited"))
        #expect(result.stdout.contains("rule menu_bonus (once): forfeited (a goal was missed)"))
        #expect(result.stdout.contains("growth(revenue) > market_growth: false"))
        #expect(result.stdout.contains("+ 1 remainder unit"))
        #expect(result.stdout.contains("totals\n"))
    }

    @Test func simulateRejectsBadMetricsWithPosition() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "{\n  \"2020-09\": {\"revenue\": \"12.345\"}\n}\n".write(to: directory.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let result = try runEMC(["simulate", fixture("contracts/smart-cooking.emc"), "--metrics", "bad.json"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("bad.json:2:26: error: metric 'revenue' in period 2020-09 is money"))
    }

    @Test func simulateRefusesSettlementWithMissingMetric() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try #"{"2020-09": {"revenue": "12.00", "ducks_sold": 1, "new_dishes": 0, "market_growth": "1"}}"#
            .write(to: directory.appendingPathComponent("m.json"), atomically: true, encoding: .utf8)
        let result = try runEMC(["simulate", fixture("contracts/smart-cooking.emc"), "--metrics", "m.json"], in: directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("cannot settle 2020-09: missing metric 'cost' (reported by yu, factory)"))
    }

    @Test func simulateOfMissingFileIsAnIOError() throws {
        let result = try runEMC(["simulate", fixture("contracts/smart-cooking.emc"), "--metrics", "/nonexistent.json"])
        #expect(result.exitCode == 2)
    }
}
