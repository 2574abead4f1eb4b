import ContractLanguage
@testable import Ledger
@testable import LedgerFormat
import Testing

/// Names are compared as bytes (SPEC §2.12, §3.3): a report naming a metric by a canonically
/// equivalent spelling (U+212A KELVIN SIGN for `K`) names no metric, though Swift's `==` holds
/// between the two; the entry is refused before any lookup, as its metric is not a name at all.
@Suite struct NameBytesTests {
    static let source = FixtureFactory.contract.replacingOccurrences(
        of: "metric cost    money reported by yu, farm", with: "metric cost    money reported by yu, farm\nmetric Kwh count reported by yu")

    func activeScript() throws -> LedgerScript {
        var script = LedgerScript()
        try script.add { _ in
            try EntryBuilder.genesis(contract: Self.source, members: FixtureFactory.roster(), founder: FixtureFactory.key("yu"),
                                     time: FixtureFactory.stamp("2020-05-01T09:00:00Z"), nonce: [UInt8](repeating: 0x05, count: 16))
        }
        for (index, member) in ["yu", "chef", "farm"].enumerated() {
            try script.add {
                try EntryBuilder.accept(after: $0, contractHash: Entry.contractHash(Self.source),
                                        time: FixtureFactory.stamp("2020-05-0\(index + 2)T09:00:00Z"), key: FixtureFactory.key(member), bindRendering: false)
            }
        }
        return script
    }

    @Test func aReportNamesAMetricByItsExactBytes() throws {
        var script = try activeScript()
        #expect("\u{212A}wh" == "Kwh")
        let kelvin = try script.crafted("report", ["period": .string("2020-05"), "metric": .string("\u{212A}wh"), "value": .string("1")],
                                        at: "2020-06-01T09:00:00Z", by: "yu")
        #expect {
            try script.state.applying(try DecodedEntry(line: kelvin))
        } throws: { error in
            (error as? LedgerError)?.reason.contains("is not a metric name") == true
        }
        try FixtureFactory.report(&script, "2020-05", "Kwh", "1", by: "yu", at: "2020-06-01T09:00:00Z")
        #expect(script.entries.count == 5)
    }
}
