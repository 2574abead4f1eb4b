import Foundation
import Testing
@testable import ContractLanguage

@Suite struct FixtureTests {
    static let contracts = fixtureNames(in: "contracts", ext: "emc")

    @Test func thereAreAtLeastFiveContracts() {
        #expect(Self.contracts.count >= 5)
        #expect(Self.contracts.contains("smart-cooking"))
    }

    @Test(arguments: contracts)
    func payoutsMatchExpected(name: String) throws {
        let contract = try mustCheck(try fixtureText("contracts/\(name).emc"))
        let periods = try parseMetricsFile(try fixtureText("metrics/\(name).json"), contract: contract)
        #expect(periods.count >= 12)
        let settlements = try simulate(contract: contract, periods: periods)
        let expectedData = try Data(contentsOf: fixturesRoot.appendingPathComponent("expected/\(name).json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
        let expectedPeriods = try #require(expected["periods"] as? [[String: Any]])
        #expect(expectedPeriods.count == settlements.count)
        for (settlement, expectedPeriod) in zip(settlements, expectedPeriods) {
            #expect(settlement.period.description == expectedPeriod["period"] as? String)
            let members = try #require(expectedPeriod["members"] as? [String: String])
            var actual: [String: String] = [:]
            for (member, minor) in settlement.totalsByMember(contract) {
                actual[member] = formatMinorUnits(minor, currency: contract.currency)
            }
            #expect(actual == members, "period \(settlement.period)")
        }
    }

    /// A settlement without tracing (as the settle kind computes it to check an entry) pays,
    /// decides and carries over exactly what the traced one does, and builds no trace.
    @Test(arguments: contracts)
    func untracedSettlementsEqualTracedOnes(name: String) throws {
        let contract = try mustCheck(try fixtureText("contracts/\(name).emc"))
        let periods = try parseMetricsFile(try fixtureText("metrics/\(name).json"), contract: contract)
        let traced = try simulate(contract: contract, periods: periods)
        let untraced = try simulate(contract: contract, periods: periods, tracing: false)
        #expect(traced.count == untraced.count)
        #expect(traced.contains { !$0.trace.rules.isEmpty })
        for (full, bare) in zip(traced, untraced) {
            #expect(bare.period == full.period)
            #expect(bare.payouts == full.payouts, "period \(full.period)")
            #expect(bare.goalOutcomes == full.goalOutcomes, "period \(full.period)")
            #expect(bare.nextState == full.nextState, "period \(full.period)")
            #expect(bare.trace.rules.isEmpty && bare.trace.goals.isEmpty && bare.trace.definitions.isEmpty)
        }
    }

    @Test(arguments: contracts)
    func formattedFixtureChecksAndIsStable(name: String) throws {
        let contract = try mustCheck(try fixtureText("contracts/\(name).emc"))
        let once = contract.formatted()
        let again = try mustCheck(once)
        #expect(again.formatted() == once)
        #expect(again.ruleNames == contract.ruleNames)
        #expect(again.members == contract.members)
    }
}

@Suite struct InvalidContractTests {
    static let names = fixtureNames(in: "invalid", ext: "emc")

    @Test func thereAreAtLeastTwentyFiveInvalidContracts() {
        #expect(Self.names.count >= 25)
    }

    @Test(arguments: names)
    func diagnosticsMatchExpected(name: String) throws {
        let source = try fixtureText("invalid/\(name).emc")
        let expected = try fixtureText("invalid/\(name).expected")
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let result = checkContract(source: source)
        #expect(result.contract == nil)
        let actual = result.diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(actual == expected)
    }
}
