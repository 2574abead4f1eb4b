import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List the entries: sequence, time, kind, signer and a summary.")
    @Argument(help: "The ledger file.") var ledger: String
    @Flag(help: "One JSON object per entry.") var json = false

    /// The seq column is right-aligned to this width (a million entries before it grows).
    static let seqWidth = 6

    func run() throws {
        let verified = try Verifier.verify(path: ledger, willApply: { decoded, state in
            let entry = decoded.entry
            let signer = EntrySummary.signer(of: entry, in: state)
            let summary = EntrySummary.text(of: entry, in: state)
            if json {
                printJSON(.object(["seq": .integer(entry.seq), "time": .string(entry.time.text), "kind": .string(entry.kind),
                                   "signer": .string(signer), "summary": .string(summary), "hash": .string(decoded.hash)]))
            } else {
                StandardOutput.write("\(String(entry.seq).leftPadded(Self.seqWidth))  \(entry.time)  \(entry.kind.padded(12))  \(signer.padded(12))  \(summary)\n")
            }
        })
        try verified.requireNoTornTail(path: ledger)
    }
}

