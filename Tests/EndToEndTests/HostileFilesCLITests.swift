import Foundation
import Testing

/// Issue 11, finding 8, through the binary: no hang on a FIFO, no spin on a device, no silent
/// success when standard output fails, no death by SIGPIPE, no debris on a full disk.
@Suite struct HostileFilesCLITests {
    func lifecycleDirectory() throws -> URL {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("ledgers/valid/lifecycle.jsonl"),
                                         to: directory.appendingPathComponent("l.jsonl"))
        for name in ["yu", "chef"] {
            let key = directory.appendingPathComponent("\(name).key")
            try FileManager.default.copyItem(at: fixturesRoot.appendingPathComponent("keys/\(name).key"), to: key)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        }
        return directory
    }

    /// Runs `emc` with its standard output connected to `output` and a deadline; a process still
    /// running at the deadline is killed and reported as exit code -1.
    func runEMC(_ arguments: [String], in directory: URL, stdout output: FileHandle? = nil, timeoutSeconds: Double = 20) throws -> RunResult {
        let process = Process()
        process.executableURL = emcBinary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = output ?? outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return RunResult(exitCode: -1, stdout: "", stderr: "killed after \(timeoutSeconds) s")
        }
        let outData = output == nil ? outPipe.fileHandleForReading.readDataToEndOfFile() : Data()
        let errData = errPipe.fileHandleForReading.readDataToEndOfFile()
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return RunResult(exitCode: code, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test func aFIFOIsRefusedAtOnce() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(mkfifo(directory.appendingPathComponent("fifo").path, 0o644) == 0)
        for command in [["verify", "fifo"], ["status", "fifo"], ["log", "fifo"], ["repair", "fifo"],
                        ["report", "fifo", "--key", "yu.key", "--period", "2020-08", "--metric", "revenue", "--value", "1"]] {
            let result = try runEMC(command, in: directory)
            #expect(result.exitCode == 2, "emc \(command.joined(separator: " ")): \(result.stderr)")
            #expect(result.stderr.contains("not a regular file"), "\(result.stderr)")
        }
    }

    @Test func aDeviceIsRefusedAtOnce() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["repair", "/dev/zero"], ["verify", "/dev/zero"],
                        ["report", "/dev/zero", "--key", "yu.key", "--period", "2020-08", "--metric", "revenue", "--value", "1"]] {
            let result = try runEMC(command, in: directory, timeoutSeconds: 10)
            #expect(result.exitCode == 2, "emc \(command.joined(separator: " ")): \(result.stderr)")
            #expect(result.stderr.contains("not a regular file"), "\(result.stderr)")
        }
    }

    @Test func aFullOutputDeviceIsAnError() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["status", "l.jsonl"], ["audit", "l.jsonl", "--format", "csv"], ["log", "l.jsonl", "--json"], ["verify", "l.jsonl"]] {
            let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            defer { try? full.close() }
            let result = try runEMC(command, in: directory, stdout: full)
            #expect(result.exitCode == 2, "emc \(command.joined(separator: " ")): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("emc: error: cannot write to standard output"), "\(result.stderr)")
        }
    }

    /// `emc log | head -1`: the reader goes away; emc ends quietly with exit 0, as `git log` does.
    @Test func aClosedPipeIsAQuietSuccess() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try runEMC(["log", "l.jsonl"], in: directory, stdout: pipe.fileHandleForWriting)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test func keyFilesWithJunkAreRefused() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try String(contentsOf: directory.appendingPathComponent("yu.key"), encoding: .utf8)
        let chef = try String(contentsOf: directory.appendingPathComponent("chef.key"), encoding: .utf8)
        for (name, text) in [("junk.key", key + "trailing junk\n"), ("two.key", key + chef)] {
            let path = directory.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]))
            let result = try runEMC(["report", "l.jsonl", "--key", name, "--period", "2020-08", "--metric", "revenue", "--value", "1"], in: directory)
            #expect(result.exitCode == 2 && result.stderr.contains("exactly one PEM block"), "\(name): \(result.stderr)")
        }
    }

    /// `repair` that cannot write its backup copy (here: a file size limit, as on a full disk)
    /// fails with exit 2 and leaves neither a partial copy nor a changed ledger.
    @Test func repairOnAFullDiskLeavesNoPartialCopy() throws {
        let directory = try lifecycleDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledger = directory.appendingPathComponent("l.jsonl")
        var bytes = try Data(contentsOf: ledger)
        bytes += Data("{\"torn".utf8)
        try bytes.write(to: ledger)
        let bash = URL(fileURLWithPath: "/bin/bash")
        let result = try run(bash, ["-c", "trap '' XFSZ; ulimit -f 4; exec \"$0\" repair l.jsonl", emcBinary.path], in: directory)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("emc: error: "), "\(result.stderr)")
        #expect(try Data(contentsOf: ledger) == bytes)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!names.contains { $0.contains(".torn-") }, "\(names)")
    }
}
