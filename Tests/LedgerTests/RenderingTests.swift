import ContractLanguage
import Foundation
@testable import Ledger
@testable import LedgerFormat
import LedgerStorage
import LedgerCrypto
import Testing

/// The plain-language rendering (SPEC.md §2.14) and its binding into `accept` and `propose`.
@Suite struct RenderingTests {
    /// Every contract in the fixture folders, found by scanning (a contract added there is always checked).
    static func contractFiles() -> [String] {
        ["contracts", "ledgers/contracts", "rendering"].flatMap { folder in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesRoot.appendingPathComponent(folder).path)) ?? []
            return names.filter { $0.hasSuffix(".emc") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test func everyFixtureContractHasItsGoldenRenderingAndHash() throws {
        let files = Self.contractFiles()
        #expect(files.count >= 10)
        var hashes: [String: JSONValue] = [:]
        for file in files {
            let name = String(file.split(separator: "/").last!.dropLast(4))
            let source = try fixtureText(file)
            let contract = try #require(checkContract(source: source).contract, "\(file) must check")
            let text = contract.plainLanguage().text
            try checkGolden(Array(text.utf8), "rendering/\(name).txt")
            // §2.14: SHA-256("emc-v1/rendering" 0x00 ‖ UTF-8 text), computed from the primitives.
            let hash = Hex.encode(SHA256.hash(Array("emc-v1/rendering".utf8) + [0] + Array(text.utf8)))
            #expect(Entry.renderingHash(text) == hash)
            hashes[name] = .string(hash)
            // Comments and layout do not change it: the canonical formatting renders identically.
            let formatted = try #require(checkContract(source: contract.formatted()).contract)
            #expect(formatted.plainLanguage().text == text, "\(file): the formatted contract renders differently")
        }
        try checkGolden(JSONValue.object(hashes).canonicalBytes + [0x0a], "rendering/hashes.json")
    }

    /// The rendering text a contract keeps (what every `accept` hashes) is its rendering, asked
    /// first or after, for every fixture contract.
    @Test func theKeptRenderingTextIsTheRendering() throws {
        for file in Self.contractFiles() {
            let contract = try #require(checkContract(source: try fixtureText(file)).contract)
            let kept = contract.plainLanguageText
            #expect(kept == contract.plainLanguage().text, "\(file)")
            #expect(contract.plainLanguageText == kept)
        }
    }

    @Test func renderingSpellsOutNumbersInTheCurrency() throws {
        let text = try #require(checkContract(source: try fixtureText("contracts/smart-cooking.emc")).contract).plainLanguage().text
        #expect(text.contains("- platform_fee: Each month in which revenue is above 0.00 CNY, Haier platform (Workbench) receives 3% of revenue as a fee.\n"))
        #expect(text.contains("| Chef Weili Zhang | 17.5% |\n"))
        #expect(text.contains("- duck_bonus: Once only, in the first month in which the total of ducks_sold so far is at least 20000, Chef Weili Zhang receives 20000.00 CNY and 60000.00 CNY is split in 6 parts:"))
        #expect(text.contains("the deadline is 2020-12. If it is not met by the end of 2020-12, Yu Zhang (Smart Cooking micro-enterprise) loses 1 star"))
    }

    /// Writers bind the rendering; the state machine accepts it and the older form without it.
    @Test func writersBindTheRenderingAndOlderEntriesStayValid() throws {
        let genesis = try FixtureFactory.lifecycleScript(upTo: 1)
        let hash = Entry.contractHash(FixtureFactory.contract)
        let bound = try EntryBuilder.accept(after: genesis.state, contractHash: hash, time: FixtureFactory.stamp("2020-05-02T09:00:00Z"), key: FixtureFactory.key("yu"))
        guard case .object(let body) = bound.body else { Issue.record("accept body"); return }
        #expect(body["rendering"] == .string(FixtureFactory.renderingHash(FixtureFactory.contract)))
        _ = try genesis.state.applying(DecodedEntry(entry: bound))
        let legacy = try EntryBuilder.accept(after: genesis.state, contractHash: hash, time: FixtureFactory.stamp("2020-05-02T09:00:00Z"),
                                             key: FixtureFactory.key("yu"), bindRendering: false)
        _ = try genesis.state.applying(DecodedEntry(entry: legacy))
    }
}
