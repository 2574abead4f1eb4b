import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

@Suite struct DisputeTests {
    /// The adjustment re-settles the disputed period and every later settled one, listing each.
    @Test func adjustmentCoversEveryAffectedSettledPeriod() throws {
        let script = try FixtureFactory.lifecycleScript(upTo: 20)
        let computed = try script.state.computeAdjustment(for: 18)
        #expect(computed.periods.map(\.record.period.description) == ["2020-06", "2020-07"])
        #expect(computed.periods[0].differences.map(\.amountMinor) == [2500, 1500, 1000])
        #expect(computed.periods[1].differences.isEmpty)
        #expect(computed.differences.map(\.member) == ["yu", "chef", "farm"])
    }

    /// In the demo, the corrected revenue of 2021-09 feeds growth(revenue) of 2021-10, which is re-settled too.
    @Test func demoAdjustmentReachesTheFollowingPeriod() throws {
        var adjusted: [String] = []
        _ = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path, willApply: { decoded, state in
            guard decoded.entry.kind == "adjust", case .object(let body) = decoded.entry.body, case .integer(let dispute)? = body["dispute"],
                  let computed = try? state.computeAdjustment(for: dispute) else { return }
            adjusted = computed.periods.map(\.record.period.description)
            #expect(computed.periods[1].settlement.trace.rules.first { $0.name == "profit_sharing" }?.fired == true)
        })
        #expect(adjusted == ["2021-09", "2021-10"])
    }

    @Test func rejectedDisputeLeavesEveryTotalUnchanged() throws {
        var script = try FixtureFactory.lifecycleScript(upTo: 17)
        let before = script.state.totalsPaid
        let runBefore = script.state.runState
        try script.add { try EntryBuilder.dispute(after: $0, period: Period("2020-07")!, corrections: [("revenue", "2500.00")],
                                                   reason: "returns", time: FixtureFactory.stamp("2020-08-03T09:00:00Z"), key: FixtureFactory.key("chef")) }
        try script.add { try EntryBuilder.vote(after: $0, proposal: 18, approve: false, time: FixtureFactory.stamp("2020-08-04T09:00:00Z"), key: FixtureFactory.key("yu")) }
        #expect(script.state.disputes[0].status == .rejected)
        #expect(script.state.totalsPaid == before)
        #expect(script.state.runState == runBefore)
        #expect(throws: LedgerError.self) {
            try EntryBuilder.adjust(after: script.state, dispute: 18, time: FixtureFactory.stamp("2020-08-05T09:00:00Z"), key: FixtureFactory.key("chef"))
        }
    }

    @Test func withdrawnDisputeAllowsANewOne() throws {
        var script = try FixtureFactory.lifecycleScript(upTo: 17)
        try script.add { try EntryBuilder.dispute(after: $0, period: Period("2020-07")!, corrections: [("revenue", "2500.00")],
                                                   reason: "returns", time: FixtureFactory.stamp("2020-08-03T09:00:00Z"), key: FixtureFactory.key("chef")) }
        #expect(throws: LedgerError.self) {
            try script.state.applying(try DecodedEntry(entry: try EntryBuilder.dispute(after: script.state, period: Period("2020-06")!, corrections: [("cost", "1.00")],
                                                                                  reason: "again", time: FixtureFactory.stamp("2020-08-03T10:00:00Z"), key: FixtureFactory.key("yu"))))
        }
        try script.add { try EntryBuilder.withdraw(after: $0, proposal: 18, time: FixtureFactory.stamp("2020-08-03T11:00:00Z"), key: FixtureFactory.key("chef")) }
        try script.add { try EntryBuilder.dispute(after: $0, period: Period("2020-06")!, corrections: [("cost", "1.00")],
                                                   reason: "again", time: FixtureFactory.stamp("2020-08-03T12:00:00Z"), key: FixtureFactory.key("yu")) }
        #expect(script.state.disputes.map(\.status) == [.withdrawn, .pending])
    }

    /// Replaying at every entry succeeds, and the state at SEQ never depends on later entries:
    /// replay of the full file at SEQ equals the state of the file truncated after SEQ.
    @Test func replayAtEveryEntryEqualsTruncatedLedger() throws {
        let path = fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path
        let lines = try fixtureText("ledgers/valid/demo.jsonl").split(separator: "\n")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emc-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let truncatedPath = directory.appendingPathComponent("prefix.jsonl").path
        for seq in 1...lines.count {
            let replayed = try Verifier.verify(path: path, limit: Int64(seq)).state
            try Data((lines[0..<seq].joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: truncatedPath))
            let truncated = try Verifier.verify(path: truncatedPath).state
            #expect(replayed.headSeq == Int64(seq))
            #expect(StatusReport.json(replayed).canonicalBytes == StatusReport.json(truncated).canonicalBytes, "entry \(seq)")
        }
    }

    /// Audit rows reconcile exactly with the ledger: per member with the totals paid, per period
    /// with the payouts in effect.
    @Test(arguments: ["lifecycle", "demo"])
    func auditReconcilesWithTheLedger(ledger: String) throws {
        let path = fixturesRoot.appendingPathComponent("ledgers/valid/\(ledger).jsonl").path
        let export = try AuditExport.read(source: FileReplay(path: path), from: nil, to: nil)
        let state = try Verifier.verify(path: path).state
        let totals = AuditExport.totals(export)
        for member in state.members {
            let audited = totals.members.first { $0.0 == member.name }?.1 ?? 0
            #expect(audited == state.totalsPaid[member.name] ?? 0, "member \(member.name)")
        }
        for record in state.recentSettlements {
            let audited = totals.periods.first { $0.0 == record.period }?.1 ?? 0
            #expect(audited == record.payouts.reduce(0) { $0 + $1.amountMinor }, "period \(record.period)")
        }
        #expect(export.rows.contains { $0.kind == .adjustment })
        let filtered = try AuditExport.read(source: FileReplay(path: path), from: export.rows.last!.period, to: export.rows.last!.period)
        #expect(filtered.rows.allSatisfy { $0.period == export.rows.last!.period } && !filtered.rows.isEmpty)
    }
}
