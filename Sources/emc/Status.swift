import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the contract in force, pending proposals, members, open periods and totals paid."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Flag(help: "Machine-readable JSON.") var json = false
    @Flag(help: "No progress on stderr.") var quiet = false

    func run() throws {
        let state = try readVerifiedState(ledger, quiet: quiet)
        if json { printJSON(StatusReport.json(state)) } else { StandardOutput.write(StatusReport.text(state)) }
    }
}

/// Verifies the whole ledger and returns its state; a torn tail is an error here.
func readVerifiedState(_ ledger: String, quiet: Bool) throws -> LedgerState {
    let progress = ProgressReporter(label: "reading", path: ledger, quiet: quiet)
    defer { progress.finish() }
    let verified = try Verifier.verify(path: ledger, progress: progress.update)
    try verified.requireNoTornTail(path: ledger)
    return verified.state
}
