import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Accept: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign your acceptance of a contract version.",
        discussion: "Every member accepts the genesis contract; a member joining through an amendment accepts that proposal (with its new key). Members of the version in force approve amendments with `emc vote`."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: signingKeyHelp) var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(help: "The hash of the contract version to accept (a unique prefix of at least 8 hex digits will do).") var contractHash: String?
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try passphrase.signer(key)
        let planned = try perform(.accept(contractHash: contractHash), on: ledger, signer: signer, append: append)
        guard case .accepted(let name, let version) = planned.outcome else { return }
        print("\(name) accepted contract version \(version)")
    }
}
