import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Dispute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contest reports of a settled period with corrected values; decided by the votes of all members.",
        discussion: "Example: emc dispute duck.jsonl --key chef.key --period 2021-09 --set revenue=1800000.00 --reason \"cancelled order\". Members vote with `emc vote --proposal SEQ`; the adopting vote appends the adjustment settlement."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The settled period, YYYY-MM.") var period: String
    @Option(name: .customLong("set"), help: "A corrected value, METRIC=VALUE (repeat for several).") var corrections: [String] = []
    @Option(help: "Why the reports are wrong.") var reason: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        let target = try parsePeriodOption(period)
        let pairs = try corrections.map(parseAssignment)
        guard !pairs.isEmpty else { throw CommandError(message: "give at least one --set METRIC=VALUE") }
        var seq: Int64 = 0
        try LedgerStore.append(path: ledger, key: signer) { state in
            let contract = state.governingVersion(for: target).contract
            let canonical = pairs.map { pair in (pair.metric, canonicalValue(pair.value, metric: pair.metric, contract: contract)) }
            seq = state.headSeq + 1
            return [try EntryBuilder.dispute(after: state, period: target, corrections: canonical, reason: reason,
                                             time: try append.timestamp(after: state), key: signer)]
        }
        print("dispute \(seq) on \(target); members vote with `emc vote \(ledger) --proposal \(seq) --approve` (or --reject)")
    }
}

struct Adjust: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Append the adjustment settlement of an adopted dispute (if the adopting vote did not).")
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The dispute's entry number.") var dispute: Int64
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        var shown = ""
        try LedgerStore.append(path: ledger, key: signer) { state in
            shown = AdjustmentText.render(try state.computeAdjustment(for: dispute))
            return [try EntryBuilder.adjust(after: state, dispute: dispute, time: try append.timestamp(after: state), key: signer)]
        }
        print(shown, terminator: "")
    }
}

/// `METRIC=VALUE`.
func parseAssignment(_ text: String) throws -> (metric: String, value: String) {
    guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw CommandError(message: "--set \"\(text)\" must be METRIC=VALUE")
    }
    return (String(text[..<equals]), String(text[text.index(after: equals)...]))
}

/// The canonical text of `value` for `metric` when it parses; otherwise the text as given (the
/// state machine then names the problem).
func canonicalValue(_ value: String, metric: String, contract: Contract) -> String {
    guard let declared = contract.metrics.first(where: { $0.name == metric }),
          let parsed = declared.type.parseValue(value, currency: contract.currency) else { return value }
    return parsed.canonicalText(currency: contract.currency)
}

enum AdjustmentText {
    static func render(_ computed: LedgerState.ComputedAdjustment) -> String {
        let currency = computed.periods[0].version.contract.currency
        var text = "adjustment for dispute \(computed.dispute.seq) (\(computed.dispute.period)): \(computed.periods.count) period(s) re-settled\n"
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
