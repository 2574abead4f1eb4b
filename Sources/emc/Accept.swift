import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Accept: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Sign your acceptance of a contract version.",
        discussion: """
        Every member accepts the genesis contract; a member joining through an amendment accepts that proposal (with its new key). \
        Members of the version in force approve amendments with `emc vote`. The entry carries the hash of the contract's \
        plain-language text (`emc show`); on a terminal it is shown first and you confirm with y.
        """
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The hash of the contract version to accept (a unique prefix of at least 8 hex digits will do).") var contractHash: String?
    @Flag(help: "Do not show the contract and ask before signing.") var yes = false
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        var target = contractHash
        if !yes && isInteractive {
            // Read first, show what will be signed, then sign exactly that version.
            let state = try readVerifiedState(ledger, quiet: true)
            let (name, version) = try state.acceptTarget(signer: signer.publicKey, hash: contractHash)
            try confirmBeforeSigning(ContractView(version).text + "\n",
                                     question: "Sign as \(name) your acceptance of contract version \(version.number)?", yes: yes)
            target = version.hash
        }
        let planned = try perform(.accept(contractHash: target), on: ledger, signer: signer, append: append)
        guard case .accepted(let name, let version) = planned.outcome else { return }
        print("\(name) accepted contract version \(version)")
    }
}
