import Foundation
import Testing
@testable import ContractLanguage

/// The settlement conformance vectors of `Fixtures/language/`: every `NAME.metrics.json` found there
/// is a vector (SPEC Part 2). `NAME.emc` is the contract; `NAME.amendments.json`, if present, maps
/// a period to the contract file governing it from then on. `NAME.expected.json` holds, per period,
/// the payouts in order (`[member, rule, amount]`) and the goals decided, optionally the error that
/// refuses the next period (`{"period", "code"}`) and the ratings after the last period.
@Suite struct LanguageVectorTests {
    static let names = fixtureNames(in: "language", ext: "metrics.json")

    @Test func thereAreVectors() {
        #expect(Self.names.count >= 9)
    }

    @Test(arguments: names)
    func vectorSettlesAsExpected(name: String) throws {
        var contract = try mustCheck(try fixtureText("language/\(name).emc"))
        var amendments: [String: String] = [:]
        if FileManager.default.fileExists(atPath: fixturesRoot.appendingPathComponent("language/\(name).amendments.json").path) {
            amendments = try #require(try JSONSerialization.jsonObject(with: Data(try fixtureText("language/\(name).amendments.json").utf8)) as? [String: String])
        }
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(try fixtureText("language/\(name).expected.json").utf8)) as? [String: Any])
        let expectedPeriods = try #require(expected["periods"] as? [[String: Any]])
        let metricsText = try fixtureText("language/\(name).metrics.json")
        var state = ContractRunState()
        let byPeriod = try #require(try JSONSerialization.jsonObject(with: Data(metricsText.utf8)) as? [String: Any])
        for (offset, key) in byPeriod.keys.sorted().enumerated() {
            if let file = amendments[key] { contract = try mustCheck(try fixtureText("language/\(file)")) }
            // Each period's values are read with the contract version governing it.
            let one = String(decoding: try JSONSerialization.data(withJSONObject: [key: byPeriod[key]!], options: .withoutEscapingSlashes), as: UTF8.self)
            let (period, values) = try #require(try parseMetricsFile(one, contract: contract).first)
            if offset == expectedPeriods.count {
                let error = try #require(expected["error"] as? [String: String], "\(name): no expectation for \(key)")
                #expect(error["period"] == key)
                do {
                    _ = try settle(contract: contract, period: period, metrics: values, state: state)
                    Issue.record("\(name) \(key): expected the error \(error["code"] ?? "")")
                } catch {
                    #expect(error.code.rawValue == (expected["error"] as? [String: String])?["code"], "\(name) \(key): \(error)")
                }
                return
            }
            let settlement = try settle(contract: contract, period: period, metrics: values, state: state)
            let want = expectedPeriods[offset]
            #expect(want["period"] as? String == key)
            let payouts = settlement.payouts.map { [$0.member, $0.rule, formatMinorUnits($0.amountMinor, currency: contract.currency)] }
            #expect(payouts == (want["payouts"] as? [[String]] ?? []), "\(name) \(key)")
            if let goals = want["goals"] as? [[String: Any]] {
                #expect(settlement.goalOutcomes.count == goals.count)
                for (outcome, goal) in zip(settlement.goalOutcomes, goals) {
                    #expect(outcome.goal == goal["goal"] as? String && outcome.met == goal["met"] as? Bool)
                    let ratings = (goal["ratings"] as? [[Any]] ?? []).map { "\($0[0]) \($0[1])" }
                    #expect(outcome.ratingChanges.map { "\($0.member) \($0.delta)" } == ratings, "\(name) \(key)")
                    #expect(outcome.forfeitedRules == goal["forfeits"] as? [String] ?? [])
                }
            }
            state = settlement.nextState
        }
        #expect(expected["error"] == nil, "\(name): the error period is missing from the metrics")
        if let ratings = expected["ratings"] as? [String: Int] {
            for member in contract.members where ratings[member.name] != nil {
                #expect(state.rating(of: member) == ratings[member.name], "\(name): rating of \(member.name)")
            }
        }
    }
}
