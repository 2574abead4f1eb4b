import Foundation
import Ledger
import LedgerStorage
import LedgerReports

// emc-bench: the performance figures of issue 7. Thin: parse flags, run the measurements, print.

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("emc-bench: \(error.message)\n".utf8))
    exit(2)
}

func log(_ message: String) {
    if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("emc-bench: \(message)\n".utf8)) }
}

func runBenchmark(_ options: Options) throws -> Report {
    var report = Report()
    log("baselines")
    report.rawSHA256MegabytesPerSecond = Baselines.sha256MegabytesPerSecond(megabytes: options.quick ? 4 : 64)
    log("settlement")
    report.settleMicroseconds100x50 = try SettleBench.settleMicroseconds100x50(samples: options.quick ? 20 : 400)
    let portfolio = try SettleBench.portfolio()
    let settled = try SettleBench.settle400x12Rounds(portfolio: portfolio, rounds: options.quick ? 1 : 5)
    report.settle400x12Milliseconds = settled.traced
    report.settle400x12UntracedMilliseconds = settled.untraced
    report.settle400x12Rounds = settled.roundsText

    let fileManager = FileManager.default
    let directory: String
    if let given = options.directory {
        try fileManager.createDirectory(atPath: given, withIntermediateDirectories: true)
        directory = given
    } else {
        directory = fileManager.temporaryDirectory.appendingPathComponent("emc-bench-\(UUID().uuidString)").path
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    var bench = try LedgerBench(directory: directory, quick: options.quick, log: log)
    defer {
        for file in bench.createdFiles { try? fileManager.removeItem(atPath: file) }
        if options.directory == nil { try? fileManager.removeItem(atPath: directory) }
    }
    report.ledger = try bench.run(entries: options.entries)
    return report
}

do {
    if let path = options.verifyOnly {
        try LedgerBench.verifyOnly(path: path)
        exit(0)
    }
    if let path = options.profileVerify {
        print("baseline    \(String(format: "%.1f", try Baselines.ed25519MicrosecondsOneCore())) us/verify, one core")
        print("sign        \(String(format: "%.1f", try Baselines.ed25519SignMicrosecondsOneCore())) us/signature, one core")
        print(try VerifyProfile.measure(path: path).lines.joined(separator: "\n"))
        print("baseline    \(String(format: "%.1f", try Baselines.ed25519MicrosecondsOneCore())) us/verify, one core")
        exit(0)
    }
    if let path = options.appendSession {
        try LedgerBench.appendThroughSession(path: path, count: 1_000)
        exit(0)
    }
    if let path = options.oneShot {
        var generator = try SyntheticLedger(contract: SyntheticContract(members: 100, rules: 50))
        let writer = try BenchWriter(path: path)
        generator.resume(from: writer.state)
        writer.close()
        let directory = (path as NSString).deletingLastPathComponent
        let (figures, files) = try OneShotBench.measure(path: path, directory: directory, ledger: generator, runs: 25)
        print("one-shot emc report: p50 \(Report.number(figures.append.median, decimals: 3)) ms (CPU \(Report.number(figures.appendCPU.median, decimals: 3)) ms), "
            + "bare start p50 \(Report.number(figures.bareStart.median, decimals: 3)) ms; left: \(files.prefix(3).joined(separator: " "))")
        exit(0)
    }
    if options.settleOnly {
        let portfolio = try SettleBench.portfolio()
        let settled = try SettleBench.settle400x12Rounds(portfolio: portfolio, rounds: options.quick ? 1 : 5)
        print("settle_400x12_ms \(Report.number(settled.traced, decimals: 1)) (untraced \(Report.number(settled.untraced, decimals: 1)))")
        print("rounds, ms: \(settled.roundsText)")
        exit(0)
    }
    if let path = options.appendOnce {
        try LedgerBench.appendOnce(path: path)
        exit(0)
    }
    if options.buildOnly, let directory = options.directory {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bench = try LedgerBench(directory: directory, quick: false, log: log)
        try bench.build(entries: options.entries)
        print("built \(bench.path): \(bench.figures.entries) entries in \(String(format: "%.1f", bench.figures.buildSeconds)) s")
        exit(0)
    }
    let report = try runBenchmark(options)
    print(report.table(cores: Baselines.coreCount, quick: options.quick))
    if options.json { print(report.json) }
} catch {
    FileHandle.standardError.write(Data("emc-bench: error: \(error)\n".utf8))
    exit(1)
}
