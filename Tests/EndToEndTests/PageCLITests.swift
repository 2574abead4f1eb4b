import Foundation
import TestSupport
import Testing

/// `emc page` (issue 16): the site's content, the directory rules, and a real browser's view of it.
@Suite struct PageCLITests {
    static let demoLedger = fixturesRoot.appendingPathComponent("ledgers/valid/demo.jsonl").path

    /// Each member's total paid exactly as `emc status --json` prints it.
    static func statusTotals() throws -> [(member: String, amount: String)] {
        let status = try runEMC(["status", demoLedger, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [[String: String]])
        return totals.map { ($0["member"]!, $0["amount"]!) }
    }

    @Test func pageHoldsTheEMCAndNeverOverwritesForeignFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site")
        let result = try runEMC(["page", Self.demoLedger, "--out", site.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let index = try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!index.contains("<script") && !index.contains("http://") && !index.contains("https://"), "no scripts, no network")
        #expect(index.contains("<svg") && index.contains("<thead>") && index.contains("<meta name=\"viewport\""))
        for (member, amount) in try Self.statusTotals() { #expect(index.contains(">\(amount)</td>"), "\(member)'s total \(amount)") }
        #expect(index.contains("Each month in which revenue is above 0.00 CNY"), "the contract in plain language")
        #expect(index.contains("growth(revenue) ≈ 8.70% &gt; market_growth = 9%: false"), "explanations, escaped")
        let csv = try String(contentsOf: site.appendingPathComponent("audit.csv"), encoding: .utf8)
        #expect(csv == (try runEMC(["audit", Self.demoLedger])).stdout)
        // A directory emc page made may be written again; a foreign one never.
        #expect(try runEMC(["page", Self.demoLedger, "--out", site.path]).exitCode == 0)
        let foreign = directory.appendingPathComponent("foreign")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: false)
        try "mine".write(to: foreign.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let refused = try runEMC(["page", Self.demoLedger, "--out", foreign.path])
        #expect(refused.exitCode == 2 && refused.stderr.contains("was not written by `emc page`"))
        #expect(try String(contentsOf: foreign.appendingPathComponent("index.html"), encoding: .utf8) == "mine")
        // A checkpoint next to the ledger is shown with its cosigners.
        let ledger = directory.appendingPathComponent("demo.jsonl")
        try FileManager.default.copyItem(atPath: Self.demoLedger, toPath: ledger.path)
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("checkpoints/example-7.checkpoint"),
                                         to: URL(fileURLWithPath: ledger.path + ".checkpoint"))
        let withCheckpoint = directory.appendingPathComponent("with-checkpoint")
        #expect(try runEMC(["page", ledger.path, "--out", withCheckpoint.path]).exitCode == 0)
        let checkpointPage = try String(contentsOf: withCheckpoint.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(checkpointPage.contains("Latest checkpoint") && !checkpointPage.contains("Signed by: nobody"))
    }

    /// Debian's chromium (`.ci/run` installs it). In CI a missing browser fails; locally it skips.
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static func headless(_ arguments: [String], profile: URL) throws -> RunResult {
        let base = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                    "--enable-logging=stderr", "--v=0"]
        return try runWithTimeout(URL(fileURLWithPath: chromium!), base + arguments, seconds: 120)
    }

    /// PNG width and height from the IHDR chunk (bytes 16..<24), after checking the signature.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data)
        guard bytes.count > 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == Array("IHDR".utf8)[...] else { return nil }
        func word(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (word(16), word(20))
    }

    static func consoleLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }

    @Test func aRealBrowserRendersThePage() throws {
        guard Self.chromium != nil else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("chromium is not installed; .ci/run installs Debian's chromium")
            } else {
                print("skipping the browser check: chromium is not installed (apt-get install chromium)")
            }
            return
        }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let site = directory.appendingPathComponent("site")
        #expect(try runEMC(["page", Self.demoLedger, "--out", site.path]).exitCode == 0)
        let index = site.appendingPathComponent("index.html")
        let blank = directory.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(to: blank, atomically: true, encoding: .utf8)
        let window = "--window-size=412,1600"  // a phone's width
        var shots: [Data] = []
        for (name, page) in [("page.png", index), ("blank.png", blank)] {
            let shot = directory.appendingPathComponent(name)
            let result = try Self.headless(["--screenshot=\(shot.path)", window, page.absoluteString], profile: directory.appendingPathComponent("profile-\(name)"))
            #expect(result.exitCode == 0, "\(result.stderr.suffix(500))")
            shots.append(try Data(contentsOf: shot))
            if page == index { #expect(Self.consoleLines(result.stderr).isEmpty, "console: \(Self.consoleLines(result.stderr))") }
        }
        #expect(Self.pngSize(shots[0])?.width == 412 && Self.pngSize(shots[0])?.height == 1600)
        // Not blank: a page of tables, text and a chart compresses far worse than an empty page of the same size.
        #expect(shots[0] != shots[1])
        #expect(shots[0].count > 20_000 && shots[0].count > 5 * shots[1].count, "page \(shots[0].count) bytes, blank \(shots[1].count)")
        let dom = try Self.headless(["--dump-dom", index.absoluteString], profile: directory.appendingPathComponent("profile-dom"))
        #expect(dom.exitCode == 0)
        for (member, amount) in try Self.statusTotals() { #expect(dom.stdout.contains(">\(amount)</td>"), "\(member)'s total \(amount) in the DOM") }
        #expect(Self.consoleLines(dom.stderr).isEmpty)
        // The console check is not vacuous: a page with a failing script is caught by it.
        let failing = directory.appendingPathComponent("failing.html")
        try "<!DOCTYPE html><html><body><script>console.error('x'); missing();</script></body></html>".write(to: failing, atomically: true, encoding: .utf8)
        let caught = try Self.headless(["--dump-dom", failing.absoluteString], profile: directory.appendingPathComponent("profile-failing"))
        #expect(!Self.consoleLines(caught.stderr).isEmpty, "chromium logs console errors with --enable-logging=stderr")
    }
}

/// Runs `binary`, killing it (SIGKILL) after `seconds`.
func runWithTimeout(_ binary: URL, _ arguments: [String], seconds: Int) throws -> RunResult {
    try runProcess(binary, arguments, timeoutSeconds: Double(seconds))
}
