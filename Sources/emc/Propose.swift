import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Propose: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose an amendment: a new contract version, effective from a future period.",
        discussion: "Adopted when every member of the version in force approves (the proposal is the proposer's approval) and every joining member accepts. New members join with --member NAME=ROLE:PUBFILE."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The full text of the new contract version.") var contract: String
    @Option(help: "The first period the new version governs, YYYY-MM.") var effective: String
    @Option(help: "Why the contract should change.") var reason: String
    @Option(name: .customLong("member"), help: "A member joining with this version, NAME=ROLE:PUBFILE.") var members: [String] = []
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        let effectivePeriod = try parsePeriodOption(effective, flag: "--effective")
        let text = try readTextFile(contract, what: "contract", limit: 64 * 1024)
        let joiners = try members.map(parseMemberSpec)
        var seq: Int64 = 0
        try LedgerStore.append(path: ledger, key: signer) { state in
            seq = state.headSeq + 1
            return [try EntryBuilder.propose(after: state, contract: text, effective: effectivePeriod, reason: reason,
                                             joiners: joiners, time: try append.timestamp(after: state), key: signer)]
        }
        print("proposal \(seq): contract \(Entry.contractHash(text).prefix(16))… effective \(effectivePeriod); members vote with `emc vote \(ledger) --proposal \(seq) --approve`")
    }
}

struct Vote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Approve or reject an open proposal or dispute.",
        discussion: "The vote that adopts a dispute also appends its adjustment settlement."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The entry number of the proposal or dispute.") var proposal: Int64
    @Flag(help: "Approve the proposal.") var approve = false
    @Flag(help: "Reject the proposal (any rejection closes it).") var reject = false
    @OptionGroup var append: AppendOptions

    func validate() throws {
        guard approve != reject else { throw ValidationError("give exactly one of --approve or --reject") }
    }

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        var outcome = ""
        var adjustment = ""
        try LedgerStore.append(path: ledger, key: signer) { state in
            let time = try append.timestamp(after: state)
            let entry = try EntryBuilder.vote(after: state, proposal: proposal, approve: approve, time: time, key: signer)
            let after = try state.applying(DecodedEntry(entry: entry))
            if let dispute = after.dispute(at: proposal) {
                outcome = dispute.status.rawValue
                // An adopted correction is settled at once: the adjustment goes in the same durable write.
                if dispute.status == .adopted {
                    let computed = try after.computeAdjustment(for: proposal)
                    adjustment = AdjustmentText.render(computed)
                    return [entry, try EntryBuilder.adjust(after: after, dispute: proposal, time: time, key: signer)]
                }
            } else {
                outcome = after.contracts.first { $0.introducedAt == proposal }.map { $0.status.rawValue } ?? "?"
            }
            return [entry]
        }
        print("voted \(approve ? "approve" : "reject") on \(proposal); it is now \(outcome)")
        print(adjustment, terminator: "")
    }
}

struct Withdraw: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Withdraw your own open proposal or dispute.")
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The proposal's entry number.") var proposal: Int64
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        try LedgerStore.append(path: ledger, key: signer) { state in
            [try EntryBuilder.withdraw(after: state, proposal: proposal, time: try append.timestamp(after: state), key: signer)]
        }
        print("withdrew proposal \(proposal)")
    }
}
