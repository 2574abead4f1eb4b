import ArgumentParser
import Ledger
import LedgerCrypto

struct Accept: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign your acceptance of a contract version.",
        discussion: "Without --contract-hash, accepts the newest version you have not accepted yet."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your private key.") var key: String
    @Option(help: "The hash of the contract version to accept.") var contractHash: String?
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        var accepted: (name: String, version: Int) = ("", 0)
        try LedgerStore.append(path: ledger) { state in
            guard let name = state.memberName(forKeyID: signer.publicKey.keyID) else {
                throw CommandError(message: "\(key): key \(signer.publicKey.keyID) is not the current key of any member", exitCode: 1)
            }
            let version: ContractVersion
            if let contractHash {
                guard let found = state.contract(withHash: contractHash) else {
                    throw CommandError(message: "no contract version with hash \(contractHash) on this ledger", exitCode: 1)
                }
                version = found
            } else {
                guard let found = state.contracts.last(where: { !$0.acceptedBy.contains(name) }) else {
                    throw CommandError(message: "\(name) has already accepted every contract version", exitCode: 1)
                }
                version = found
            }
            accepted = (name, version.number)
            return [try EntryBuilder.accept(after: state, contractHash: version.hash,
                                            time: try append.timestamp(after: state), key: signer)]
        }
        print("\(accepted.name) accepted contract version \(accepted.version)")
    }
}
