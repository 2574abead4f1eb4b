import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
import LedgerClient

struct RotateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Replace your key; the entry is signed by the old key and the new key."
    )
    @Argument(help: "The ledger file.") var ledger: String
    @Option(help: "Your current private key (a .key file or ssh-agent:PUBFILE).") var key: String
    @Option(help: "The new private key (create it with `emc keygen`), or ssh-agent:PUBFILE.") var newKey: String
    @OptionGroup var passphrase: PassphraseOptions
    @OptionGroup var append: AppendOptions

    func run() throws {
        let oldKey = try passphrase.signer(key)
        let replacement = try passphrase.signer(newKey)
        let planned = try perform(.rotateKey(newKey: replacement), on: ledger, signer: oldKey, append: append)
        guard case .rotated(let member, let keyID) = planned.outcome else { return }
        // A shared ledger's requests are signed with the current key: point its configuration at the new one.
        if !append.offline, var config = try RemoteConfig.load(forLedger: ledger), !newKey.hasPrefix("ssh-agent:") {
            config.keyPath = absolutePath(newKey)
            try config.save(forLedger: ledger)
        }
        print("\(member) now signs with key \(keyID)")
    }
}
