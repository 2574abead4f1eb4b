import Foundation
import Testing
@testable import ContractLanguage

/// Regression tests for the Part 2 decisions of issue 12 that are not settlement vectors.
@Suite struct DecisionTests {
    let cny = Currency(code: "CNY", minorDigits: 2)

    @Test func metricsFileSpellingsAreReadExactly() {
        #expect(MetricType.percent.parseValue("4/2", currency: cny) == .percent(Percent(whole: 2)))
        #expect(MetricType.percent.parseValue("100/3%", currency: cny) == .percent(Percent(numerator: 100, denominator: 3)!))
        #expect(MetricType.percent.parseValue("-6/4", currency: cny) == .percent(Percent(numerator: -3, denominator: 2)!))
        #expect(MetricType.count.parseValue("007", currency: cny) == .count(7))
        #expect(MetricType.money.parseValue("007.10", currency: cny) == .money(710))
        for bad in ["+5/3", "5/+3", "5/-3", "5/0", "5/3.0", "1e3", " 5", "5/", "/3", "12.5%%"] {
            #expect(MetricType.percent.parseValue(bad, currency: cny) == nil, "\(bad)")
        }
        #expect(MetricType.count.parseValue("+7", currency: cny) == nil)
        #expect(MetricType.count.parseValue("-9223372036854775808", currency: cny) == .count(.min))
        #expect(MetricType.count.parseValue("9223372036854775808", currency: cny) == nil)
    }

    @Test func canonicalPercentText() {
        #expect(Percent(numerator: 100, denominator: 3)!.description == "100/3")
        #expect(Percent(numerator: 5, denominator: 2)!.description == "2.5")
        #expect(Percent(numerator: 1, denominator: 100)!.description == "0.01")
        #expect(Percent(whole: .min).description == "-9223372036854775808")
        // 18 decimals but digits that do not fit 64 bits: the fraction, which reads back.
        let wide = Percent(numerator: Int128(Int64.max), denominator: 1 << 18)!
        #expect(wide.description == "9223372036854775807/262144")
        for value in [wide, Percent(whole: .min), Percent(numerator: -1, denominator: 7)!, Percent(numerator: 3, denominator: 1 << 62)!] {
            #expect(Percent(parsing: value.description) == value)
        }
        #expect(Value.count(-7).canonicalText(currency: cny) == "-7")
    }

    @Test func percentOfPercentIsExact() throws {
        let a = try #require(Percent(parsing: "4052555153018976267/4611686018427387904"))
        let b = try #require(Percent(parsing: "4611686018427387904/4052555153018976267"))
        #expect(Percent.of(a, b) == Percent(numerator: 1, denominator: 100))
        #expect(Percent.of(Percent(whole: 0), b) == Percent(whole: 0))
        #expect(Percent.of(Percent(whole: .max), Percent(whole: .max)) == nil)
        #expect(Percent.of(Percent(whole: 200), Percent(whole: 50)) == Percent(whole: 100))
    }

    @Test func decodedRunStateIsReadAsIfAStrangerWroteIt() throws {
        let decoder = JSONDecoder()
        #expect(throws: DecodingError.self) { try decoder.decode(Period.self, from: Data(#"{"monthIndex": 9223372036854775807}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Percent.self, from: Data(#"{"numerator": 1, "denominator": 0}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Percent.self, from: Data(#"{"numerator": 4, "denominator": 2}"#.utf8)) }
        let state = try decoder.decode(ContractRunState.self, from: Data(#"""
            {"previousValues": {}, "totals": {}, "firedOnce": ["a", "a"], "forfeited": [], "decidedGoals": {},
             "goalMetCounts": {"g": 9223372036854775807}, "ratingChanges": {"a": 9223372036854775807}}
            """#.utf8))
        let contract = try mustCheck("""
            contract "x"
            currency CNY 2
            settlement monthly
            member a "A" micro-enterprise
            metric units count reported by a
            goal g
              target units > 0
              deadline 2020-01
            """)
        #expect(state.rating(of: contract.members[0]) == 5)
        do {
            _ = try settle(contract: contract, period: Period("2020-01")!, metrics: ["units": .count(1)], state: state)
            Issue.record("expected an overflow of the met count")
        } catch {
            #expect(error.code == .overflow)
        }
    }

    @Test func errorsComeInSpecOrder() throws {
        let contract = try mustCheck(miniContract)
        func code(_ metrics: [String: Value]) -> EvaluationError.Code? {
            do { _ = try settle(contract: contract, period: Period("2020-01")!, metrics: metrics, state: ContractRunState()); return nil }
            catch { return error.code }
        }
        // An undeclared metric (in byte order: "apples" < "revenue") before a wrong type and a missing one.
        #expect(code(["apples": .count(1), "revenue": .count(1)]) == .unknownMetric)
        #expect(code(["revenue": .count(1), "zebra": .count(1)]) == .wrongMetricType)
        #expect(code(["revenue": .money(1)]) == .missingMetric)
    }

    @Test func metricNamesAreMatchedByTheirBytes() throws {
        // U+212A KELVIN SIGN is canonically equivalent to K, so Swift's == holds between the
        // two names; the contract declares only the bytes "Kwh", and those are all it accepts.
        let contract = try mustCheck("""
            contract "x"
            currency CNY 2
            settlement monthly
            member a "A" micro-enterprise
            metric Kwh count reported by a
            """)
        #expect("\u{212A}wh" == "Kwh")
        do {
            _ = try settle(contract: contract, period: Period("2020-01")!, metrics: ["\u{212A}wh": .count(1)], state: ContractRunState())
            Issue.record("expected an unknown metric")
        } catch {
            #expect(error.code == .unknownMetric)
        }
        let settled = try settle(contract: contract, period: Period("2020-01")!, metrics: ["Kwh": .count(1)], state: ContractRunState())
        #expect(settled.payouts.isEmpty)
        // A metrics file (SPEC 2.12) likewise: the sign's own bytes are an unknown metric.
        do {
            _ = try parseMetricsFile("{\"2020-01\": {\"\u{212A}wh\": 1}}", contract: contract)
            Issue.record("expected an unknown metric in the metrics file")
        } catch {
            #expect("\(error)".contains("unknown metric"))
        }
        #expect(try parseMetricsFile("{\"2020-01\": {\"Kwh\": 1}}", contract: contract).first?.1 == ["Kwh": .count(1)])
    }

    @Test func simulateTotalsAreChecked() throws {
        let contract = try mustCheck("""
            contract "x"
            currency CNY 2
            settlement monthly
            member a "A" micro-enterprise
            metric amount money reported by a
            rule pay_all every period
              then
                pay a amount
            """)
        let big = Value.money(Int64.max / 2 + 1)
        do {
            _ = try simulate(contract: contract, periods: [(Period("2020-01")!, ["amount": big]), (Period("2020-02")!, ["amount": big])])
            Issue.record("expected an overflow of the simulated totals")
        } catch {
            #expect(error.code == .overflow)
            #expect(error.period == Period("2020-02")!)
        }
    }

    @Test func literalTypingIsSymmetric() {
        func diagnostics(_ condition: String) -> [String] {
            checkContract(source: """
                contract "x"
                currency CNY 2
                settlement monthly
                member a "A" micro-enterprise
                metric units count reported by a
                rule r every period
                  when \(condition)
                  then
                    pay a 1
                """).diagnostics.map(\.message)
        }
        #expect(diagnostics("1.5 > 1000") == [])
        #expect(diagnostics("1000 > 1.5") == [])
        #expect(diagnostics("units * 2 > 10 and 10 < units * 2") == [])
        #expect(diagnostics("units > 1.5") == ["a count must be a whole number, found 1.5"])
        #expect(diagnostics("1.5 < units") == ["a count must be a whole number, found 1.5"])
        #expect(diagnostics("1") == ["expected a condition, found the number 1"])
        #expect(diagnostics("5 of units > 0") == ["a percentage needs a '%' sign, like 5%"])
    }
}
