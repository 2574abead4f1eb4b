import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Repair: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Remove a torn tail (an interrupted final append) after copying the file aside.",
        discussion: "Refuses, leaving the file untouched (exit 1), when the ledger has any other damage."
    )
    @Argument(help: "The ledger file.") var ledger: String

    func run() throws {
        guard let result = try LedgerStore.repair(path: ledger) else {
            StandardOutput.write("nothing to repair: \(ledger) has no torn tail\n")
            return
        }
        StandardOutput.write("removed a torn tail of \(result.removedBytes) bytes; \(result.entries) entries remain; original kept at \(result.backupPath)\n")
    }
}
