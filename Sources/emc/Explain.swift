import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a settled period: the contract version, the reports used, every rule and condition, the split arithmetic.",
        discussion: "With --member, shows that member's payouts and, for each rule that paid it nothing, what stopped it."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The settled period, YYYY-MM.") var period: String
    @Option(help: "Explain for this member only.") var member: String?
    @Flag(help: "Machine-readable JSON.") var json = false

    func run() throws {
        let history = try PeriodHistory.read(source: FileReplay(path: ledger), period: try parsePeriodOption(period))
        if let member, let settled = history.settlement, !settled.computed.version.contract.members.contains(where: { $0.name == member }) {
            throw CommandError(message: "\(ledger): \"\(member)\" is not a member of the contract that governs \(period)")
        }
        if json { printJSON(ExplainReport.json(history, member: member)) } else { print(ExplainReport.text(history, member: member), terminator: "") }
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "The full state as of entry SEQ (reading only entries 1...SEQ); at the last entry it equals `emc status`."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "The entry number to stop after.") var at: Int64
    @Flag(help: "Machine-readable JSON.") var json = false

    func run() throws {
        guard at >= 1 else { throw CommandError(message: "--at must be an entry number (1 or more)") }
        let state = try Verifier.verify(path: ledger, limit: at).state
        if json { printJSON(StatusReport.json(state)) } else { print(StatusReport.text(state), terminator: "") }
    }
}
