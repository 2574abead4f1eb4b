import Foundation
import Testing

@Suite struct LifecycleCLITests {
    @Test func fullLifecycleThroughTheBinary() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["yu", "chef", "farm"] { _ = try emc(["keygen", name], in: directory) }
        let contract = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture.emc").path
        let contractV2 = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture-v2.emc").path
        _ = try emc(["init", "l.jsonl", "--contract", contract, "--key", "yu.key", "--time", "2020-05-01T09:00:00Z",
                     "--member", "yu=micro-enterprise:yu.pub", "--member", "chef=external-partner:chef.pub",
                     "--member", "farm=external-partner:farm.pub"], in: directory)
        let early = try emc(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue", "--value", "1000",
                             "--time", "2020-06-01T09:00:00Z"], in: directory, expect: 1)
        #expect(early.stderr.contains("before the contract is active"))
        for (index, name) in ["yu", "chef", "farm"].enumerated() {
            _ = try emc(["accept", "l.jsonl", "--key", "\(name).key", "--time", "2020-05-0\(index + 2)T09:00:00Z"], in: directory)
        }
        let report = try emc(["report", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--metric", "revenue", "--value", "1000",
                              "--time", "2020-06-01T09:00:00Z"], in: directory)
        #expect(report.stdout.contains("revenue = 1000.00"))
        let wrongReporter = try emc(["report", "l.jsonl", "--key", "chef.key", "--period", "2020-05", "--metric", "cost", "--value", "1",
                                     "--time", "2020-06-01T09:00:00Z"], in: directory, expect: 1)
        #expect(wrongReporter.stderr.contains("may not report cost"))
        let status = try emc(["status", "l.jsonl", "--json"], in: directory)
        #expect(status.stdout.contains("\"missing\":[{\"metric\":\"cost\",\"reporters\":[\"yu\",\"farm\"]}]"))
        let notReady = try emc(["settle", "l.jsonl", "--key", "chef.key", "--period", "2020-05", "--time", "2020-06-02T09:00:00Z"], in: directory, expect: 1)
        #expect(notReady.stderr.contains("cost"))
        _ = try emc(["report", "l.jsonl", "--key", "farm.key", "--period", "2020-05", "--metric", "cost", "--value", "450.00",
                     "--time", "2020-06-01T11:00:00Z"], in: directory)
        let settle = try emc(["settle", "l.jsonl", "--key", "chef.key", "--period", "2020-05", "--time", "2020-06-02T09:00:00Z"], in: directory)
        #expect(settle.stdout.contains("137.50") && settle.stdout.contains("275.00"))
        let twice = try emc(["settle", "l.jsonl", "--key", "yu.key", "--period", "2020-05", "--time", "2020-06-02T10:00:00Z"], in: directory, expect: 1)
        #expect(twice.stderr.contains("already settled"))
        let retro = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", contractV2, "--effective", "2020-05",
                             "--reason", "backdate", "--time", "2020-06-03T09:00:00Z"], in: directory, expect: 1)
        #expect(retro.stderr.contains("never retroactive"))
        let propose = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", contractV2, "--effective", "2020-07",
                               "--reason", "recipes drive sales", "--time", "2020-06-03T09:00:00Z"], in: directory)
        #expect(propose.stdout.contains("proposal 8"))
        let vote = try emc(["vote", "l.jsonl", "--key", "chef.key", "--proposal", "8", "--approve", "--time", "2020-06-04T09:00:00Z"], in: directory)
        #expect(vote.stdout.contains("pending"))
        _ = try emc(["vote", "l.jsonl", "--key", "chef.key", "--proposal", "8", "--approve", "--reject"], in: directory, expect: 2)
        let adopted = try emc(["vote", "l.jsonl", "--key", "farm.key", "--proposal", "8", "--approve", "--time", "2020-06-05T09:00:00Z"], in: directory)
        #expect(adopted.stdout.contains("adopted"))
        let text = try emc(["status", "l.jsonl"], in: directory)
        #expect(text.stdout.contains("last settled period: 2020-05"))
        #expect(text.stdout.contains("paid 137.50 CNY"))
        _ = try emc(["verify", "l.jsonl"], in: directory)
        let log = try emc(["log", "l.jsonl"], in: directory)
        #expect(log.stdout.contains("settles 2020-05 under version 1: 3 payouts"))
    }

    /// A dispute through the binary: opened, approved by all, and the adopting vote appends the adjustment.
    @Test func disputeAndAdjustmentThroughTheBinary() throws {
        let directory = try lifecycleLedgerDirectory(entries: 17)
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try emc(["status", "l.jsonl", "--json"], in: directory).stdout
        let open = try emc(["dispute", "l.jsonl", "--key", "farm.key", "--period", "2020-06", "--set", "cost=900",
                            "--reason", "a duplicated feed invoice", "--time", "2020-08-03T09:00:00Z"], in: directory)
        #expect(open.stdout.contains("dispute 18"))
        let blocked = try emc(["dispute", "l.jsonl", "--key", "yu.key", "--period", "2020-07", "--set", "cost=1",
                               "--reason", "again", "--time", "2020-08-03T10:00:00Z"], in: directory, expect: 1)
        #expect(blocked.stderr.contains("still open"))
        _ = try emc(["vote", "l.jsonl", "--key", "yu.key", "--proposal", "18", "--approve", "--time", "2020-08-04T09:00:00Z"], in: directory)
        let adopting = try emc(["vote", "l.jsonl", "--key", "chef.key", "--proposal", "18", "--approve", "--time", "2020-08-04T10:00:00Z"], in: directory)
        #expect(adopting.stdout.contains("adopted"))
        #expect(adopting.stdout.contains("2020-06: yu +25.00, chef +15.00, farm +10.00"))
        #expect(adopting.stdout.contains("2020-07: no change"))
        let after = try emc(["status", "l.jsonl", "--json"], in: directory).stdout
        #expect(before.contains("{\"amount\":\"747.50\",\"member\":\"yu\"}"))
        #expect(after.contains("{\"amount\":\"772.50\",\"member\":\"yu\"}"))
        let log = try emc(["log", "l.jsonl"], in: directory)
        #expect(log.stdout.contains("adjusts dispute 18: 2 periods re-settled"))
        _ = try emc(["verify", "l.jsonl"], in: directory)
        let explain = try emc(["explain", "l.jsonl", "--period", "2020-06", "--member", "farm"], in: directory)
        #expect(explain.stdout.contains("adjusted by entry 21"))
        #expect(explain.stdout.contains("supersedes entry 13"))
    }

    /// Roster changes are amendments: a new member joins with its key (and accepts), another leaves.
    @Test func memberJoinsAndLeavesThroughAnAmendment() throws {
        let directory = try lifecycleLedgerDirectory(entries: 21)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try emc(["keygen", "oven"], in: directory)
        let v3 = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture-v3-join.emc").path
        let missingKey = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", v3, "--effective", "2020-09",
                                  "--reason", "the oven team joins", "--time", "2020-08-05T09:00:00Z"], in: directory, expect: 1)
        #expect(missingKey.stderr.contains("\"oven\" is missing from the roster"))
        let propose = try emc(["propose", "l.jsonl", "--key", "yu.key", "--contract", v3, "--effective", "2020-09",
                               "--reason", "the oven team joins", "--member", "oven=micro-enterprise:oven.pub",
                               "--time", "2020-08-05T09:00:00Z"], in: directory)
        #expect(propose.stdout.contains("proposal 22"))
        _ = try emc(["vote", "l.jsonl", "--key", "chef.key", "--proposal", "22", "--approve", "--time", "2020-08-05T10:00:00Z"], in: directory)
        let farmVote = try emc(["vote", "l.jsonl", "--key", "farm.key", "--proposal", "22", "--approve", "--time", "2020-08-05T11:00:00Z"], in: directory)
        #expect(farmVote.stdout.contains("pending"), "the joiner has not accepted yet")
        let pending = try emc(["status", "l.jsonl"], in: directory)
        #expect(pending.stdout.contains("waiting for acceptance by: oven"))
        let joined = try emc(["accept", "l.jsonl", "--key", "oven.key", "--time", "2020-08-05T12:00:00Z"], in: directory)
        #expect(joined.stdout.contains("oven accepted contract version 3"))
        let status = try emc(["status", "l.jsonl", "--json"], in: directory)
        #expect(status.stdout.contains("{\"active\":false,\"display_name\":\"Duck farm\",\"key\":\"6e0cce11e7bcb1a0\",\"name\":\"farm\""))
        #expect(status.stdout.contains("\"name\":\"oven\",\"rating\":null"), "version 2 still governs 2020-08")
        let formerVote = try emc(["dispute", "l.jsonl", "--key", "farm.key", "--period", "2020-07", "--set", "cost=1.00",
                                  "--reason", "x", "--time", "2020-08-06T09:00:00Z"], in: directory, expect: 1)
        #expect(formerVote.stderr.contains("no longer a member"))
        // The farm still reports August, which version 2 governs; the oven reports September under version 3.
        _ = try emc(["report", "l.jsonl", "--key", "farm.key", "--period", "2020-08", "--metric", "cost", "--value", "10",
                     "--time", "2020-09-01T09:00:00Z"], in: directory)
        _ = try emc(["report", "l.jsonl", "--key", "oven.key", "--period", "2020-09", "--metric", "cost", "--value", "10",
                     "--time", "2020-09-02T09:00:00Z"], in: directory)
        _ = try emc(["verify", "l.jsonl"], in: directory)
        let diff = try emc(["diff", "l.jsonl", "--from", "2", "--to", "3"], in: directory)
        #expect(diff.stdout.contains("+ member oven added") && diff.stdout.contains("- member farm removed"))
    }

    /// The settle entries of the lifecycle fixture ledger agree with `emc simulate` on the same reports.
    @Test func fixtureSettlementsAgreeWithSimulateCommand() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try String(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        var reports: [String: [String: String]] = [:]
        var settled: [String: [[String: String]]] = [:]
        for entry in lines {
            let body = entry["body"] as! [String: Any]
            if entry["kind"] as? String == "report" {
                reports[body["period"] as! String, default: [:]][body["metric"] as! String] = body["value"] as? String
            } else if entry["kind"] as? String == "settle", body["version"] as? Int == 1 {
                settled[body["period"] as! String] = body["payouts"] as? [[String: String]]
            }
        }
        let v1Periods = settled.keys.sorted()
        // The metrics file lists periods in increasing order.
        let metricsText = "{" + v1Periods.map { period in
            "\"\(period)\": " + String(decoding: try! JSONSerialization.data(withJSONObject: reports[period]!, options: [.sortedKeys]), as: UTF8.self)
        }.joined(separator: ", ") + "}"
        try metricsText.write(to: directory.appendingPathComponent("m.json"), atomically: true, encoding: .utf8)
        let contract = fixturesRoot.appendingPathComponent("ledgers/contracts/fixture.emc").path
        let simulated = try emc(["simulate", contract, "--metrics", "m.json", "--json"], in: directory)
        let root = try JSONSerialization.jsonObject(with: Data(simulated.stdout.utf8)) as! [String: Any]
        let periods = root["periods"] as! [[String: Any]]
        #expect(periods.count == v1Periods.count && periods.count == 2)
        for period in periods {
            let name = period["period"] as! String
            #expect((period["payouts"] as! [[String: String]]) == settled[name]!, "period \(name)")
        }
    }

    @Test func demoRunsTwiceIdenticallyAndMatchesGolden() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try emc(["demo", "--dir", "d"], in: directory)
        #expect(first.stdout.contains("verify: ok"))
        #expect(first.stdout.contains("Who was paid what in total"))
        let bytes = try Data(contentsOf: directory.appendingPathComponent("d/ledger.jsonl"))
        _ = try emc(["demo", "--dir", "d"], in: directory)
        #expect(try Data(contentsOf: directory.appendingPathComponent("d/ledger.jsonl")) == bytes)
        #expect(try Data(contentsOf: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl")) == bytes)
        _ = try emc(["verify", "d/ledger.jsonl"], in: directory)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("d/keys/yu.key").path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
