import ContractLanguage
import LedgerFormat
@testable import LedgerReports
import TestSupport
import Testing

/// Text the commands used to hand to Foundation (dates, escaping), now computed without it (issue 17:
/// `emc` links FoundationEssentials only).
@Suite struct PortableTextTests {
    /// POSIX seconds of known times (computed with Python's `calendar.timegm`), both directions.
    @Test(arguments: [("1970-01-01T00:00:00Z", Int64(0)), ("2000-02-29T12:00:00Z", 951_825_600),
                      ("2020-09-30T18:00:00Z", 1_601_488_800), ("2100-03-01T00:00:00Z", 4_107_542_400),
                      ("2490-05-01T01:00:00Z", 16_420_064_400), ("9999-12-31T23:59:59Z", 253_402_300_799)])
    func secondsOfKnownTimes(_ text: String, _ seconds: Int64) throws {
        #expect(try #require(Timestamp(text)).secondsSinceEpoch == seconds)
        #expect(Timestamp(secondsSinceEpoch: seconds).text == text)
    }

    /// The law: `secondsSinceEpoch` inverts `init(secondsSinceEpoch:)` over the whole range a
    /// timestamp can hold (seeded, and every day boundary of the leap-year cycle's edges).
    @Test func secondsRoundTrip() {
        var generator = SeededGenerator(seed: 17)
        var samples: [Int64] = [0, 86_399, 86_400, 951_782_399, 951_782_400, 253_402_300_799]
        for _ in 0..<20_000 { samples.append(Int64(generator.next() % 253_402_300_800)) }
        for seconds in samples {
            #expect(Timestamp(secondsSinceEpoch: seconds).secondsSinceEpoch == seconds, "\(seconds)")
        }
    }

    /// A Beancount string escapes every backslash and quote, also one a combining mark follows
    /// (which a search by Character would not find).
    @Test func beancountQuotesEveryBackslash() {
        let name = "a\\\u{301}b\"c\\"
        let export = AuditExport.Export(contractName: name, currency: Currency(code: "EUR", minorDigits: 2),
                                        openingDate: "2020-01-01", rows: [])
        let text = AuditExport.beancount(export)
        #expect(text.contains("option \"title\" \"a\\\\\u{301}b\\\"c\\\\ (EMC Ledger)\""))
    }
}
