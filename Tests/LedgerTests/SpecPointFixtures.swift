import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
import LedgerCrypto

/// Tampered ledgers for points issue 12 asked SPEC.md Part 1 and 3 to decide (one per rejection).
extension FixtureFactory {
    static func tamperedSpecPointLedgers() throws -> [Tampered] {
        var cases: [Tampered] = []
        let settled = try lifecycleScript(upTo: 17)
        let correction: JSONValue = .array([.object(["metric": .string("cost"), "value": .string("900.00")])])
        cases.append(Tampered(name: "dispute-reason-too-long",
                              lines: settled.lines + [try settled.crafted("dispute", ["period": .string("2020-06"), "corrections": correction,
                                                                                       "reason": .string(String(repeating: "r", count: 1001))],
                                                                          at: "2020-08-03T09:00:00Z", by: "farm")],
                              seq: 18, reason: "a dispute needs a reason of 1 to 1000 bytes"))
        cases.append(Tampered(name: "unknown-field-in-correction",
                              lines: settled.lines + [try settled.crafted("dispute", ["period": .string("2020-06"),
                                                                                       "corrections": .array([.object(["metric": .string("cost"), "value": .string("900.00"),
                                                                                                                       "note": .string("x")])]),
                                                                                       "reason": .string("a duplicated feed invoice")],
                                                                          at: "2020-08-03T09:00:00Z", by: "farm")],
                              seq: 18, reason: "correction has an unknown field \"note\""))
        // A leap second: the line is otherwise canonical and correctly signed.
        let accepted = try lifecycleScript(upTo: 4)
        var leap = try EntryBuilder.report(after: accepted.state, period: Period("2020-05")!, metric: "revenue", value: "1000.00",
                                           time: stamp("2020-06-01T09:00:00Z"), key: key("yu"))
        leap.signatures = []
        let text = String(decoding: leap.unsignedBytes, as: UTF8.self).replacingOccurrences(of: "2020-06-01T09:00:00Z", with: "2020-06-30T23:59:60Z")
        let signature = try key("yu").signature(for: Entry.signDomain + Array(text.utf8))
        let line = text.dropLast(#","time":"2020-06-30T23:59:60Z","v":1}"#.count)
            + #","sigs":[{"alg":"ed25519","key":"\#(key("yu").publicKey.keyID)","sig":"\#(Hex.encode(signature))"}],"time":"2020-06-30T23:59:60Z","v":1}"#
        cases.append(Tampered(name: "leap-second", lines: accepted.lines + [Array(line.utf8)],
                              seq: 5, reason: "time \"2020-06-30T23:59:60Z\" is not RFC 3339 UTC"))
        return cases
    }
}
