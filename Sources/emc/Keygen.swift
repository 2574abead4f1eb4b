import ArgumentParser
import LedgerCrypto

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an Ed25519 key pair NAME.key (0600) and NAME.pub.")
    @Argument(help: "Member name; the files are NAME.key and NAME.pub.") var name: String
    @Option(help: "Directory to write the key files into.") var dir: String = "."

    func run() throws {
        let key = try PrivateKey()
        let paths = try KeyFiles.write(key, name: name, directory: dir)
        print("\(key.publicKey.keyID)  \(paths.privatePath)  \(paths.publicPath)")
    }
}
