import Foundation
import ContractLanguage
import Ledger
import LedgerCrypto
import LedgerStorage
#if canImport(Glibc)
import Glibc
#endif

/// One `emc report` process per entry, as a script imports reports: start, open the ledger from the
/// member's warm state cache, append one durable entry, save the cache, exit. Each run is timed
/// from `posix_spawn` to `waitpid` and set beside a bare start of the same binary (`emc --help`).
struct OneShotFigures {
    var append = Samples()
    var bareStart = Samples()
    /// CPU seconds (user + system) of each `emc report` child.
    var appendCPU = Samples()
    var runs: Int { append.count }
}

enum OneShotBench {
    /// The `emc` executable next to this benchmark's own (both are products of one build).
    static func emcPath() throws -> String {
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = (own as NSString).deletingLastPathComponent + "/emc"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError("no emc binary next to emc-bench at \(path) (swift build -c release --product emc)")
        }
        return path
    }

    /// `runs` pairs of (bare start, one `emc report`) on the ledger at `path`, with the reporter's
    /// key written into `directory`. The first report (not timed) makes the member's state cache.
    static func measure(path: String, directory: String, ledger: SyntheticLedger, runs: Int) throws -> (OneShotFigures, [String]) {
        let emc = try emcPath()
        let metric = ledger.contract.metrics[0]
        let key = ledger.keys[metric.reporter]!
        let keyName = "bench-one-shot-\(metric.reporter)"
        for suffix in [".key", ".pub"] { unlink(directory + "/" + keyName + suffix) }
        let keyPath = try KeyFiles.write(key, name: keyName, directory: directory)
        let created = [keyPath.privatePath, keyPath.publicPath, StateCache.path(forLedger: path, keyID: key.publicKey.keyID),
                       StateCache.temporaryPath(for: StateCache.path(forLedger: path, keyID: key.publicKey.keyID))]
        // The open period, and the time its reports claim (the synthetic clock runs far ahead of this machine's).
        let value = ledger.contract.value(of: metric, periodIndex: ledger.periodIndex)
        let report = [emc, "report", path, "--key", keyPath.privatePath, "--period", ledger.period.description, "--metric", metric.name,
                      "--value", value, "--time", ledger.time(hour: 1).text]
        var figures = OneShotFigures()
        _ = try spawnAndWait(report)   // makes the cache
        for _ in 0..<runs {
            figures.bareStart.add(try spawnAndWait([emc, "--help"]).seconds * 1e3)
            let run = try spawnAndWait(report)
            figures.append.add(run.seconds * 1e3)
            figures.appendCPU.add(run.cpuSeconds * 1e3)
        }
        return (figures, created)
    }

    /// Runs `arguments` (the first is the executable) with stdout and stderr on /dev/null; throws
    /// unless it exits 0. Returns the wall seconds from spawn to reaped exit and the child's CPU.
    static func spawnAndWait(_ arguments: [String]) throws -> (seconds: Double, cpuSeconds: Double) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let cpuBefore = cpuSeconds(children: true)
        let start = Clock.nowNanoseconds()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(Clock.nowNanoseconds() - start) / 1e9
        // WIFEXITED and WEXITSTATUS, spelled out (Glibc's macros do not reach Swift).
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw BenchError("\(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
        return (seconds, cpuSeconds(children: true) - cpuBefore)
    }
}

/// Instruction counts from `perf stat`, where the machine exposes them (many virtual machines do not).
enum InstructionCounts {
    /// Instructions of one `emc-bench --verify-only FILE` child, or why there are none.
    static func verify(path: String) -> String {
        guard let perf = ["/usr/bin/perf", "/usr/local/bin/perf"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "unavailable (no perf)"
        }
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return "unavailable" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: perf)
        process.arguments = ["stat", "-x", ",", "-e", "instructions:u", "--", own, "--verify-only", path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unavailable (perf does not start)" }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.contains("instructions") } ?? ""
        guard process.terminationStatus == 0, let count = line.split(separator: ",").first.flatMap({ Double($0) }) else {
            return "unavailable (perf stat: \(line.isEmpty ? "no count" : String(line.prefix(60))); count with valgrind --tool=callgrind, see README)"
        }
        return "\(Report.number(count / 1e6, decimals: 1)) M instructions (user) for the whole verify"
    }
}
