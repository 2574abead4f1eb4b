/// An exact percentage: `numerator / denominator` percent, reduced, denominator > 0.
/// 12.5% is 25/2; one third of a percent is 1/3.
public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let numerator: Int64
    public let denominator: Int64

    /// Reduces the fraction; nil if the denominator is zero or the reduced parts overflow Int64.
    public init?(numerator: Int128, denominator: Int128) {
        guard denominator != 0 else { return nil }
        var n = numerator, d = denominator
        if d < 0 { n = -n; d = -d }
        let divisor = greatestCommonDivisor(n.magnitude, d.magnitude)
        if divisor > 1 {
            n /= Int128(divisor)
            d /= Int128(divisor)
        }
        guard let small = Int64(exactly: n), let smallDenominator = Int64(exactly: d) else { return nil }
        self.numerator = small
        self.denominator = smallDenominator
    }

    public init(whole: Int64) {
        numerator = whole
        denominator = 1
    }

    /// Hundredths of a percent if exact: 12.5% → 1250.
    public var basisPoints: Int64? {
        let scaled = Int128(numerator) * 100
        guard scaled % Int128(denominator) == 0 else { return nil }
        return Int64(exactly: scaled / Int128(denominator))
    }

    public static func < (lhs: Percent, rhs: Percent) -> Bool {
        Int128(lhs.numerator) * Int128(rhs.denominator) < Int128(rhs.numerator) * Int128(lhs.denominator)
    }

    /// Parses "12.5", "12.5%", "-3" or an exact fraction "100/3" (all meaning percent).
    public init?(parsing text: String) {
        var body = Substring(text)
        if body.hasSuffix("%") { body = body.dropLast() }
        if let slash = body.firstIndex(of: "/") {
            guard let n = Int64(body[..<slash]), let d = Int64(body[body.index(after: slash)...]), d > 0,
                  let value = Percent(numerator: Int128(n), denominator: Int128(d)),
                  value.numerator == n, value.denominator == d else { return nil }
            self = value
            return
        }
        guard let decimal = DecimalText(String(body)) else { return nil }
        var power: Int128 = 1
        for _ in 0..<decimal.scale { power *= 10 }
        let signed = Int128(decimal.mantissa) * (decimal.negative ? -1 : 1)
        guard let value = Percent(numerator: signed, denominator: power) else { return nil }
        self = value
    }

    /// Minimal exact decimal ("12.5", "-3", "0.01"), or "n/d" when no finite decimal exists.
    public var description: String {
        var d = denominator, twos = 0, fives = 0
        while d % 2 == 0 { d /= 2; twos += 1 }
        while d % 5 == 0 { d /= 5; fives += 1 }
        let scale = max(twos, fives)
        // 10^18 × |numerator| < 2^127, so the scaled value below cannot overflow.
        guard d == 1, scale <= 18 else { return "\(numerator)/\(denominator)" }
        var power: Int128 = 1
        for _ in 0..<scale { power *= 10 }
        let scaled = Int128(numerator) * power / Int128(denominator)
        let sign = scaled < 0 ? "-" : ""
        var digits = String(scaled.magnitude)
        if scale == 0 { return sign + digits }
        if digits.count <= scale {
            digits = String(repeating: "0", count: scale - digits.count + 1) + digits
        }
        let cut = digits.index(digits.endIndex, offsetBy: -scale)
        return sign + digits[..<cut] + "." + digits[cut...]
    }
}

func greatestCommonDivisor(_ a: UInt128, _ b: UInt128) -> UInt128 {
    var x = a, y = b
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
