import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Show what an amendment changed between two contract versions: members, shares, metrics, goals, rules.")
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The earlier version number (1 is the genesis contract).") var from: Int
    @Option(help: "The later version number.") var to: Int
    @Flag(help: "Machine-readable JSON.") var json = false

    func run() throws {
        let state = try readVerifiedState(ledger, quiet: true)
        guard let old = state.version(number: from), let new = state.version(number: to) else {
            throw CommandError(message: "\(ledger): the ledger has contract versions 1 to \(state.contracts.count)", exitCode: 2)
        }
        let changes = ContractDiff.changes(from: old.contract, to: new.contract)
        if json { printJSON(ContractDiff.json(changes, from: old, to: new)) } else { print(ContractDiff.text(changes, from: old, to: new), terminator: "") }
    }
}
