import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Dispute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispute",
        abstract: "Contest reports of a settled period with corrected values; decided by the votes of all members.",
        discussion: "Example: emc dispute duck.jsonl --key chef.key --period 2021-09 --set revenue=1800000.00 --reason \"cancelled order\". Members vote with `emc vote --proposal SEQ`; the adopting vote appends the adjustment settlement."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The settled period, YYYY-MM.") var period: String
    @Option(name: .customLong("set"), help: "A corrected value, METRIC=VALUE (repeat for several).") var corrections: [String] = []
    @Option(help: "Why the reports are wrong.") var reason: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let target = try parsePeriodOption(period)
        let pairs = try corrections.map(parseAssignment)
        guard !pairs.isEmpty else { throw CommandError(message: "give at least one --set METRIC=VALUE") }
        let planned = try perform(.dispute(period: target, corrections: pairs, reason: reason), on: ledger, signer: signer, append: append)
        guard case .disputed(let seq, _, let status) = planned.outcome else { return }
        if let adjustment = planned.adjustment {
            // The disputer is the only active member: adopted at once, adjusted in the same write.
            print("dispute \(seq) on \(target) is \(status) (you are the only active member)")
            print(AdjustmentText.render(adjustment), terminator: "")
        } else {
            print("dispute \(seq) on \(target); members vote with `emc vote \(ledger) --proposal \(seq) --approve` (or --reject)")
        }
    }
}

struct Adjust: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adjust", abstract: "Append the adjustment settlement of an adopted dispute (if the adopting vote did not).")
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The dispute's entry number.") var dispute: Int64
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let planned = try perform(.adjust(dispute: dispute), on: ledger, signer: signer, append: append)
        if let adjustment = planned.adjustment { print(AdjustmentText.render(adjustment), terminator: "") }
    }
}

/// `METRIC=VALUE`.
func parseAssignment(_ text: String) throws -> (metric: String, value: String) {
    guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw CommandError(message: "--set \"\(text)\" must be METRIC=VALUE")
    }
    return (String(text[..<equals]), String(text[text.index(after: equals)...]))
}

enum AdjustmentText {
    static func render(_ computed: LedgerState.ComputedAdjustment) -> String {
        let currency = computed.periods[0].version.contract.currency
        var text = "adjustment for dispute \(computed.dispute.seq) (\(computed.dispute.period)): \(EntrySummary.counted(computed.periods.count, "period")) re-settled\n"
        for adjusted in computed.periods {
            let changes = adjusted.differences.map { "\($0.member) \(signed($0.amountMinor, currency))" }
            text += "  \(adjusted.record.period): \(changes.isEmpty ? "no change" : changes.joined(separator: ", "))\n"
        }
        let total = computed.differences.map { "\($0.member) \(signed($0.amountMinor, currency))" }
        text += "  total: \(total.isEmpty ? "no change" : total.joined(separator: ", ")) \(currency.code)\n"
        return text
    }

    static func signed(_ amount: Int64, _ currency: Currency) -> String {
        (amount > 0 ? "+" : "") + formatMinorUnits(amount, currency: currency)
    }
}
