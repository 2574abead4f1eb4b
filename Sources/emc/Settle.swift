import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Settle: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute a period's settlement from the contract and the reports, show it, and append it.",
        discussion: "Periods settle in order, once each, after the period is over and every metric the rules read is reported."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key (any member may settle).") var key: String
    @Option(help: "The period to settle, YYYY-MM.") var period: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        let target = try parsePeriodOption(period)
        var shown = ""
        try LedgerStore.append(path: ledger, key: signer) { state in
            let computed = try state.computeSettlement(of: target)
            shown = SettlementText.render(computed)
            return [try EntryBuilder.settle(after: state, period: target, time: try append.timestamp(after: state), key: signer)]
        }
        print(shown, terminator: "")
    }
}

/// Readable text for a computed settlement.
enum SettlementText {
    static func render(_ computed: LedgerState.ComputedSettlement) -> String {
        let currency = computed.version.contract.currency
        let settlement = computed.settlement
        var text = "settlement of \(settlement.period) under contract version \(computed.version.number)\n"
        if settlement.payouts.isEmpty { text += "  no payouts\n" }
        for payout in settlement.payouts {
            text += "  \(payout.member.padded(10)) \(formatMinorUnits(payout.amountMinor, currency: currency).leftPadded(14)) \(currency.code)  (\(payout.rule))\n"
        }
        let total = settlement.payouts.reduce(Int64(0)) { $0 + $1.amountMinor }
        text += "  \("total".padded(10)) \(formatMinorUnits(total, currency: currency).leftPadded(14)) \(currency.code)\n"
        for outcome in settlement.goalOutcomes {
            let ratings = outcome.ratingChanges.map { "\($0.member) \($0.delta > 0 ? "+" : "")\($0.delta)★" }
            text += "  goal \(outcome.goal): \(outcome.met ? "met" : "missed")"
            if !ratings.isEmpty { text += "; ratings \(ratings.joined(separator: ", "))" }
            if !outcome.forfeitedRules.isEmpty { text += "; forfeits \(outcome.forfeitedRules.joined(separator: ", "))" }
            text += "\n"
        }
        return text
    }
}

