import Foundation
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
import LedgerWitness

/// The figures measured on the synthetic ledger file.
struct LedgerFigures {
    var entries = 0
    var fileBytes: Int64 = 0
    var buildSeconds = 0.0
    /// Seconds of each full verify, and the Ed25519 baselines taken around them: `baselines[i]`
    /// just before verify i and `baselines[i + 1]` just after it.
    var verifyRunSeconds: [Double] = []
    var baselines: [Double] = []

    /// Verify i against the higher of the two baselines around it (the conservative pairing).
    func verifyPair(_ run: Int) -> (entriesPerSecond: Double, baseline: Double) {
        (Double(entries) / verifyRunSeconds[run], max(baselines[run], baselines[run + 1]))
    }

    /// The fastest verify, and the highest baseline of the run: the best each side reached.
    var bestVerifyEntriesPerSecond: Double { Double(entries) / (verifyRunSeconds.min() ?? .infinity) }
    var bestBaseline: Double { baselines.max() ?? 0 }
    var verifyPeakResidentMegabytes = 0.0
    /// CPU seconds (user + system) of each full verify's child process, and of one baseline
    /// verification (lowest of the baselines): the CPU ratio moves far less with other tenants' load.
    var verifyCPUSeconds: [Double] = []
    var baselineCPUSecondsPerVerification: [Double] = []
    /// Median baseline CPU per verification × entries ÷ median verify CPU: the rounds alternate
    /// (baseline, verify, baseline, verify, …), so both medians come from the same stretch of time.
    var verifyCPURatio: Double {
        guard !verifyCPUSeconds.isEmpty, !baselineCPUSecondsPerVerification.isEmpty else { return .nan }
        return Self.median(baselineCPUSecondsPerVerification) * Double(entries) / Self.median(verifyCPUSeconds)
    }
    /// The CPU ratio of each verify against the baseline taken just before it.
    var verifyCPURatioPerPair: [Double] {
        verifyCPUSeconds.indices.map { baselineCPUSecondsPerVerification[$0] * Double(entries) / verifyCPUSeconds[$0] }
    }
    /// Max − min of the per-pair CPU ratios: how far one pair can be trusted.
    var verifyRatioSpread: Double {
        let pairs = verifyCPURatioPerPair
        guard let high = pairs.max(), let low = pairs.min() else { return .nan }
        return high - low
    }
    static func median(_ values: [Double]) -> Double {
        var samples = Samples()
        for value in values { samples.add(value) }
        return samples.median
    }
    var oneShot = OneShotFigures()
    /// `perf stat` instruction count of one verify, or why there is none.
    var verifyInstructions = ""
    var transparency = TransparencyFigures()
    var incrementalVerifyMilliseconds = 0.0
    var incrementalEntries = 0
    var append = Samples()
    var fsync = Samples()
    /// The same single appends with building and signing the entry included.
    var signedAppend = Samples()
    /// Single appends each by a new writer without a state cache (open and verify the whole file,
    /// append, close): what a command would cost without the member's state cache (not an issue
    /// figure; for comparison with the one-shot figures, which use it).
    var processAppend = Samples()
    var bulkEntries = 0
    var bulkSeconds = 0.0
    /// The same size of batch with every signature verified (entries as received from other members).
    var receivedBulkSeconds = 0.0
    /// The raw 2-core Ed25519 baseline taken just before the received batch.
    var receivedBulkBaseline = 0.0
    var receivedBulkRatio: Double { Double(bulkEntries) / receivedBulkSeconds / receivedBulkBaseline }
}

/// Builds the synthetic ledger through the real write path, then measures verify and append on it.
struct LedgerBench {
    /// Appends without a state cache stop early (after at least 3) once they have taken this long:
    /// each verifies the whole file (at 1M entries about a minute).
    static let processAppendBudgetSeconds = 20.0
    let singleAppendCount: Int
    let baselineSamplesPerWorker: Int
    let bulkCount: Int
    let incrementalCount: Int
    let verifyRuns: Int
    let quick: Bool

    let directory: String
    let path: String
    var ledger: SyntheticLedger
    var figures = LedgerFigures()
    let log: (String) -> Void

    init(directory: String, quick: Bool, log: @escaping (String) -> Void) throws {
        singleAppendCount = quick ? 10 : 200
        baselineSamplesPerWorker = quick ? 200 : 4_000
        bulkCount = quick ? 200 : 10_000
        incrementalCount = quick ? 100 : 1_000
        verifyRuns = quick ? 3 : 5
        self.quick = quick
        self.directory = directory
        path = directory + "/bench-ledger.jsonl"
        createdFiles = [path, directory + "/bench-member.emc-state"]
        ledger = try SyntheticLedger(contract: SyntheticContract(members: 100, rules: 50))
        self.log = log
    }

    mutating func run(entries: Int) throws -> LedgerFigures {
        try build(entries: entries)
        // The cores are shared with other machines' work, which comes and goes: baselines (each the
        // best of three rounds) are taken before, between and after three full verifies, and the
        // ratio compares the fastest verify with the highest baseline of all (a conservative pairing:
        // a verify that ran in a quiet moment is never compared with a baseline taken in a busy one).
        // Rounds alternate, A B A B … A: baseline i is taken just before verify i (their CPU pair)
        // and baseline i + 1 just after it. Fewer rounds for very large ledgers (each takes minutes).
        try takeBaseline()
        for _ in 0..<(entries > 500_000 ? 3 : verifyRuns) {
            try verifyInChildProcess()
            try takeBaseline()
        }
        figures.verifyInstructions = quick ? "not measured (--quick)" : InstructionCounts.verify(path: path)
        log("one-shot appends as `emc report` processes")
        let (oneShot, oneShotFiles) = try OneShotBench.measure(path: path, directory: directory, ledger: ledger,
                                                               runs: quick ? 3 : 25)
        figures.oneShot = oneShot
        createdFiles += oneShotFiles
        log("checkpoint and proofs")
        let platform = ledger.contract.platform
        figures.transparency = try TransparencyBench.measure(path: path, signer: (platform, ledger.keys[platform]!), quick: quick)
        try measureSingleAppends()
        try measureBulkAndIncremental()
        return figures
    }

    mutating func takeBaseline() throws {
        let baseline = try Baselines.ed25519VerificationsPerSecondAndCPU(perWorker: baselineSamplesPerWorker)
        figures.baselines.append(baseline.perSecond)
        figures.baselineCPUSecondsPerVerification.append(baseline.cpuSecondsPerVerification)
    }

    /// Entries per durable batch while building: memory stays bounded whatever the ledger size.
    static let buildBatchSize = 4_096

    mutating func build(entries count: Int) throws {
        log("building a \(count)-entry ledger in \(path)")
        let start = Clock.nowNanoseconds()
        try LedgerStore.create(path: path, genesis: try ledger.next())
        let writer = try BenchWriter(path: path)
        defer { writer.close() }
        var written = 1
        while written < count {
            let batch = try ledger.next(min(Self.buildBatchSize, count - written))
            try writer.append(batch)
            written += batch.count
            log("  \(written) entries")
        }
        guard writer.state.headHash == ledger.state.headHash else { throw BenchError("the written head differs from the built one") }
        figures.buildSeconds = Double(Clock.nowNanoseconds() - start) / 1e9
        figures.entries = written
        figures.fileBytes = Int64((try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0)
    }

    /// Full verify in a child process (`emc-bench --verify-only FILE`), so its peak RSS is its own.
    mutating func verifyInChildProcess() throws {
        log("verifying in a child process")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--verify-only", path]
        let output = Pipe()
        process.standardOutput = output
        let cpuBefore = cpuSeconds(children: true)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        figures.verifyCPUSeconds.append(cpuSeconds(children: true) - cpuBefore)
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard process.terminationStatus == 0, fields.count == 3, let entries = Int(fields[0]), let seconds = Double(fields[1]),
              let childHighWater = Double(fields[2]) else {
            throw BenchError("the verifying child failed (exit \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        guard entries == figures.entries else { throw BenchError("the child verified \(entries) entries, not \(figures.entries)") }
        figures.verifyRunSeconds.append(seconds)
        // The child's own VmHWM (of the largest run). Not getrusage(RUSAGE_CHILDREN): Foundation
        // spawns with vfork semantics, and Linux records the old (here: this process's) memory's
        // peak in the child's maxrss at exec, so that figure is the bench's own size, not the verify's.
        figures.verifyPeakResidentMegabytes = max(figures.verifyPeakResidentMegabytes, childHighWater)
    }

    /// The child side of `verifyInChildProcess`: prints "entries seconds peak_rss_mb". The verify
    /// computes the Merkle tree's root alongside the hash chain (as a frontier: a full verify needs
    /// no proofs, so no node store).
    static func verifyOnly(path: String) throws {
        let (verified, seconds) = try Clock.measure { try LedgerTree.verifyRoot(path: path) }
        print("\(verified.verified.entryCount) \(seconds) \(peakResidentMegabytes() ?? 0)")
    }

    /// One single durable append of a report to a synthetic ledger (to profile the append path).
    static func appendOnce(path: String) throws {
        var generator = try SyntheticLedger(contract: SyntheticContract(members: 100, rules: 50))
        let (written, seconds) = try Clock.measure {
            try LedgerStore.append(path: path) { state in
                generator.resume(from: state)
                let metric = generator.contract.metrics[0]
                return [try generator.report(metric, value: generator.contract.value(of: metric, periodIndex: generator.periodIndex + 1))]
            }
        }
        print("appended entry \(written[0].entry.seq) in \(String(format: "%.3f", seconds * 1e3)) ms")
    }

    /// `count` single appends of a report through one open writer (to profile the session path).
    static func appendThroughSession(path: String, count: Int) throws {
        var generator = try SyntheticLedger(contract: SyntheticContract(members: 100, rules: 50))
        let writer = try LedgerWriter(path: path)
        defer { writer.close() }
        generator.resume(from: writer.state)
        var samples = Samples()
        for index in 0..<count {
            let metric = generator.contract.metrics[index % generator.contract.metrics.count]
            let value = generator.contract.value(of: metric, periodIndex: generator.periodIndex + 1 + index)
            let (_, seconds) = try Clock.measure {
                try writer.append { state in [try generator.report(metric, value: value, after: state)] }
            }
            samples.add(seconds * 1e3)
        }
        print("\(count) appends through one writer: p50 \(String(format: "%.3f", samples.median)) ms, p99 \(String(format: "%.3f", samples.percentile(0.99))) ms")
    }

    /// Bare write + fsync of one report-sized line to a scratch file next to the ledger.
    struct FsyncProbe {
        let path: String
        let descriptor: Int32
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 560) + [0x0a]

        init(directory: String) throws {
            path = directory + "/bench-fsync.scratch"
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw BenchError("cannot create \(path)") }
        }

        /// Milliseconds for one write + fsync.
        func measure() throws -> Double {
            let (ok, seconds) = Clock.measure {
                line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == line.count && fsync(descriptor) == 0
            }
            guard ok else { throw BenchError("write or fsync of \(path) failed") }
            return seconds * 1e3
        }

        func close() {
            Glibc.close(descriptor)
            unlink(path)
        }
    }

    /// Single durable appends of one report each, through one open `LedgerWriter` (as a long-running
    /// writer appends): the report is built and signed, then the timed append takes the lock, checks
    /// the file still ends at the in-memory head, validates the entry, writes it, fsyncs and unlocks
    /// (issue 7's "lock, validate, write, fsync"); the time with building and signing is kept too. Each is paired with a bare
    /// write + fsync measured just before it, so that both see the disk in the same state. Then, for
    /// comparison, a few appends the way one `emc report` process makes them: open (load the checked
    /// snapshot), append, close.
    mutating func measureSingleAppends() throws {
        log("single appends")
        let generator = ledger
        let writer = try BenchWriter(path: path)
        let probe = try FsyncProbe(directory: directory)
        defer { probe.close() }
        for index in 0..<singleAppendCount {
            figures.fsync.add(try probe.measure())
            let metric = generator.contract.metrics[index % generator.contract.metrics.count]
            let value = generator.contract.value(of: metric, periodIndex: generator.periodIndex + 1 + index)
            // The report is built and signed first, as its member does; the append itself is timed.
            let (entry, signSeconds) = try Clock.measure { try generator.report(metric, value: value, after: writer.state) }
            let (_, seconds) = try Clock.measure { try writer.append([entry]) }
            figures.append.add(seconds * 1e3)
            figures.signedAppend.add((signSeconds + seconds) * 1e3)
        }
        writer.close()
        let start = Clock.nowNanoseconds()
        for index in 0..<singleAppendCount {
            let metric = generator.contract.metrics[index % generator.contract.metrics.count]
            let value = generator.contract.value(of: metric, periodIndex: generator.periodIndex + 2 + index)
            let (_, seconds) = try Clock.measure {
                try LedgerStore.append(path: path) { state in [try generator.report(metric, value: value, after: state)] }
            }
            figures.processAppend.add(seconds * 1e3)
            let spent = Double(Clock.nowNanoseconds() - start) / 1e9
            if figures.processAppend.count >= 3 && spent > Self.processAppendBudgetSeconds { break }
        }
    }

    /// One durable batch of `bulkCount` entries signed in this process, the same again as received
    /// from elsewhere (every signature verified), then `incrementalCount` more and the verify that
    /// follows them, resuming from the state cache a member kept before they were added.
    mutating func measureBulkAndIncremental() throws {
        log("bulk append and incremental verify")
        let writer = try BenchWriter(path: path)
        ledger.resynchronize(with: writer.state)
        let bulk = try ledger.next(bulkCount)
        let (_, bulkSeconds) = try Clock.measure { try writer.append(bulk) }
        figures.bulkEntries = bulk.count
        figures.bulkSeconds = bulkSeconds
        // The same size of batch as it arrives from other members: lines, as `emc pull` and
        // `emc clone` append them (`append(lines:)`: decoded and limit-checked as a reader does),
        // so no signature is known to be this process's own and every one is verified. (Until
        // 2026-12-04 the batch was handed over as entries, which the writer encoded into lines
        // first: work no receiver does.)
        let received = try ledger.next(bulkCount).map { try DecodedEntry(entry: $0).lineBytes }
        figures.receivedBulkBaseline = try Baselines.ed25519VerificationsPerSecond(perWorker: baselineSamplesPerWorker)
        let (_, receivedSeconds) = try Clock.measure { try writer.append(lines: received) }
        figures.receivedBulkSeconds = receivedSeconds
        // The member's state cache: what `emc verify --cache FILE --key KEY` saves after verifying.
        let cacheKey = try StateCacheKey(member: PrivateKey(), ledgerID: writer.state.ledgerID)
        try StateCache.save(writer.verified, to: cachePath, key: cacheKey, lockingLedger: path)
        try writer.append(try ledger.next(incrementalCount))
        let head = writer.state.headHash
        writer.close()
        let (verified, seconds) = try Clock.measure { () throws -> VerifiedLedger in
            guard let cached = StateCache.load(from: cachePath, key: cacheKey) else { throw BenchError("cannot load \(cachePath)") }
            return try Verifier.verify(path: path, resumingFrom: cached)
        }
        guard verified.state.headHash == head, verified.tornTail == nil else {
            throw BenchError("the incremental verify did not end at the written head")
        }
        figures.incrementalVerifyMilliseconds = seconds * 1e3
        figures.incrementalEntries = incrementalCount
    }

    var cachePath: String { directory + "/bench-member.emc-state" }

    /// Every file the benchmark leaves in its directory (its writers use no state cache; the
    /// one-shot appends leave a key pair and that member's cache).
    var createdFiles: [String] = []
}
