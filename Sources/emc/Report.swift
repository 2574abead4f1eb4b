import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a metric value for a period (you must be a reporter the contract names).",
        discussion: "Example: emc report duck.jsonl --key yu.key --period 2020-09 --metric revenue --value 600000.00"
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The period, YYYY-MM.") var period: String
    @Option(help: "The metric name.") var metric: String
    @Option(help: "The value: money as 1234.56, a count as 42, a percent as 12.5.") var value: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        let period = try parsePeriodOption(self.period)
        var shown = ""
        try LedgerStore.append(path: ledger, key: signer) { state in
            let contract = state.governingVersion(for: period).contract
            // Write the value canonically (e.g. 600000 -> 600000.00) when it parses for the metric's type.
            let text = canonicalValue(value, metric: metric, contract: contract)
            shown = text
            return [try EntryBuilder.report(after: state, period: period, metric: metric, value: text,
                                            time: try append.timestamp(after: state), key: signer)]
        }
        print("reported \(metric) = \(shown) for \(period)")
    }
}

func parsePeriodOption(_ text: String, flag: String = "--period") throws -> Period {
    guard let period = Period(text), period.description == text else {
        throw CommandError(message: "\(flag) \"\(text)\" is not a period YYYY-MM")
    }
    return period
}
