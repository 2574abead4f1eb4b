import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report a metric value for a period (you must be a reporter the contract names).",
        discussion: "Example: emc report duck.jsonl --key yu.key --period 2020-09 --metric revenue --value 600000.00"
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The period, YYYY-MM.") var period: String
    @Option(help: "The metric name.") var metric: String
    // `.unconditional`: a negative value (`--value -25`) is a value, not a flag.
    @Option(parsing: .unconditional, help: "The value: money as 1234.56, a count as 42, a percent as 12.5 (negative values too: -25).")
    var value: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let period = try parsePeriodOption(self.period)
        // The value is written canonically (e.g. 600000 -> 600000.00) when it parses for the metric's type.
        let planned = try perform(.report(period: period, metric: metric, value: value), on: ledger, signer: signer, append: append)
        guard case .reported(_, let shown, _) = planned.outcome else { return }
        print("reported \(metric) = \(shown) for \(period)")
    }
}

func parsePeriodOption(_ text: String, flag: String = "--period") throws -> Period {
    guard let period = Period(text), period.description == text else {
        throw CommandError(message: "\(flag) \"\(text)\" is not a period YYYY-MM")
    }
    return period
}
