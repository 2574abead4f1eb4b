import ContractLanguage
import LedgerFormat

/// Canonical JSON written through a cursor into a buffer sized beforehand to an upper bound: no
/// capacity or uniqueness check per piece, as appending to an array makes. For the settlement
/// body, which a verifier writes for every settle entry it checks (SPEC.md §3.5).
struct BoundedJSONCursor {
    private let start: UnsafeMutablePointer<UInt8>
    private var position: UnsafeMutablePointer<UInt8>
    private let end: UnsafeMutablePointer<UInt8>

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        start = buffer.baseAddress!
        position = start
        end = start + buffer.count
    }

    var count: Int { position - start }

    /// The most `string(_:)` writes for `text`: every byte escaped as `\u00xx`, and the quotes.
    static func bound(_ text: String) -> Int { 6 * text.utf8.count + 2 }
    /// The most `integer(_:)` or `minorUnits(_:scale:)` writes: a sign, 20 digits, a point.
    static let numberBound = 22

    mutating func literal(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        precondition(end - position >= length, "the bound holds the body")
        position.update(from: text.utf8Start, count: length)
        position += length
    }

    mutating func byte(_ value: UInt8) {
        precondition(position < end, "the bound holds the body")
        position.pointee = value
        position += 1
    }

    /// `text` as `JSONValue.encodeString` writes it.
    mutating func string(_ text: String) {
        var text = text
        let copied = text.withUTF8 { bytes -> Bool in
            for byte in bytes where JSONValue.needsEscape(byte) { return false }
            precondition(end - position >= bytes.count + 2, "the bound holds the body")
            position.pointee = UInt8(ascii: "\"")
            if let base = bytes.baseAddress { (position + 1).update(from: base, count: bytes.count) }
            position += bytes.count + 2
            (position - 1).pointee = UInt8(ascii: "\"")
            return true
        }
        guard !copied else { return }
        var escaped: [UInt8] = []
        JSONValue.encodeString(text, into: &escaped)
        precondition(end - position >= escaped.count, "the bound holds the body")
        escaped.withUnsafeBufferPointer { position.update(from: $0.baseAddress!, count: $0.count) }
        position += escaped.count
    }

    /// `value` as `String(value)` writes it.
    mutating func integer(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        digits(value.magnitude, atLeast: 1, pointBefore: 0)
    }

    /// `formatMinorUnits(minor, currency:)` for a currency of `scale` minor digits.
    mutating func minorUnits(_ minor: Int64, scale: Int) {
        if minor < 0 { byte(UInt8(ascii: "-")) }
        digits(minor.magnitude, atLeast: scale + 1, pointBefore: scale)
    }

    /// The decimal digits of `magnitude`, padded with zeros to `atLeast`, with a point before the
    /// last `pointBefore` of them (none when 0); written from the last digit backwards.
    private mutating func digits(_ magnitude: UInt64, atLeast minimum: Int, pointBefore scale: Int) {
        var count = 1
        var rest = magnitude
        while rest >= 10 { rest /= 10; count += 1 }
        count = max(count, minimum)
        let length = count + (scale > 0 ? 1 : 0)
        precondition(end - position >= length, "the bound holds the body")
        var cursor = position + length
        var value = magnitude
        for index in 0..<count {
            if scale > 0 && index == scale {
                cursor -= 1
                cursor.pointee = UInt8(ascii: ".")
            }
            cursor -= 1
            cursor.pointee = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
        position += length
    }
}

extension LedgerState {
    /// The canonical JSON of `settlementBody(…)`, written directly (members in sorted order; equal
    /// byte for byte, checked by tests): a verifier compares it with the entry's body bytes.
    static func settlementBodyBytes(period: Period, version: ContractVersion, reports: [ReportRecord],
                                    settlement: PeriodSettlement) -> [UInt8] {
        let currency = version.contract.currency
        let periodText = period.description
        let number = BoundedJSONCursor.numberBound
        var bound = 160 + BoundedJSONCursor.bound(version.hash) + BoundedJSONCursor.bound(currency.code)
            + BoundedJSONCursor.bound(periodText) + reports.count * (number + 1)
        for outcome in settlement.goalOutcomes {
            bound += 64 + BoundedJSONCursor.bound(outcome.goal)
            for rule in outcome.forfeitedRules { bound += 1 + BoundedJSONCursor.bound(rule) }
            for change in outcome.ratingChanges { bound += 24 + number + BoundedJSONCursor.bound(change.member) }
        }
        for payout in settlement.payouts {
            bound += 40 + number + BoundedJSONCursor.bound(payout.member) + BoundedJSONCursor.bound(payout.rule)
        }
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var out = BoundedJSONCursor(buffer)
            out.literal(#"{"contract_hash":"#)
            out.string(version.hash)
            out.literal(#","currency":"#)
            out.string(currency.code)
            out.literal(#","goals":["#)
            for (index, outcome) in settlement.goalOutcomes.enumerated() {
                if index > 0 { out.byte(UInt8(ascii: ",")) }
                out.literal(#"{"forfeits":["#)
                for (ruleIndex, rule) in outcome.forfeitedRules.enumerated() {
                    if ruleIndex > 0 { out.byte(UInt8(ascii: ",")) }
                    out.string(rule)
                }
                out.literal(#"],"goal":"#)
                out.string(outcome.goal)
                out.literal(outcome.met ? #","met":true,"ratings":["# : #","met":false,"ratings":["#)
                for (changeIndex, change) in outcome.ratingChanges.enumerated() {
                    if changeIndex > 0 { out.byte(UInt8(ascii: ",")) }
                    out.literal(#"{"delta":"#)
                    out.integer(Int64(change.delta))
                    out.literal(#","member":"#)
                    out.string(change.member)
                    out.byte(UInt8(ascii: "}"))
                }
                out.literal("]}")
            }
            out.literal(#"],"payouts":["#)
            for (index, payout) in settlement.payouts.enumerated() {
                out.literal(index > 0 ? #",{"amount":""# : #"{"amount":""#)
                out.minorUnits(payout.amountMinor, scale: currency.minorDigits)
                out.literal(#"","member":"#)
                out.string(payout.member)
                out.literal(#","rule":"#)
                out.string(payout.rule)
                out.byte(UInt8(ascii: "}"))
            }
            out.literal(#"],"period":"#)
            out.string(periodText)
            out.literal(#","reports":["#)
            for (index, report) in reports.enumerated() {
                if index > 0 { out.byte(UInt8(ascii: ",")) }
                out.integer(report.seq)
            }
            out.literal(#"],"version":"#)
            out.integer(Int64(version.number))
            out.byte(UInt8(ascii: "}"))
            initialized = out.count
        }
    }
}
