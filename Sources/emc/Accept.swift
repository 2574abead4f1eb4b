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
    @Option(help: "Your private key.") var key: String
    @Option(help: "The hash of the contract version to accept.") var contractHash: String?
    @OptionGroup var append: AppendOptions

    func run() throws {
        let signer = try KeyFiles.loadPrivateKey(path: key)
        var accepted: (name: String, version: Int) = ("", 0)
        try LedgerStore.append(path: ledger, key: signer) { state in
            let keyID = signer.publicKey.keyID
            // A member joining through a pending amendment accepts that proposal.
            if state.memberName(forKeyID: keyID) == nil, let pending = state.pendingProposal,
               let joiner = pending.joiners.first(where: { $0.key.keyID == keyID }) {
                accepted = (joiner.name, pending.number)
                return [try EntryBuilder.accept(after: state, contractHash: pending.hash,
                                                time: try append.timestamp(after: state), key: signer)]
            }
            guard let name = state.memberName(forKeyID: keyID) else {
                throw CommandError(message: "\(key): key \(keyID) is not the current key of any member or joining member", exitCode: 1)
            }
            let version: ContractVersion
            if let contractHash {
                guard let found = state.contract(withHash: contractHash) else {
                    throw CommandError(message: "no contract version with hash \(contractHash) on this ledger", exitCode: 1)
                }
                version = found
            } else {
                guard let found = state.contracts.last(where: { !$0.acceptedBy.contains(name) && $0.status == .genesis }) else {
                    throw CommandError(message: "\(name) has already accepted the contract; amendments are approved with `emc vote`", exitCode: 1)
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
