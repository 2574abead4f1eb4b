import Testing
@testable import ContractLanguage

let miniContract = """
    contract "Mini"
    currency CNY 2
    settlement monthly
    member lead "Lead" micro-enterprise
    member chef "Chef" external-partner rating 5
    member hub "Hub" platform
    share lead 50%
    share chef 50%
    metric revenue money reported by lead
    metric cost money reported by lead, chef
    metric units count reported by lead
    define profit = revenue - cost
    define per_unit = revenue / units
    goal hundred
      target total(units) >= 100
      deadline 2020-03
      if missed
        rating chef -2
        forfeit bonus
    rule platform_cut every period
      when revenue > 0
      then
        fee 2% of revenue to hub
    rule share_profit every period
      when profit > 0 or not units < 10
      then
        split 10% of profit by shares
    rule bonus once
      when units >= 5
      then
        pay chef 100
    rule unit_price every period
      when per_unit > 1000
      then
        pay lead 1
    """

@Suite struct LanguageTests {
    func metrics(_ revenue: String, _ cost: String, _ units: Int64) -> [String: Value] {
        ["revenue": .money(parseMinorUnits(revenue, currency: Currency(code: "CNY", minorDigits: 2))!),
         "cost": .money(parseMinorUnits(cost, currency: Currency(code: "CNY", minorDigits: 2))!),
         "units": .count(units)]
    }

    /// The lexer's keyword table: every keyword's spelling, and nothing else, byte for byte
    /// (a keyword is lowercase ASCII; `CONTRACT`, a prefix, an extension or a look-alike is a name).
    @Test func keywordsAreFoundExactly() {
        for keyword in Keyword.allCases {
            #expect(Keyword.named(keyword.rawValue) == keyword)
            #expect(Keyword.named(keyword.rawValue.uppercased()) == nil)
            // Near misses are keywords exactly when they spell one ("shares" less its "s" is "share").
            for near in [String(keyword.rawValue.dropLast()), String(keyword.rawValue.dropFirst()), keyword.rawValue + "s", "_" + keyword.rawValue] {
                #expect(Keyword.named(near) == Keyword(rawValue: near), "\(near)")
            }
        }
        for word in ["", "m001", "revenue", "sharе", "contract_", "\u{212A}"] { #expect(Keyword.named(word) == nil, "\(word)") }
    }

    @Test func publicContractAPI() throws {
        let contract = try mustCheck(miniContract)
        #expect(contract.name == "Mini")
        #expect(contract.currency == Currency(code: "CNY", minorDigits: 2))
        #expect(contract.members.map(\.name) == ["lead", "chef", "hub"])
        #expect(contract.members[0].initialRating == 3)
        #expect(contract.members[1].initialRating == 5)
        #expect(contract.shareBasisPoints(of: "lead") == 5000)
        #expect(contract.shareBasisPoints(of: "hub") == 0)
        #expect(contract.shareBasisPoints(of: "nobody") == nil)
        #expect(contract.ruleNames == ["platform_cut", "share_profit", "bonus", "unit_price"])
        #expect(contract.goalNames == ["hundred"])
        #expect(contract.metricsRequired(for: Period("2020-01")!) == ["revenue", "cost", "units"])
        #expect(contract.metrics[1].reporters == ["lead", "chef"])
    }

    @Test func onceRulesFireOnceAndMissedGoalsForfeit() throws {
        let contract = try mustCheck(miniContract)
        let settlements = try simulate(contract: contract, periods: [
            (Period("2020-01")!, metrics("1000.00", "400.00", 2)),
            (Period("2020-02")!, metrics("1000.00", "400.00", 6)),
            (Period("2020-03")!, metrics("1000.00", "400.00", 6)),
        ])
        #expect(settlements[0].payouts.filter { $0.rule == "bonus" }.isEmpty)
        #expect(settlements[1].payouts.filter { $0.rule == "bonus" } == [Payout(member: "chef", amountMinor: 10000, rule: "bonus")])
        #expect(settlements[2].payouts.filter { $0.rule == "bonus" }.isEmpty)
        let outcome = try #require(settlements[2].goalOutcomes.first)
        #expect(outcome == GoalOutcome(goal: "hundred", met: false, ratingChanges: [RatingChange(member: "chef", delta: -2)], forfeitedRules: ["bonus"]))
        #expect(settlements[2].nextState.rating(of: contract.members[1]) == 3)
        #expect(settlements[2].trace.rules[2].status == .forfeited)
    }

    @Test func missingMetricRefusesSettlementNamingReporters() throws {
        let contract = try mustCheck(miniContract)
        var values = metrics("1.00", "1.00", 1)
        values["cost"] = nil
        #expect(throws: EvaluationError.self) {
            try settle(contract: contract, period: Period("2020-01")!, metrics: values, state: ContractRunState())
        }
        do {
            _ = try settle(contract: contract, period: Period("2020-01")!, metrics: values, state: ContractRunState())
        } catch {
            #expect(error.code == .missingMetric)
            #expect(error.message.contains("'cost' (reported by lead, chef)"))
        }
    }

    @Test func divisionByZeroAtRunTimeRefusesSettlement() throws {
        let contract = try mustCheck(miniContract)
        do {
            _ = try settle(contract: contract, period: Period("2020-01")!, metrics: metrics("1.00", "1.00", 0), state: ContractRunState())
            Issue.record("expected a division-by-zero error")
        } catch {
            #expect(error.code == .divisionByZero)
            #expect(error.message.contains("per_unit"))
        }
    }

    @Test func overflowIsAnErrorNotAWrap() throws {
        let contract = try mustCheck(miniContract)
        do {
            _ = try settle(contract: contract, period: Period("2020-01")!,
                           metrics: ["revenue": .money(Int64.max), "cost": .money(-10), "units": .count(1)], state: ContractRunState())
            Issue.record("expected an overflow error")
        } catch {
            #expect(error.code == .overflow)
        }
    }

    @Test func periodsMustFollowEachOther() throws {
        let contract = try mustCheck(miniContract)
        let first = try settle(contract: contract, period: Period("2020-01")!, metrics: metrics("1.00", "1.00", 1), state: ContractRunState())
        #expect(throws: EvaluationError.self) {
            try settle(contract: contract, period: Period("2020-03")!, metrics: metrics("1.00", "1.00", 1), state: first.nextState)
        }
    }

    @Test func traceShowsSubConditionsAndShortCircuit() throws {
        let contract = try mustCheck(miniContract)
        let settlement = try settle(contract: contract, period: Period("2020-01")!, metrics: metrics("1000.00", "400.00", 2), state: ContractRunState())
        let rule = settlement.trace.rules[1]
        #expect(rule.fired)
        #expect(rule.conditions.contains { $0.text == "profit > 0" && $0.value == true })
        #expect(rule.conditions.contains { $0.text == "units < 10" && $0.value == nil })
        let split = try #require(rule.actions.first)
        #expect(split.amountMinor == 6000)
        #expect(split.shares.map(\.amountMinor) == [3000, 3000])
        let text = settlement.trace.renderedText(currency: contract.currency)
        #expect(text.contains("rule share_profit (every period): fired"))
    }

    @Test func runStateSurvivesAnAmendment() throws {
        let contract = try mustCheck(miniContract)
        let first = try settle(contract: contract, period: Period("2020-01")!, metrics: metrics("1000.00", "400.00", 6), state: ContractRunState())
        let amended = try mustCheck(miniContract.replacingOccurrences(of: "rule unit_price", with: "rule renamed_rule"))
        let second = try settle(contract: amended, period: Period("2020-02")!, metrics: metrics("1000.00", "400.00", 6), state: first.nextState)
        #expect(second.payouts.filter { $0.rule == "bonus" }.isEmpty)
    }

    @Test func metricsFileErrorsNamePosition() throws {
        let contract = try mustCheck(miniContract)
        let good = #"{"2020-01": {"revenue": "1.00", "cost": "0.50", "units": 3}}"#
        #expect(try parseMetricsFile(good, contract: contract).count == 1)
        let cases: [(String, Int, Int, String)] = [
            (#"{"2020-01": {"revenu": "1.00"}}"#, 1, 14, "unknown metric 'revenu' in period 2020-01; did you mean 'revenue'?"),
            ("{\"2020-01\": {\n \"units\": \"1.5\"}}", 2, 11, "metric 'units' in period 2020-01 is count: expected a whole number, like 42, found '1.5'"),
            (#"{"2020-02": {}, "2020-01": {}}"#, 1, 17, "period 2020-01 must come after 2020-02 (periods in increasing order, no duplicates)"),
            (#"{"2020-13": {}}"#, 1, 2, "\"2020-13\" is not a period like \"2020-09\""),
        ]
        for (text, line, column, message) in cases {
            do {
                _ = try parseMetricsFile(text, contract: contract)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error == MetricsFileError(line: line, column: column, message: message))
            }
        }
    }

    @Test func diagnosticRendersSourceLineAndCaret() {
        let source = "contract \"x\"\nshare chef 30%\n"
        let diagnostic = Diagnostic(line: 2, column: 7, message: "share holder 'chef' is not a member")
        #expect(diagnostic.rendered(fileName: "a.emc", source: source) ==
                "a.emc:2:7: error: share holder 'chef' is not a member\nshare chef 30%\n      ^")
    }
}
