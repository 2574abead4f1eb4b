import ContractLanguage
import Testing
import TestSupport
@testable import Ledger
@testable import LedgerFormat

/// The settlement body's cursor writes what the array-appending encoders write (the verifier
/// compares its output with entries byte for byte): amounts as `formatMinorUnits`, integers as
/// `String`, strings as `JSONValue.encodeString`, and never past the bound it was sized to.
@Suite struct SettlementBodyTests {
    func written(bound: Int, _ write: (inout BoundedJSONCursor) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            var cursor = BoundedJSONCursor(buffer)
            write(&cursor)
            initialized = cursor.count
        }
    }

    @Test func numbersAreWrittenAsTheStringEncodersWriteThem() {
        var random = SeededGenerator(seed: 41)
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 999_999, 1_000_000, .max, .min, .max - 1, .min + 1]
        for _ in 0..<3_000 {
            let magnitude = Int64.random(in: 0...Int64.max, using: &random) >> Int64.random(in: 0...62, using: &random)
            values.append(Bool.random(using: &random) ? magnitude : -magnitude)
        }
        for value in values {
            #expect(written(bound: BoundedJSONCursor.numberBound) { $0.integer(value) } == Array(String(value).utf8))
            for scale in 0...Limits.maxMinorDigits {
                let currency = Currency(code: "EUR", minorDigits: scale)
                #expect(written(bound: BoundedJSONCursor.numberBound) { $0.minorUnits(value, scale: scale) }
                        == Array(formatMinorUnits(value, currency: currency).utf8), "\(value) at scale \(scale)")
            }
        }
    }

    @Test func stringsAreWrittenAsEncodeStringWritesThem() {
        let texts = ["", "m001", "a\"b", "back\\slash", "tab\there", "\u{0}\u{1}\u{1f}", "new\nline\r", "\u{7f}",
                     "é", "e\u{301}", "\u{212A}wh", "日本語", "🦆🦆", String(repeating: "\"", count: 40),
                     String(repeating: "x", count: 300), "\u{8}\u{c}"]
        for text in texts {
            var expected: [UInt8] = []
            JSONValue.encodeString(text, into: &expected)
            #expect(written(bound: BoundedJSONCursor.bound(text)) { $0.string(text) } == expected, "\(text.debugDescription)")
        }
    }
}
