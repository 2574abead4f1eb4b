import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct RotateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Replace your key; the entry is signed by the old key and the new key."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your current private key.") var key: String
    @Option(help: "The new private key (create it with `emc keygen`).") var newKey: String
    @OptionGroup var append: AppendOptions

    func run() throws {
        let oldKey = try KeyFiles.loadPrivateKey(path: key)
        let replacement = try KeyFiles.loadPrivateKey(path: newKey)
        var member = ""
        try LedgerStore.append(path: ledger, key: oldKey) { state in
            guard let name = state.memberName(forKeyID: oldKey.publicKey.keyID) else {
                throw CommandError(message: "\(key): key \(oldKey.publicKey.keyID) is not the current key of any member", exitCode: 1)
            }
            member = name
            return [try EntryBuilder.rotateKey(after: state, member: name, oldKey: oldKey, newKey: replacement,
                                               time: try append.timestamp(after: state))]
        }
        print("\(member) now signs with key \(replacement.publicKey.keyID)")
    }
}
