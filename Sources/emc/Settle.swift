import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Settle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Compute a period's settlement from the contract and the reports, show it, and append it.",
        discussion: "Periods settle in order, once each, after the period is over and every metric the rules read is reported."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The period to settle, YYYY-MM.") var period: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let target = try parsePeriodOption(period)
        let planned = try perform(.settle(period: target), on: ledger, signer: signer, append: append)
        guard case .settled(let computed) = planned.outcome else { return }
        print(SettlementText.render(computed), terminator: "")
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

