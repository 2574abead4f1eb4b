/// An exact percentage: `numerator / denominator` percent, reduced, denominator > 0.
/// 12.5% is 25/2; one third of a percent is 1/3.
public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let numerator: Int64
    public let denominator: Int64

    private enum CodingKeys: String, CodingKey { case numerator, denominator }

    /// Decodes only a reduced fraction with a positive denominator: a stored value is read as if a
    /// stranger wrote it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let numerator = try container.decode(Int64.self, forKey: .numerator)
        let denominator = try container.decode(Int64.self, forKey: .denominator)
        guard denominator > 0, greatestCommonDivisor(numerator.magnitude.wide, denominator.magnitude.wide) == 1 else {
            throw DecodingError.dataCorruptedError(forKey: .denominator, in: container, debugDescription: "not a reduced fraction")
        }
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Reduces the fraction; nil if the denominator is zero or the reduced parts overflow Int64.
    public init?(numerator: Int128, denominator: Int128) {
        guard denominator != 0 else { return nil }
        // The usual sizes reduce in 64 bits (no 128-bit division): the same fraction.
        if let n64 = Int64(exactly: numerator), let d64 = Int64(exactly: denominator), n64 != .min, d64 != .min {
            let sign: Int64 = d64 < 0 ? -1 : 1
            let divisor = Int64(greatestCommonDivisor(n64.magnitude, d64.magnitude))  // ≥ 1: d64 ≠ 0
            self.numerator = sign * (n64 / divisor)
            self.denominator = sign * (d64 / divisor)
            return
        }
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

    /// `a of b` = a·b/100 percent, exact: common factors are cancelled before multiplying, so the
    /// result is nil only when the reduced numerator or denominator does not fit 64 bits (SPEC 2.6).
    static func of(_ a: Percent, _ b: Percent) -> Percent? {
        if a.numerator == 0 || b.numerator == 0 { return Percent(whole: 0) }
        // Both operands are reduced, so after cross-cancelling, numerator and denominator are coprime.
        let g1 = Int128(greatestCommonDivisor(a.numerator.magnitude.wide, b.denominator.magnitude.wide))
        let g2 = Int128(greatestCommonDivisor(b.numerator.magnitude.wide, a.denominator.magnitude.wide))
        var numerator = (Int128(a.numerator) / g1) * (Int128(b.numerator) / g2)  // |.| < 2^126
        let denominator = (Int128(a.denominator) / g2) * (Int128(b.denominator) / g1)  // < 2^126
        let g3 = Int128(greatestCommonDivisor(numerator.magnitude, 100))
        numerator /= g3
        let (scaled, overflow) = denominator.multipliedReportingOverflow(by: 100 / g3)
        guard !overflow, let small = Int64(exactly: numerator), let smallDenominator = Int64(exactly: scaled) else { return nil }
        return Percent(reduced: small, smallDenominator)
    }

    private init(reduced numerator: Int64, _ denominator: Int64) {
        self.numerator = numerator
        self.denominator = denominator
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

    /// Parses a decimal "12.5", "-3", "007" or a fraction "100/3", "4/2", each with an optional
    /// "%" (all meaning percent). A fraction is reduced; its parts are whole numbers that fit 64 bits,
    /// the denominator is positive (SPEC 2.12).
    public init?(parsing text: String) {
        var body = Substring(text)
        if body.hasSuffix("%") { body = body.dropLast() }
        if let slash = body.firstIndex(of: "/") {
            guard let n = DecimalText(String(body[..<slash])), n.scale == 0,
                  let d = DecimalText(String(body[body.index(after: slash)...])), d.scale == 0, !d.negative, d.magnitude > 0,
                  let value = Percent(numerator: Int128(n.mantissa), denominator: Int128(d.mantissa)) else { return nil }
            self = value
            return
        }
        guard let decimal = DecimalText(String(body)) else { return nil }
        var power: Int128 = 1
        for _ in 0..<decimal.scale { power *= 10 }
        guard let value = Percent(numerator: Int128(decimal.mantissa), denominator: power) else { return nil }
        self = value
    }

    /// The canonical text (SPEC 2.12): the shortest exact decimal ("12.5", "-3", "0.01") when it
    /// has at most 18 decimals and its digits read as one integer fit a signed 64-bit integer;
    /// otherwise the reduced fraction "n/d" ("100/3"). No "%" sign. `Percent(parsing:)` reads it back.
    public var description: String {
        var d = denominator, twos = 0, fives = 0
        while d % 2 == 0 { d /= 2; twos += 1 }
        while d % 5 == 0 { d /= 5; fives += 1 }
        let scale = max(twos, fives)
        // 10^18 × |numerator| < 2^127, so the scaled value below cannot overflow.
        let fraction = "\(numerator)/\(denominator)"
        guard d == 1, scale <= 18 else { return fraction }
        var power: Int128 = 1
        for _ in 0..<scale { power *= 10 }
        let scaled = Int128(numerator) * power / Int128(denominator)
        guard Int64(exactly: scaled) != nil else { return fraction }
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

extension UInt64 {
    var wide: UInt128 { UInt128(self) }
}

func greatestCommonDivisor(_ a: UInt128, _ b: UInt128) -> UInt128 {
    if let a = UInt64(exactly: a), let b = UInt64(exactly: b) { return UInt128(greatestCommonDivisor(a, b)) }
    var x = a, y = b
    while y != 0 { (x, y) = (y, x % y) }
    return x
}

func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var x = a, y = b
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
