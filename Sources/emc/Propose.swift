import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Propose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Propose an amendment: a new contract version, effective from a future period.",
        discussion: "Adopted when every member of the version in force approves (the proposal is the proposer's approval) and every joining member accepts. New members join with --member NAME=ROLE:PUBFILE."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The full text of the new contract version.") var contract: String
    @Option(help: "The first period the new version governs, YYYY-MM.") var effective: String
    @Option(help: "Why the contract should change.") var reason: String
    @Option(name: .customLong("member"), help: "A member joining with this version, NAME=ROLE:PUBFILE.") var members: [String] = []
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let effectivePeriod = try parsePeriodOption(effective, flag: "--effective")
        let text = try readTextFile(contract, what: "contract", limit: 64 * 1024)
        let joiners = try members.map(parseMemberSpec)
        let planned = try perform(.propose(contract: text, effective: effectivePeriod, reason: reason, joiners: joiners),
                                  on: ledger, signer: signer, append: append)
        guard case .proposed(let seq, let hash, _) = planned.outcome else { return }
        print("proposal \(seq): contract \(hash.prefix(16))… effective \(effectivePeriod); members vote with `emc vote \(ledger) --proposal \(seq) --approve`")
    }
}

struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vote",
        abstract: "Approve or reject an open proposal or dispute.",
        discussion: "The vote that adopts a dispute also appends its adjustment settlement."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The entry number of the proposal or dispute.") var proposal: Int64
    @Flag(help: "Approve the proposal.") var approve = false
    @Flag(help: "Reject the proposal (any rejection closes it).") var reject = false
    @Flag(help: "Do not show the preview of an amendment and ask before signing.") var yes = false
    @OptionGroup var append: AppendOptions

    func validate() throws {
        guard approve != reject else { throw ValidationError("give exactly one of --approve or --reject") }
    }

    func run() throws {
        let signer = try passphrase.signer(key)
        if !yes && isInteractive {
            // On a terminal, an amendment's vote shows its plain-language text and its preview first.
            let state = try readVerifiedState(ledger, quiet: true)
            if let version = state.contracts.first(where: { $0.introducedAt == proposal && $0.number > 1 }) {
                let preview = try LedgerReports.Preview.compute(state: state, proposal: proposal, periods: 12)
                try confirmBeforeSigning(ContractView(version).text + "\n" + preview.text + "\n",
                                         question: "Sign your \(approve ? "approval" : "rejection") of proposal \(proposal)?", yes: yes)
            }
        }
        // An adopted correction is settled at once: the adjustment goes in the same durable write.
        let planned = try perform(.vote(proposal: proposal, approve: approve), on: ledger, signer: signer, append: append)
        guard case .voted(_, _, let status) = planned.outcome else { return }
        print("voted \(approve ? "approve" : "reject") on \(proposal); it is now \(status)")
        if let adjustment = planned.adjustment { print(AdjustmentText.render(adjustment), terminator: "") }
    }
}

struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "withdraw", abstract: "Withdraw your own open proposal or dispute.")
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The proposal's entry number.") var proposal: Int64
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        _ = try perform(.withdraw(proposal: proposal), on: ledger, signer: signer, append: append)
        print("withdrew proposal \(proposal)")
    }
}
