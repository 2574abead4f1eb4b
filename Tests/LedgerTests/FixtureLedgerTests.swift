import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto
import Testing

@Suite struct FixtureLedgerTests {
    @Test func validFixtureLedgerIsReproducedAndVerifies() throws {
        let entries = try FixtureFactory.basicLedger()
        let bytes = FixtureFactory.fileBytes(entries.map(\.lineBytes))
        try checkGolden(bytes, "ledgers/valid/basic.jsonl")
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/basic.jsonl").path)
        #expect(verified.entryCount == 5)
        #expect(verified.tornTail == nil)
        #expect(verified.state.member(named: "chef")?.key == FixtureFactory.key("chef-2").publicKey)
    }

    @Test func lifecycleFixtureLedgerIsReproducedAndVerifies() throws {
        let script = try FixtureFactory.lifecycleScript()
        try checkGolden(FixtureFactory.fileBytes(script.lines), "ledgers/valid/lifecycle.jsonl")
        let verified = try Verifier.verify(path: fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl").path)
        let state = verified.state
        #expect(verified.entryCount == 21)
        #expect(state.lastSettledPeriod?.description == "2020-07")
        #expect(state.contracts[1].status == .adopted)
        #expect(state.governingVersion(for: Period("2020-06")!).number == 1)
        #expect(state.governingVersion(for: Period("2020-07")!).number == 2)
        // 2020-05: profit 550.00 (farm's cost supersedes yu's), pool 275.00 split 50/30/20.
        let may = try #require(state.recentSettlement(for: Period("2020-05")!))
        #expect(may.payouts.map(\.amountMinor) == [13750, 8250, 5500])
        #expect(may.reports.first { $0.metric == "cost" }?.superseded == [6])
        // 2020-07 under version 2 (40/40/20): pool 900.00.
        let july = try #require(state.recentSettlement(for: Period("2020-07")!))
        #expect(july.payouts.map(\.amountMinor) == [36000, 36000, 18000])
        // The dispute corrected June's cost 1000.01 -> 900.00: pool 500.00 -> 550.00 (50/30/20).
        let june = try #require(state.recentSettlement(for: Period("2020-06")!))
        #expect(june.payouts.map(\.amountMinor) == [27500, 16500, 11000])
        #expect(state.disputes.first?.status == .adjusted)
        let yuTotal: Int64 = state.totalsPaid["yu"] ?? 0
        #expect(yuTotal == 77250, "13750 + 27500 + 36000")
    }

    @Test func fixtureKeysAreReproduced() throws {
        for name in FixtureFactory.memberNames + ["chef-2", "mallory"] {
            let key = FixtureFactory.key(name)
            try checkGolden(Array(try key.pemRepresentation().utf8), "keys/\(name).key")
            try checkGolden(Array(try key.publicKey.pemRepresentation().utf8), "keys/\(name).pub")
        }
    }

    /// Every tampered ledger is rejected at the expected entry with the expected reason;
    /// the files and `expected.json` are golden, so other implementations can use them.
    @Test func tamperedFixtureLedgersAreRejected() throws {
        var expected: [String: JSONValue] = [:]
        for tampered in try FixtureFactory.tamperedLedgers() + FixtureFactory.tamperedLifecycleLedgers()
            + FixtureFactory.tamperedKeyLedgers() + FixtureFactory.tamperedMembershipLedgers()
            + FixtureFactory.tamperedSpecPointLedgers() + FixtureFactory.tamperedRenderingLedgers() {
            let relative = "ledgers/invalid/\(tampered.name).jsonl"
            try checkGolden(FixtureFactory.fileBytes(tampered.lines), relative)
            expected[tampered.name] = .object(["seq": .integer(tampered.seq), "line": .integer(tampered.seq),
                                               "reason": .string(tampered.reason)])
            #expect {
                try Verifier.verify(path: fixturesRoot.appendingPathComponent(relative).path)
            } throws: { error in
                guard let error = error as? LedgerError else { return false }
                return error.seq == tampered.seq && error.line == Int(tampered.seq) && error.reason.contains(tampered.reason)
            }
        }
        var bytes = JSONValue.object(expected).canonicalBytes
        bytes.append(0x0a)
        try checkGolden(bytes, "ledgers/invalid/expected.json")
    }

    /// Every file in `Fixtures/ledgers/invalid/` is listed in `expected.json` and rejected as it says,
    /// so a tampered ledger added there (by anyone) is always tested.
    @Test func everyInvalidLedgerFileIsRejectedAsExpected() throws {
        let folder = fixturesRoot.appendingPathComponent("ledgers/invalid")
        let expectedBytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("expected.json")))
        guard case .object(let expected) = try JSONValue.parse(Array(expectedBytes.dropLast())) else {
            Issue.record("expected.json is not an object")
            return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jsonl") }
        #expect(files.count == expected.count, "every tampered ledger has exactly one expected.json entry")
        for file in files.sorted() {
            let name = String(file.dropLast(".jsonl".count))
            guard case .object(let fields)? = expected[name], case .integer(let seq)? = fields["seq"],
                  case .string(let reason)? = fields["reason"] else {
                Issue.record("\(file) has no entry in expected.json")
                continue
            }
            #expect(Comment(rawValue: file)) {
                try Verifier.verify(path: folder.appendingPathComponent(file).path)
            } throws: { error in
                guard let error = error as? LedgerError else { return false }
                return error.seq == seq && error.reason.contains(reason)
            }
        }
    }
}
