import Foundation
import FuzzTargets
import Ledger
import LedgerStorage
import LedgerReports
import Testing

/// Replays fuzz inputs through the fuzz target bodies: every past crash (Regressions/TARGET/), the
/// seed corpus (FuzzTesting/Corpus/TARGET/) and a few hostile inputs built here. A crash is a failure.
@Suite struct FuzzRegressionTests {
    static let regressionsRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")
    static let corpusRoot = packageRoot.appendingPathComponent("FuzzTesting/Corpus")

    static func files(in directory: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Inputs that stress recursion and limits: deep nesting, long chains, huge numbers.
    static func hostileInputs(_ target: String) -> [[UInt8]] {
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }
        switch target {
        case "entry":
            return [text(String(repeating: "[", count: 250_000)), text(String(repeating: "{\"a\":", count: 50_000)),
                    text("{\"seq\":99999999999999999999999}"), [0xff, 0xfe, 0x0a, 0x00], []]
        case "contract":
            let rule = "contract \"x\"\nrule r every period\n  when "
            return [text(rule + String(repeating: "(", count: 30_000) + "1"),
                    text(rule + String(repeating: "not ", count: 30_000) + "1 > 0\n  then\n    pay a 1\n"),
                    text(rule + String(repeating: "-", count: 30_000) + "1 > 0\n  then\n    pay a 1\n"),
                    text(rule + String(repeating: "1 + ", count: 20_000) + "1 > 0\n"), []]
        case "metrics":
            return [text("{\"2020-01\": {\"revenue\": \"" + String(repeating: "9", count: 40) + "\"}}"),
                    text("{\"2020-01\": {\"guests\": 99999999999999999999999999999}}"),
                    text("{\"2020-01\": {\"trend\": \"-" + String(repeating: "9", count: 38) + "\"}}"),
                    text(String(repeating: "{", count: 100_000)), []]
        case "pem":
            return [text("-----BEGIN PRIVATE KEY-----\n" + String(repeating: "A", count: 100_000) + "\n-----END PRIVATE KEY-----\n"),
                    text("-----BEGIN PUBLIC KEY-----\n\0\n-----END PUBLIC KEY-----\n"), []]
        case "cache":
            // The valid cache, truncated at every 97th byte, each byte flipped in turn (a sample), and
            // as another ledger's (another first line).
            let valid = FuzzFixture.prefixCache()
            var inputs = [valid, Array(valid.dropLast()), valid + valid, Array(valid.prefix(19))]
            inputs += stride(from: 0, to: valid.count, by: 97).map { Array(valid.prefix($0)) }
            inputs += stride(from: 0, to: valid.count, by: 89).map { index in
                var edited = valid
                edited[index] ^= 0x20
                return edited
            }
            return inputs + [text("{\"headSeq\": -1}"), text("{\"contracts\": [], \"headSeq\": 4}"), []]
        default:
            return []
        }
    }

    @Test(arguments: FuzzTargets.names)
    func replay(target: String) throws {
        var count = 0
        for file in try Self.files(in: Self.regressionsRoot.appendingPathComponent(target))
            + Self.files(in: Self.corpusRoot.appendingPathComponent(target)) {
            #expect(FuzzTargets.run(target, [UInt8](try Data(contentsOf: file))))
            count += 1
        }
        for input in Self.hostileInputs(target) {
            #expect(FuzzTargets.run(target, input))
            count += 1
        }
        #expect(count > 3)
    }

    @Test func fixtureContractPassesTheChecker() {
        #expect(checkContractDiagnostics(FuzzFixture.contractText).isEmpty)
    }

    /// The cache corpus holds a valid cache of the fixture prefix. EMC_REGENERATE_FIXTURES=1 rewrites it.
    @Test func cacheSeedCorpusMatchesTheFixture() throws {
        let url = Self.corpusRoot.appendingPathComponent("cache/valid-prefix.emc-state")
        if ProcessInfo.processInfo.environment["EMC_REGENERATE_FIXTURES"] == "1" {
            try Data(FuzzFixture.prefixCache()).write(to: url)
        }
        #expect(fileBytes(url.path) == FuzzFixture.prefixCache(), "valid-prefix.emc-state is out of date; rerun with EMC_REGENERATE_FIXTURES=1")
        #expect(StateCache.decode(FuzzFixture.prefixCache(), key: FuzzFixture.cacheKey)?.state.headHash == FuzzFixture.prefixState.headHash)
    }

    /// The entry corpus holds the fixture prefix and lines that validly extend it, so the fuzzer
    /// starts from entries that reach deep into the state machine. EMC_REGENERATE_FIXTURES=1 rewrites them.
    @Test func entrySeedCorpusMatchesTheFixture() throws {
        let seeds: [(String, [UInt8])] = [("fixture-prefix.jsonl", FuzzFixture.prefixEntries.flatMap { $0.lineBytes + [0x0a] })]
            + (try FuzzFixture.validNextLines()).enumerated().map { ("fixture-next-\($0.offset + 1).jsonl", $0.element) }
        for (name, bytes) in seeds {
            let url = Self.corpusRoot.appendingPathComponent("entry").appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["EMC_REGENERATE_FIXTURES"] == "1" {
                try Data(bytes).write(to: url)
            }
            #expect(fileBytes(url.path) == bytes, "\(name) is out of date; rerun with EMC_REGENERATE_FIXTURES=1")
        }
        for line in try FuzzFixture.validNextLines() {
            #expect(throws: Never.self) { _ = try FuzzFixture.prefixState.applying(DecodedEntry(line: line)) }
        }
    }
}
