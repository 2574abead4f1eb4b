import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerCrypto

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair NAME.key (0600) and NAME.pub.",
        discussion: "With --encrypt, NAME.key is encrypted PKCS#8 (PBKDF2, AES-256-CBC; what `openssl genpkey -aes-256-cbc` writes) under a passphrase typed twice at the terminal, or read from --passphrase-file / $EMC_PASSPHRASE_FILE. The directory is created (0700) when missing."
    )
    @Argument(help: "Member name; the files are NAME.key and NAME.pub.") var name: String
    @Option(help: "Directory to write the key files into.") var dir: String = "."
    @Flag(help: "Encrypt NAME.key under a passphrase.") var encrypt = false
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        try createDirectoryIfMissing(dir)
        let key = try PrivateKey()
        let secret = encrypt ? try passphrase.passphrase(for: "\(dir)/\(name).key", confirm: true) : nil
        let paths = try KeyFiles.write(key, name: name, directory: dir, passphrase: secret)
        print("\(key.publicKey.keyID)  \(paths.privatePath)  \(paths.publicPath)")
    }

    /// Creates `path` (and missing parents) with mode 0700: it will hold private keys.
    func createDirectoryIfMissing(_ path: String) throws {
        if let isDirectory = FileSystem.isDirectory(path) {
            guard isDirectory else { throw CommandError(message: "--dir \(path): exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandError(message: "--dir \(path): cannot create the directory (\(FileSystem.reason(error)))")
        }
    }
}

struct KeyID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key-id",
        abstract: "Print the key id of public key files (SPKI PEM or OpenSSH ssh-ed25519), to check them with their owners.",
        discussion: "The key id is the first 8 bytes of SHA-256(\"emc-key-id-v1\" 0x00 ‖ raw key) in hex (SPEC §1.2); `emc keygen` and `emc status` print the same ids."
    )
    @Argument(help: "Public key files (.pub).") var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one public key file") }
    }

    func run() throws {
        for file in files {
            let key = try KeyFiles.loadPublicKey(path: file)
            print("\(key.keyID)  \(file)")
        }
    }
}
