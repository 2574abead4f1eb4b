/// The type of a reported metric.
public enum MetricType: String, Sendable, CaseIterable {
    case money, count, percent
}

/// A typed metric value. Money is in minor units of the contract currency.
public enum Value: Hashable, Sendable, Codable {
    case money(Int64)
    case count(Int64)
    case percent(Percent)

    public var type: MetricType {
        switch self {
        case .money: .money
        case .count: .count
        case .percent: .percent
        }
    }
}

extension MetricType {
    /// Parses a metric value: money "1234.56" (at most `minorDigits` decimals), count "42",
    /// percent "12.5" or "12.5%". Nil if the text is not a value of this type.
    public func parseValue(_ text: String, currency: Currency) -> Value? {
        switch self {
        case .money:
            return parseMinorUnits(text, currency: currency).map(Value.money)
        case .count:
            guard let decimal = DecimalText(text), decimal.scale == 0, let whole = decimal.scaled(to: 0) else { return nil }
            return .count(whole)
        case .percent:
            return Percent(parsing: text).map(Value.percent)
        }
    }
}

extension MetricType {
    /// Why `text` is not a value of this type, naming the limit it breaks (nil when it is one):
    /// "expected an amount with at most 2 decimals, like "1234.50", found '1.234'", or
    /// "'99999999999999999999' is outside the range of amounts, -92233720368547758.08 to 92233720368547758.07".
    public func valueProblem(_ text: String, currency: Currency) -> String? {
        guard parseValue(text, currency: currency) == nil else { return nil }
        let decimals = plainDecimalPlaces(text)
        switch self {
        case .money:
            if let decimals, decimals <= currency.minorDigits {
                return "'\(text)' is outside the range of amounts, \(formatMinorUnits(.min, currency: currency)) to \(formatMinorUnits(.max, currency: currency))"
            }
            return "expected an amount with at most \(currency.minorDigits) decimals, like \"1234.50\", found '\(text)'"
        case .count:
            if decimals == 0 { return "'\(text)' is outside the range of counts, \(Int64.min) to \(Int64.max)" }
            return "expected a whole number, like 42, found '\(text)'"
        case .percent:
            var body = Substring(text)
            if body.hasSuffix("%") { body = body.dropLast() }
            if plainDecimalPlaces(String(body)) != nil {
                return "'\(text)' has too many digits for a percentage (at most 18 decimals, and its digits read as one integer must fit 64 bits)"
            }
            return "expected a percentage, like \"12.5\", found '\(text)'"
        }
    }
}

/// The number of decimals of `text` when it is spelled `-`? digits (`.` digits)?, whatever its
/// size; nil when it is not spelled so.
private func plainDecimalPlaces(_ text: String) -> Int? {
    var bytes = Substring(text).utf8[...]
    if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 1, omittingEmptySubsequences: false)
    let isDigits = { (part: Substring.UTF8View.SubSequence) in
        !part.isEmpty && part.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
    guard parts.allSatisfy(isDigits), !parts.isEmpty else { return nil }
    return parts.count == 2 ? parts[1].count : 0
}

extension Value {
    /// The exact inverse of `parseValue`: money "1234.50", count "42", percent "12.5".
    public func canonicalText(currency: Currency) -> String {
        switch self {
        case .money(let minor): formatMinorUnits(minor, currency: currency)
        case .count(let count): String(count)
        case .percent(let percent): percent.description
        }
    }

    /// The zero of a type.
    static func zero(of type: MetricType) -> Value {
        switch type {
        case .money: .money(0)
        case .count: .count(0)
        case .percent: .percent(Percent(whole: 0))
        }
    }
}
