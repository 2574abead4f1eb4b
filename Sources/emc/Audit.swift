import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports

struct Audit: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, beancount }

    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Export every payout and adjustment: period, member, amount, currency, version, rule, entry and hash.",
        discussion: "Adjustment rows are the change per member and rule made by a dispute; all rows sum to the totals paid. The beancount format loads with bean-check."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "csv, json or beancount.") var format: Format = .csv
    @Option(help: "First period to include, YYYY-MM.") var from: String?
    @Option(help: "Last period to include, YYYY-MM.") var to: String?

    func run() throws {
        let first = try from.map { try parsePeriodOption($0, flag: "--from") }
        let last = try to.map { try parsePeriodOption($0, flag: "--to") }
        if let first, let last, last < first {
            throw CommandError(message: "--from \(first) is after --to \(last); give the earlier period first")
        }
        let export = try AuditExport.read(source: FileReplay(path: ledger), from: first, to: last)
        switch format {
        case .csv: StandardOutput.write(AuditExport.csv(export))
        case .json: printJSON(AuditExport.json(export))
        case .beancount: StandardOutput.write(AuditExport.beancount(export))
        }
    }
}
