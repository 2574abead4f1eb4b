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
        let planned = try perform(.rotateKey(newKey: replacement), on: ledger, signer: oldKey, append: append)
        guard case .rotated(let member, let keyID) = planned.outcome else { return }
        print("\(member) now signs with key \(keyID)")
    }
}
