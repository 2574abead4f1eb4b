import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every hash, signature and authorization in a ledger.",
        discussion: "Exit 0 when valid; 1 naming the first bad entry, or a torn tail (then run `emc repair`); 2 for usage or I/O errors."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Flag(help: "Print a JSON summary on stdout.") var json = false
    @Flag(help: "No progress on stderr.") var quiet = false
    @Option(help: "A checkpoint file you keep: when it matches the ledger, only entries appended since are verified; it is updated after a successful verify.")
    var checkpoint: String?
    @OptionGroup var against: AgainstOptions

    func run() throws {
        if try against.runIfGiven(ledger: ledger) { return }
        let progress = ProgressReporter(label: "verifying", path: ledger, quiet: quiet)
        let verified: VerifiedLedger
        var resumedAt: Int64? = nil
        do {
            if let checkpoint, let saved = Checkpoint.load(from: checkpoint),
               let resumed = try? Verifier.verify(path: ledger, resumingFrom: saved, progress: progress.update) {
                verified = resumed
                resumedAt = saved.entryCount
            } else {
                verified = try Verifier.verify(path: ledger, progress: progress.update)
            }
            progress.finish()
        } catch {
            progress.finish()
            if json {
                var fields: [String: JSONValue] = ["ok": .bool(false), "error": .string(error.reason), "code": .string(error.code.rawValue)]
                if let seq = error.seq { fields["seq"] = .integer(seq) }
                if let line = error.line { fields["line"] = .integer(Int64(line)) }
                printJSON(.object(fields))
            }
            throw error
        }
        let state = verified.state
        if let torn = verified.tornTailError(path: ledger) {
            if json {
                printJSON(.object(["ok": .bool(false), "code": .string("tornTail"), "error": .string(torn.reason),
                                   "entries": .integer(verified.entryCount), "line": .integer(verified.entryCount + 1)]))
            }
            throw torn
        }
        if let checkpoint { Checkpoint.save(verified, to: checkpoint) }
        if json {
            var fields: [String: JSONValue] = [
                "ok": .bool(true), "entries": .integer(state.headSeq), "members": .integer(Int64(state.members.count)),
                "head": .string(state.headHash), "ledger": .string(state.ledgerID),
            ]
            if let resumedAt { fields["resumed_after"] = .integer(resumedAt) }
            printJSON(.object(fields))
        } else {
            let resumed = resumedAt.map { $0 == state.headSeq ? " (no entries since the checkpoint)" : " (verified entries \($0 + 1)-\(state.headSeq) after the checkpoint)" } ?? ""
            print("ok: \(state.headSeq) entries, \(state.members.count) members, head \(state.headHash)\(resumed)")
        }
    }
}
