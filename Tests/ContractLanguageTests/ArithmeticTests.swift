import TestSupport
import Testing
@testable import ContractLanguage

@Suite struct ArithmeticTests {
    let cny = Currency(code: "CNY", minorDigits: 2)

    @Test func formatsAndParsesMinorUnits() {
        #expect(formatMinorUnits(-1205, currency: cny) == "-12.05")
        #expect(formatMinorUnits(5, currency: cny) == "0.05")
        #expect(formatMinorUnits(Int64.min, currency: cny) == "-92233720368547758.08")
        #expect(formatMinorUnits(7, currency: Currency(code: "JPY", minorDigits: 0)) == "7")
        #expect(parseMinorUnits("12.5", currency: cny) == 1250)
        #expect(parseMinorUnits("-0.01", currency: cny) == -1)
        #expect(parseMinorUnits("1.001", currency: cny) == nil)
        #expect(parseMinorUnits("1.", currency: cny) == nil)
        #expect(parseMinorUnits(".5", currency: cny) == nil)
        #expect(parseMinorUnits("+1", currency: cny) == nil)
        #expect(parseMinorUnits("99999999999999999999", currency: cny) == nil)
    }

    /// Law: formatting then parsing gives the amount back, for every scale 0–4 and amounts across
    /// the range (0, ±1, powers of ten around the scale, random, the Int64 extremes the parser takes).
    @Test func formattedAmountsParseBack() {
        var generator = SeededGenerator(seed: 0xa40)
        for scale in 0...4 {
            let currency = Currency(code: "XTS", minorDigits: scale)
            var amounts: [Int64] = [0, 1, -1, 9, 10, 99, 100, 101, 1_000, 12_345, Int64.max, Int64.min + 1]
            amounts += (0..<200).map { _ in Int64(bitPattern: generator.next()) >> Int64(generator.next() % 60) }
            for amount in amounts {
                let text = formatMinorUnits(amount, currency: currency)
                #expect(parseMinorUnits(text, currency: currency) == amount, "\(amount) at scale \(scale) → \(text)")
                #expect(text.contains(".") == (scale > 0))
            }
        }
    }

    @Test func metricValuesRoundTrip() {
        #expect(MetricType.money.parseValue("1234.5", currency: cny) == .money(123450))
        #expect(Value.money(123450).canonicalText(currency: cny) == "1234.50")
        #expect(MetricType.count.parseValue("42", currency: cny) == .count(42))
        #expect(MetricType.count.parseValue("4.2", currency: cny) == nil)
        let percent = MetricType.percent.parseValue("12.5%", currency: cny)
        #expect(percent?.canonicalText(currency: cny) == "12.5")
        let third = Value.percent(Percent(numerator: 100, denominator: 3)!)
        #expect(MetricType.percent.parseValue(third.canonicalText(currency: cny), currency: cny) == third)
        // A denominator of 2^62 has no short decimal: the exact fraction is used instead of overflowing.
        let tiny = Value.percent(Percent(numerator: 3, denominator: Int128(1) << 62)!)
        #expect(tiny.canonicalText(currency: cny) == "3/4611686018427387904")
        #expect(MetricType.percent.parseValue(tiny.canonicalText(currency: cny), currency: cny) == tiny)
    }

    @Test func roundsHalfAwayFromZero() {
        #expect(roundedQuotient(5, 2) == 3)
        #expect(roundedQuotient(-5, 2) == -3)
        #expect(roundedQuotient(7, 3) == 2)
        #expect(roundedQuotient(-7, 3) == -2)
        #expect(roundedQuotient(Int128(Int64.max) * 4, 2) == nil)
    }

    @Test func periodsParseAndStep() {
        #expect(Period("2020-12")?.next.description == "2021-01")
        #expect(Period("2021-01")?.previous.description == "2020-12")
        #expect(Period("2020-13") == nil)
        #expect(Period("0999-01") == nil)
        #expect(Period("2020-1") == nil)
        #expect(Period("2020-02")! < Period("2020-10")!)
    }

    @Test func splitsExampleByLargestRemainder() {
        // 100 minor units over 1:1:1 → 34, 33, 33 (the tie goes to the first member).
        #expect(largestRemainderSplit(amountMinor: 100, weights: [1, 1, 1]).map(\.amountMinor) == [34, 33, 33])
        #expect(largestRemainderSplit(amountMinor: 0, weights: [3, 7]).map(\.amountMinor) == [0, 0])
    }

    @Test func splitPropertiesHoldForRandomInputs() {
        var generator = SeededGenerator(seed: 0x5EED_0004)
        for _ in 0..<2_000 {
            let count = Int.random(in: 1...12, using: &generator)
            let weights = (0..<count).map { _ in Int64.random(in: 1...10_000, using: &generator) }
            let amount = Bool.random(using: &generator)
                ? Int64.random(in: 0...1_000, using: &generator)
                : Int64.random(in: 0...(Int64.max / 2), using: &generator)
            let parts = largestRemainderSplit(amountMinor: amount, weights: weights)
            let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
            #expect(parts.reduce(Int128(0)) { $0 + Int128($1.amountMinor) } == Int128(amount))
            for part in parts {
                // |part × total − amount × weight| < total: the part is within one unit of its quota.
                let difference = Int128(part.amountMinor) * total - Int128(amount) * Int128(part.weight)
                #expect(difference.magnitude < total.magnitude)
            }
        }
    }

    /// The split is the textbook largest-remainder method, ties to the lower index: checked against a
    /// direct implementation of it (sort every index by remainder), with many ties (small weights).
    @Test func splitMatchesTheTextbookMethod() {
        func textbook(_ amount: Int64, _ weights: [Int64]) -> [Int64] {
            let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
            let quotas = weights.map { Int128(amount) * Int128($0) }
            var parts = quotas.map { Int64($0 / total) }
            let order = weights.indices.sorted { a, b in
                quotas[a] % total != quotas[b] % total ? quotas[a] % total > quotas[b] % total : a < b
            }
            for index in order.prefix(Int(amount - parts.reduce(0, +))) { parts[index] += 1 }
            return parts
        }
        var generator = SeededGenerator(seed: 0x5EED_0005)
        for round in 0..<3_000 {
            let count = Int.random(in: 1...(round % 3 == 0 ? 100 : 12), using: &generator)
            let weights = (0..<count).map { _ in Int64.random(in: 1...(round % 2 == 0 ? 3 : 10_000), using: &generator) }
            let amount = round % 5 == 0 ? Int64.random(in: 0...(Int64.max / 2), using: &generator)
                                        : Int64.random(in: 0...10_000, using: &generator)
            #expect(largestRemainderSplit(amountMinor: amount, weights: weights).map(\.amountMinor) == textbook(amount, weights),
                    "amount \(amount), weights \(weights)")
        }
    }

    /// Quickselect gives the value a full sort gives, for every k, with and without ties.
    @Test func kthLargestIsTheSortedValue() {
        var generator = SeededGenerator(seed: 0x5EED_0006)
        for round in 0..<500 {
            let count = Int.random(in: 1...(round % 2 == 0 ? 8 : 200), using: &generator)
            let values = (0..<count).map { _ in Int64.random(in: 0...(round % 3 == 0 ? 2 : 1_000_000), using: &generator) }
            let sorted = values.sorted(by: >)
            for k in 1...count {
                #expect(kthLargest(values, k) == sorted[k - 1], "k \(k) of \(values)")
            }
        }
    }
}
