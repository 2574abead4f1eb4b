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
