import ArgumentParser
import LedgerCrypto
import LedgerTransparency

struct Vkey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vkey",
        abstract: "Print the note verifier key of a public key: NAME+keyid+base64(0x01 ‖ key), as Go's note.NewVerifier reads it.",
        discussion: "NAME is the member's name in the ledger (her note key name). Example: emc vkey yu.pub --name yu"
    )
    @Argument(help: "The public key file (PEM).") var publicKeyFile: String
    @Option(help: "The member name (the note key name).") var name: String

    func run() throws {
        let key = try KeyFiles.loadPublicKey(path: publicKeyFile)
        do { print(try NoteVerifier(name: name, publicKey: key).verifierKey) } catch {
            throw CommandError(message: "\(publicKeyFile): \(error.reason)")
        }
    }
}
