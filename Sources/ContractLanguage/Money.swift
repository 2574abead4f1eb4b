/// A currency: an ISO-style code and the number of decimal digits of its minor unit (CNY 2 = fen).
public struct Currency: Hashable, Sendable {
    public let code: String
    public let minorDigits: Int

    /// `minorDigits` must be in `0...Limits.maxMinorDigits`; the checker guarantees it for contracts.
    public init(code: String, minorDigits: Int) {
        precondition((0...Limits.maxMinorDigits).contains(minorDigits), "minor digits out of range")
        self.code = code
        self.minorDigits = minorDigits
    }
}

/// Formats minor units as a decimal with exactly `currency.minorDigits` decimals: -1205 → "-12.05".
public func formatMinorUnits(_ minor: Int64, currency: Currency) -> String {
    var out: [UInt8] = []
    appendMinorUnits(minor, currency: currency, into: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends `formatMinorUnits(minor, currency:)` as UTF-8: an optional '-', at least one whole digit,
/// and exactly `minorDigits` decimals after a '.' (none when the currency has no minor unit).
public func appendMinorUnits(_ minor: Int64, currency: Currency, into out: inout [UInt8]) {
    if minor < 0 { out.append(UInt8(ascii: "-")) }
    var magnitude = minor.magnitude
    let scale = currency.minorDigits
    // Digits from the least significant, padded to at least scale + 1 digits (20 digits hold any
    // Int64; the scale is at most Limits.maxMinorDigits, so 24 slots always suffice).
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(24, scale + 2)) { digits in
        var count = 0
        repeat {
            digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            count += 1
            magnitude /= 10
        } while magnitude > 0 || count <= scale
        for position in stride(from: count - 1, through: 0, by: -1) {
            out.append(digits[position])
            if position == scale && scale > 0 { out.append(UInt8(ascii: ".")) }
        }
    }
}

/// Parses "-12.05" (at most `minorDigits` decimals, no exponent, no spaces) into minor units.
public func parseMinorUnits(_ text: String, currency: Currency) -> Int64? {
    guard let decimal = DecimalText(text), decimal.scale <= currency.minorDigits else { return nil }
    return decimal.scaled(to: currency.minorDigits)
}

/// A plain decimal literal: optional '-', digits, optional '.' and digits; exact, overflow-checked.
/// Its value, read as one integer of all its digits, must fit a signed 64-bit integer
/// (so "-9223372036854775808" is read, "9223372036854775808" is not).
struct DecimalText: Sendable {
    var negative: Bool
    /// All digits read as one integer (the value is `±magnitude / 10^scale`).
    var magnitude: UInt64
    var scale: Int

    init?(_ text: String) {
        var bytes = Substring(text).utf8[...]
        negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        var value: UInt64 = 0
        var sawDigit = false
        var sawPoint = false
        var decimals = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard sawDigit, !sawPoint else { return nil }
                sawPoint = true
                continue
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            sawDigit = true
            if sawPoint { decimals += 1 }
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = sum
        }
        guard sawDigit, !(sawPoint && decimals == 0), decimals <= 18 else { return nil }
        guard value <= (negative ? Int64.min.magnitude : UInt64(Int64.max)) else { return nil }
        magnitude = value
        scale = decimals
    }

    /// The signed value of all the digits read as one integer.
    var mantissa: Int64 { Self.signed(magnitude, negative)! }

    /// The value times 10^digits as an integer (requires `scale <= digits`), or nil on overflow.
    func scaled(to digits: Int) -> Int64? {
        var value = magnitude
        for _ in scale..<digits {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = product
        }
        return Self.signed(value, negative)
    }

    private static func signed(_ magnitude: UInt64, _ negative: Bool) -> Int64? {
        if negative { return magnitude <= Int64.min.magnitude ? Int64(bitPattern: 0 &- magnitude) : nil }
        return Int64(exactly: magnitude)
    }
}

/// The one rounding rule of the language: `numerator / denominator` rounded to the nearest
/// integer, halves rounded away from zero. `denominator` must not be zero. Nil if the result
/// does not fit in Int64.
func roundedQuotient(_ numerator: Int128, _ denominator: Int128) -> Int64? {
    precondition(denominator != 0)
    var quotient = numerator / denominator
    let remainder = numerator % denominator
    if remainder != 0 {
        // Compare 2|r| with |d| without overflow: |r| < |d| <= 2^127.
        let twiceRemainder = UInt128(remainder.magnitude) * 2
        if twiceRemainder >= UInt128(denominator.magnitude) {
            quotient += (numerator < 0) != (denominator < 0) ? -1 : 1
        }
    }
    return Int64(exactly: quotient)
}
