import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
@testable import LedgerStorage
@testable import LedgerReports
import LedgerCrypto

/// Builds a ledger entry by entry, applying each through the state machine; `crafted` makes an
/// entry without applying it (what a dishonest or buggy writer could put in a file).
struct LedgerScript {
    var entries: [DecodedEntry] = []
    var state = LedgerState()

    mutating func add(_ make: (LedgerState) throws -> Entry) throws {
        let decoded = try DecodedEntry(entry: try make(state))
        state = try state.applying(decoded)
        entries.append(decoded)
    }

    func crafted(_ kind: String, _ body: [String: JSONValue], at time: String, by signer: String) throws -> [UInt8] {
        try EntryBuilder.next(after: state, kind: kind, body: body, time: Timestamp(time)!, signers: [FixtureFactory.key(signer)]).lineBytes
    }

    var lines: [[UInt8]] { entries.map(\.lineBytes) }
}

extension FixtureFactory {
    static func stamp(_ text: String) -> Timestamp { Timestamp(text)! }

    static func report(_ script: inout LedgerScript, _ period: String, _ metric: String, _ value: String, by member: String, at time: String) throws {
        try script.add { try EntryBuilder.report(after: $0, period: Period(period)!, metric: metric, value: value, time: stamp(time), key: key(member)) }
    }

    /// The steps of the lifecycle fixture ledger, stopping after `count` entries.
    static func lifecycleScript(upTo count: Int = .max) throws -> LedgerScript {
        var script = LedgerScript()
        let steps: [(inout LedgerScript) throws -> Void] = [
            { try $0.add { _ in try EntryBuilder.genesis(contract: contract, members: roster(), founder: key("yu"), time: stamp("2020-05-01T09:00:00Z"), nonce: Array(repeating: 0x03, count: 16)) } },
            { try $0.add { try EntryBuilder.accept(after: $0, contractHash: Entry.contractHash(contract), time: stamp("2020-05-02T09:00:00Z"), key: key("yu"), bindRendering: false) } },
            { try $0.add { try EntryBuilder.accept(after: $0, contractHash: Entry.contractHash(contract), time: stamp("2020-05-03T09:00:00Z"), key: key("chef"), bindRendering: false) } },
            { try $0.add { try EntryBuilder.accept(after: $0, contractHash: Entry.contractHash(contract), time: stamp("2020-05-04T09:00:00Z"), key: key("farm"), bindRendering: false) } },
            { try report(&$0, "2020-05", "revenue", "1000.00", by: "yu", at: "2020-06-01T09:00:00Z") },
            { try report(&$0, "2020-05", "cost", "400.00", by: "yu", at: "2020-06-01T10:00:00Z") },
            { try report(&$0, "2020-05", "cost", "450.00", by: "farm", at: "2020-06-01T11:00:00Z") },
            { try $0.add { try EntryBuilder.settle(after: $0, period: Period("2020-05")!, time: stamp("2020-06-02T09:00:00Z"), key: key("chef")) } },
            { try $0.add { try EntryBuilder.propose(after: $0, contract: contractV2, effective: Period("2020-07")!, reason: "the chef's recipes drive sales", joiners: [], time: stamp("2020-06-03T09:00:00Z"), key: key("yu"), bindRendering: false) } },
            { try $0.add { try EntryBuilder.vote(after: $0, proposal: 9, approve: true, time: stamp("2020-06-04T09:00:00Z"), key: key("chef")) } },
            { try $0.add { try EntryBuilder.vote(after: $0, proposal: 9, approve: true, time: stamp("2020-06-05T09:00:00Z"), key: key("farm")) } },
            { try report(&$0, "2020-06", "revenue", "2000.00", by: "yu", at: "2020-07-01T09:00:00Z") },
            { try report(&$0, "2020-06", "cost", "1000.01", by: "yu", at: "2020-07-01T10:00:00Z") },
            { try $0.add { try EntryBuilder.settle(after: $0, period: Period("2020-06")!, time: stamp("2020-07-02T09:00:00Z"), key: key("farm")) } },
            { try report(&$0, "2020-07", "revenue", "3000.00", by: "yu", at: "2020-08-01T09:00:00Z") },
            { try report(&$0, "2020-07", "cost", "1200.00", by: "yu", at: "2020-08-01T10:00:00Z") },
            { try $0.add { try EntryBuilder.settle(after: $0, period: Period("2020-07")!, time: stamp("2020-08-02T09:00:00Z"), key: key("yu")) } },
            // 18-21: the farm disputes June's cost; all approve; the adjustment re-settles June and July.
            { try $0.add { try EntryBuilder.dispute(after: $0, period: Period("2020-06")!, corrections: [("cost", "900.00")],
                                                   reason: "a duplicated feed invoice", time: stamp("2020-08-03T09:00:00Z"), key: key("farm")) } },
            { try $0.add { try EntryBuilder.vote(after: $0, proposal: 18, approve: true, time: stamp("2020-08-04T09:00:00Z"), key: key("yu")) } },
            { try $0.add { try EntryBuilder.vote(after: $0, proposal: 18, approve: true, time: stamp("2020-08-04T10:00:00Z"), key: key("chef")) } },
            { try $0.add { try EntryBuilder.adjust(after: $0, dispute: 18, time: stamp("2020-08-04T11:00:00Z"), key: key("chef")) } },
        ]
        for step in steps.prefix(count) { try step(&script) }
        return script
    }

    static func settleBody(_ script: LedgerScript, _ period: String) throws -> [String: JSONValue] {
        guard case .object(let body) = try script.state.computeSettlement(of: Period(period)!).body else { return [:] }
        return body
    }

    /// One ledger per rejection the lifecycle must enforce, each with its first bad entry and reason.
    static func tamperedLifecycleLedgers() throws -> [Tampered] {
        var cases: [Tampered] = []
        func add(_ name: String, prefix count: Int, seq: Int64, reason: String,
                 _ make: (LedgerScript) throws -> [[UInt8]]) throws {
            let script = try lifecycleScript(upTo: count)
            cases.append(Tampered(name: name, lines: script.lines + (try make(script)), seq: seq, reason: reason))
        }
        let revenue: [String: JSONValue] = ["period": .string("2020-05"), "metric": .string("revenue"), "value": .string("1000.00")]
        try add("report-before-activation", prefix: 3, seq: 4, reason: "before the contract is active") {
            [try $0.crafted("report", revenue, at: "2020-06-01T09:00:00Z", by: "yu")]
        }
        try add("unauthorized-report", prefix: 4, seq: 5, reason: "\"chef\" may not report revenue") {
            [try $0.crafted("report", revenue, at: "2020-06-01T09:00:00Z", by: "chef")]
        }
        try add("settlement-before-all-metrics", prefix: 5, seq: 6, reason: "missing") {
            [try $0.crafted("settle", ["period": .string("2020-05")], at: "2020-06-02T09:00:00Z", by: "chef")]
        }
        try add("settlement-off-by-one-unit", prefix: 7, seq: 8, reason: "does not match the contract") { script in
            var body = try settleBody(script, "2020-05")
            guard case .array(var payouts)? = body["payouts"], case .object(var first) = payouts[0],
                  case .string(let amount)? = first["amount"] else { return [] }
            let minor = parseMinorUnits(amount, currency: Currency(code: "CNY", minorDigits: 2))! + 1
            first["amount"] = .string(formatMinorUnits(minor, currency: Currency(code: "CNY", minorDigits: 2)))
            payouts[0] = .object(first)
            body["payouts"] = .array(payouts)
            return [try script.crafted("settle", body, at: "2020-06-02T09:00:00Z", by: "chef")]
        }
        try add("second-settlement", prefix: 8, seq: 9, reason: "already settled") { script in
            var before = try lifecycleScript(upTo: 7)
            let body = try settleBody(before, "2020-05")
            before = script
            return [try before.crafted("settle", body, at: "2020-06-02T10:00:00Z", by: "farm")]
        }
        try add("retroactive-amendment", prefix: 8, seq: 9, reason: "never retroactive") {
            [try $0.crafted("propose", ["contract": .string(contractV2), "contract_hash": .string(Entry.contractHash(contractV2)),
                                        "effective": .string("2020-05"), "reason": .string("backdate"), "joiners": .array([])],
                            at: "2020-06-03T09:00:00Z", by: "yu")]
        }
        // The genesis contract with a trailing newline: another hash, the same tokens (SPEC §3.4).
        try add("propose-no-change", prefix: 8, seq: 9,
                reason: "no change: the proposed contract differs from version 1 only in whitespace, line breaks or comments") {
            [try $0.crafted("propose", ["contract": .string(contract + "\n"), "contract_hash": .string(Entry.contractHash(contract + "\n")),
                                        "effective": .string("2020-07"), "reason": .string("a trailing newline"), "joiners": .array([])],
                            at: "2020-06-03T09:00:00Z", by: "yu")]
        }
        try add("vote-by-non-member", prefix: 9, seq: 10, reason: "not the current key of any member") {
            [try $0.crafted("vote", ["proposal": .integer(9), "approve": .bool(true)], at: "2020-06-04T09:00:00Z", by: "mallory")]
        }
        try add("vote-twice", prefix: 10, seq: 11, reason: "already voted") {
            [try $0.crafted("vote", ["proposal": .integer(9), "approve": .bool(true)], at: "2020-06-05T09:00:00Z", by: "chef")]
        }
        try add("withdraw-by-non-proposer", prefix: 9, seq: 10, reason: "only the proposer") {
            [try $0.crafted("withdraw", ["proposal": .integer(9)], at: "2020-06-04T09:00:00Z", by: "chef")]
        }
        // Farm never votes, yet the 2020-07 settlement claims version 2 governs.
        let full = try lifecycleScript()
        let v2Body = try settleBody(try lifecycleScript(upTo: 16), "2020-07")
        var partial = try lifecycleScript(upTo: 10)
        try report(&partial, "2020-06", "revenue", "2000.00", by: "yu", at: "2020-07-01T09:00:00Z")
        try report(&partial, "2020-06", "cost", "1000.01", by: "yu", at: "2020-07-01T10:00:00Z")
        try partial.add { try EntryBuilder.settle(after: $0, period: Period("2020-06")!, time: stamp("2020-07-02T09:00:00Z"), key: key("farm")) }
        try report(&partial, "2020-07", "revenue", "3000.00", by: "yu", at: "2020-08-01T09:00:00Z")
        try report(&partial, "2020-07", "cost", "1200.00", by: "yu", at: "2020-08-01T10:00:00Z")
        cases.append(Tampered(name: "amendment-without-full-consent",
                              lines: partial.lines + [try partial.crafted("settle", v2Body, at: "2020-08-02T09:00:00Z", by: "yu")],
                              seq: Int64(partial.entries.count + 1), reason: "does not match the contract"))
        _ = full
        try add("settle-before-adjustment", prefix: 20, seq: 21, reason: "its adjustment must be appended before the next settlement") {
            [try $0.crafted("settle", ["period": .string("2020-08")], at: "2020-09-02T09:00:00Z", by: "yu")]
        }
        try add("adjustment-off-by-one-unit", prefix: 20, seq: 21, reason: "does not match the recomputation") { script in
            guard case .object(var body) = try script.state.computeAdjustment(for: 18).body,
                  case .array(var differences)? = body["differences"], case .object(var first) = differences[0] else { return [] }
            first["amount"] = .string("25.01")
            differences[0] = .object(first)
            body["differences"] = .array(differences)
            return [try script.crafted("adjust", body, at: "2020-08-04T11:00:00Z", by: "chef")]
        }
        try add("dispute-of-unsettled-period", prefix: 17, seq: 18, reason: "is not settled") {
            [try $0.crafted("dispute", ["period": .string("2020-08"), "corrections": .array([.object(["metric": .string("cost"), "value": .string("1.00")])]),
                                        "reason": .string("early")], at: "2020-08-03T09:00:00Z", by: "farm")]
        }
        return cases
    }
}
