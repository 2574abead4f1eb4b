import Foundation
import Testing

/// The README tour runs top to bottom by copy and paste on a fresh clone (issue 16): its shell
/// blocks are taken from README.md and run exactly as written, with the built `emc` on PATH, from
/// a folder that stands for the clone's root (its `Fixtures` is the package's).
@Suite struct ReadmeTourTests {
    static let installLine = #"swift build -c release --product emc && export PATH="$PWD/.build/release:$PATH""#

    /// The ```sh blocks of the README's "## A tour" section, in order.
    static func tourBlocks() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "\n## A tour\n"))
        let rest = readme[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        var blocks: [String] = []
        var current: [Substring]? = nil
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" { current = [] }
            else if current != nil, line == "```" { blocks.append(current!.joined(separator: "\n") + "\n"); current = nil }
            else if current != nil { current!.append(line) }
        }
        return blocks
    }

    @Test func readmeStartsWithTheDemoAndTheTests() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n").prefix(4).map(String.init)
        #expect(lines[2].hasPrefix("swift run emc demo"))
        #expect(lines[3].hasPrefix("swift test"))
    }

    @Test func theTourRunsTopToBottom() throws {
        let blocks = try Self.tourBlocks()
        try #require(blocks.count == 2, "an install block and the tour")
        // The install block is not run here (a release build takes minutes); the test puts the built `emc` on PATH instead.
        #expect(blocks[0] == Self.installLine + "\n")
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Fixtures"), withDestinationURL: fixturesRoot)
        let path = emcBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try run(URL(fileURLWithPath: "/usr/bin/timeout"), ["600", "bash", "-e", "-c", blocks[1]], in: root,
                             environment: ["PATH": path, "TMPDIR": root.path])
        #expect(result.exitCode == 0, "the tour stopped: \(result.stderr)")
        let out = result.stdout
        // 2020-09: profit 600000.00 - 520000.00 = 80000.00, 40% = 32000.00, split 50/30/20.
        #expect(out.contains("  chef              9600.00 CNY  (profit_sharing)"))
        // Under version 2 (40/40/20) the chef would have had 12800.00: +3200.00.
        #expect(out.contains("2020-09  chef     9600.00              12800.00    +3200.00"))
        #expect(out.contains("adopted, takes effect 2020-11: version 2 ("))
        // The dispute's cost 510000.00: profit 90000.00, pool 36000.00, 18000/10800/7200 (+2000/+1200/+800).
        #expect(out.contains("2020-09: yu +2000.00, chef +1200.00, farm +800.00"))
        #expect(out.contains("adjusts dispute 12: 1 period re-settled"))
        #expect(out.contains("ok: 15 entries, 3 members"))
        #expect(out.contains("ok: the line is entry 8"))
        #expect(out.contains("extends the checkpoint of size 15 signed by yu, chef, farm"))
        let scratch = try #require(try FileManager.default.contentsOfDirectory(atPath: root.path).first { $0.hasPrefix("tmp.") })
        let folder = root.appendingPathComponent(scratch)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("site/index.html").path))
        let ledger = try String(contentsOf: folder.appendingPathComponent("duck.jsonl"), encoding: .utf8)
        #expect(ledger.split(separator: "\n").count == 16, "15 entries and the key rotation")
    }
}
