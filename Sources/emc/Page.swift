import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import LedgerStorage
import LedgerReports

struct Page: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "page",
        abstract: "Write a static site about the EMC: members, payouts, a chart, explanations, the contract in plain language.",
        discussion: """
        Writes DIR/index.html (no scripts, no network; readable on a phone), DIR/audit.csv and DIR/audit.beancount. \
        DIR must not exist, or be a directory an earlier `emc page` created (it holds the marker file \(PageDirectory.marker)); \
        other files are never overwritten. The latest checkpoint is shown when LEDGER.checkpoint exists or --checkpoint is given.
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The directory to write.") var out: String
    @Option(help: "A checkpoint file to show (default: LEDGER.checkpoint when it exists).") var checkpoint: String?

    func run() throws {
        let source = FileReplay(path: ledger)
        let (histories, state) = try PeriodHistory.collectAll(source: source)
        let audit = try AuditExport.read(source: source, from: nil, to: nil)
        var shown: (name: String, text: String)? = nil
        let checkpointPath = checkpoint ?? (FileManager.default.fileExists(atPath: ledger + ".checkpoint") ? ledger + ".checkpoint" : nil)
        if let checkpointPath { shown = (checkpointPath, try readTextFile(checkpointPath, what: "checkpoint", limit: 64 * 1024)) }
        let files = try LedgerPage(state: state, histories: histories, audit: audit, checkpoint: shown).files()
        let directory = try PageDirectory.claim(out)
        for file in files { try directory.write(file.name, file.text) }
        print("wrote \(files.map(\.name).joined(separator: ", ")) to \(out)")
    }
}

/// A directory `emc page` may write into: one it creates, or one it created before (marker file).
struct PageDirectory {
    static let marker = ".emc-page"
    let path: String

    static func claim(_ path: String) throws -> PageDirectory {
        let manager = FileManager.default
        let isDirectory = FileSystem.isDirectory(path)
        if isDirectory == nil {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            } catch {
                throw CommandError(message: "\(path): cannot create the directory (\(FileSystem.reason(error)))")
            }
            guard manager.createFile(atPath: path + "/" + marker, contents: Data("written by emc page\n".utf8)) else {
                throw CommandError(message: "\(path): cannot write \(marker)")
            }
            return PageDirectory(path: path)
        }
        let attributes = try? manager.attributesOfItem(atPath: path + "/" + marker)
        guard isDirectory == true, attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw CommandError(message: "\(path) exists and was not written by `emc page` (no \(marker) in it); choose a new directory")
        }
        return PageDirectory(path: path)
    }

    /// Writes `name` atomically; refuses to replace anything but a regular file.
    func write(_ name: String, _ text: String) throws {
        let target = path + "/" + name
        if let type = (try? FileManager.default.attributesOfItem(atPath: target))?[.type] as? FileAttributeType, type != .typeRegular {
            throw CommandError(message: "\(target) exists and is not a regular file; not overwritten")
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
        } catch {
            throw CommandError(message: "\(target): cannot write (\(FileSystem.reason(error)))")
        }
    }
}
