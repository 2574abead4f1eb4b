import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every hash, signature and authorization in a ledger.",
        discussion: "Exit 0 when valid; 1 naming the first bad entry, or a torn tail (then run `emc repair`); 2 for usage or I/O errors."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Flag(help: "Print a JSON summary on stdout.") var json = false
    @Flag(help: "No progress on stderr.") var quiet = false
    @Option(help: ArgumentHelp("A state cache file you keep (needs --key): when it verifies under your key and fits the ledger, only entries appended since are verified; it is written after a successful verify. An existing file that is not a state cache of this ledger is never overwritten.", valueName: "file"))
    var cache: String?
    @Option(help: "Your private key (a .key file or ssh-agent:PUBFILE): it authenticates the --cache file; with --against it signs your side of a fork proof.") var key: String?
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: .hidden) var checkpoint: String?
    @OptionGroup var against: AgainstOptions

    func run() throws {
        if try against.runIfGiven(ledger: ledger, key: key) { return }
        if checkpoint != nil {
            throw CommandError(message: "--checkpoint is gone: keep a state cache with --cache FILE --key KEY (a signed checkpoint is something else)")
        }
        guard key != nil || cache == nil else { throw CommandError(message: "--cache needs --key (the key authenticates the cache)") }
        let member = try key.map { try passphrase.signer($0) }
        let saved = try cache.flatMap { cache in try member.flatMap { try loadCache(cache, member: $0) } }
        let progress = ProgressReporter(label: "verifying", path: ledger, quiet: quiet)
        let verified: VerifiedLedger
        var resumedAt: Int64? = nil
        do {
            if let saved, let resumed = try? Verifier.verify(path: ledger, resumingFrom: saved, progress: progress.update) {
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
        if let cache, let member {
            try StateCache.save(verified, to: cache, key: try StateCacheKey(member: member, ledgerID: state.ledgerID), lockingLedger: ledger)
        }
        if json {
            var fields: [String: JSONValue] = [
                "ok": .bool(true), "entries": .integer(state.headSeq), "members": .integer(Int64(state.members.count)),
                "head": .string(state.headHash), "ledger": .string(state.ledgerID),
            ]
            if let resumedAt { fields["resumed_after"] = .integer(resumedAt) }
            printJSON(.object(fields))
        } else {
            let resumed = resumedAt.map { $0 == state.headSeq ? " (no entries since the cache)" : " (verified entries \($0 + 1)-\(state.headSeq) after the cache)" } ?? ""
            StandardOutput.write("ok: \(state.headSeq) entries, \(state.members.count) members, head \(state.headHash)\(resumed)\n")
        }
    }

    /// The state cached in `path` if it verifies under `member`'s key; nil when there is none yet
    /// (or it does not verify: then everything is verified). Throws, before any work, when `path`
    /// exists and is not a state cache of this ledger, since it would be refused at the end.
    func loadCache(_ path: String, member: any EntrySigner) throws -> VerifiedLedger? {
        let ledgerID = try Verifier.verify(path: ledger, limit: 1).state.ledgerID
        try StateCache.checkWritable(path, ledgerID: ledgerID)
        return StateCache.load(from: path, key: try StateCacheKey(member: member, ledgerID: ledgerID))
    }
}
