import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// What `--key` takes, in every command that signs.
let signingKeyHelp = ArgumentHelp(
    "Your private key: a PKCS#8 PEM .key file (encrypted ones ask for the passphrase), or ssh-agent:PUBFILE to sign with that key in your ssh-agent.",
    valueName: "key")

/// Where the passphrase of an encrypted `--key` comes from, for every command that reads one.
struct PassphraseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A file whose first line is the passphrase of an encrypted key (default: the file named by $EMC_PASSPHRASE_FILE; else a prompt on the terminal).", valueName: "file"))
    var passphraseFile: String?

    /// The signer `--key SPEC` names: `ssh-agent:PUBFILE`, or a private key file.
    func signer(_ spec: String) throws -> any EntrySigner {
        let agentPrefix = "ssh-agent:"
        guard spec.hasPrefix(agentPrefix) else { return try privateKey(spec) }
        let publicPath = String(spec.dropFirst(agentPrefix.count))
        let publicKey = try KeyFiles.loadPublicKey(path: publicPath)
        guard let socket = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
            throw CommandError(message: "--key \(spec): SSH_AUTH_SOCK is not set; start an agent (`eval $(ssh-agent)`) and add your key with `ssh-add`")
        }
        do {
            return try SSHAgentSigner(publicKey: publicKey, socketPath: socket)
        } catch {
            throw CryptoError(error.code, "--key \(spec): \(error.message)")
        }
    }

    /// The private key in `path`, decrypted when it is encrypted.
    func privateKey(_ path: String) throws -> PrivateKey {
        try KeyFiles.loadPrivateKey(path: path) { path throws(CryptoError) in try passphrase(for: path) }
    }

    /// The passphrase from `--passphrase-file`, `$EMC_PASSPHRASE_FILE`, or the terminal.
    func passphrase(for keyPath: String, confirm: Bool = false) throws(CryptoError) -> [UInt8] {
        let environment = ProcessInfo.processInfo.environment["EMC_PASSPHRASE_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let file = passphraseFile ?? environment {
            return try PassphraseReader.firstLine(ofFile: file)
        }
        guard let terminal = PassphraseReader.Terminal() else {
            throw CryptoError(.keyEncrypted, "\(keyPath): the key is encrypted and there is no terminal to ask for its passphrase; pass --passphrase-file FILE or set EMC_PASSPHRASE_FILE=FILE")
        }
        let entered = try terminal.ask("Passphrase for \(keyPath): ")
        if confirm, try terminal.ask("Again: ") != entered {
            throw CryptoError(.keyEncrypted, "\(keyPath): the passphrases do not match")
        }
        return entered
    }
}

/// Reads passphrases without showing them: from a file's first line, or typed at the terminal with
/// echo off. A passphrase is never printed, logged or put in an error message.
enum PassphraseReader {
    static let maximumBytes = 1024

    /// The first line of `path` (as `openssl -pass file:` reads it), without its line ending.
    static func firstLine(ofFile path: String) throws(CryptoError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CryptoError(.keyFileUnreadable, "\(path): cannot read the passphrase file")
        }
        defer { close(descriptor) }
        // The first 64 KiB at most, as one read or several.
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while data.count < chunk.count {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count - data.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            data += chunk[0..<count]
        }
        var line = Array(data.prefix { $0 != 0x0a })
        if line.last == 0x0d { line.removeLast() }
        guard !line.isEmpty, line.count <= maximumBytes else {
            throw CryptoError(.keyFileUnreadable, "\(path): the passphrase file's first line must hold a passphrase of 1 to \(maximumBytes) bytes")
        }
        return line
    }

    /// The controlling terminal, when standard input is one: prompts go to it, not to stdout.
    struct Terminal {
        private let descriptor: Int32

        init?() {
            guard isatty(STDIN_FILENO) == 1 else { return nil }
            let descriptor = open("/dev/tty", O_RDWR | O_CLOEXEC)
            guard descriptor >= 0 else { return nil }
            self.descriptor = descriptor
        }

        /// Shows `prompt`, reads one line with echo off, and restores the terminal.
        func ask(_ prompt: String) throws(CryptoError) -> [UInt8] {
            var saved = termios()
            guard tcgetattr(descriptor, &saved) == 0 else { throw CryptoError(.keyFileUnreadable, "cannot read the terminal settings") }
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO | ECHONL)
            defer {
                _ = tcsetattr(descriptor, TCSAFLUSH, &saved)
                _ = Glibc.write(descriptor, "\n", 1)
            }
            _ = prompt.withCString { Glibc.write(descriptor, $0, strlen($0)) }
            guard tcsetattr(descriptor, TCSAFLUSH, &silent) == 0 else { throw CryptoError(.keyFileUnreadable, "cannot turn off the terminal's echo") }
            var line: [UInt8] = []
            var byte: UInt8 = 0
            while Glibc.read(descriptor, &byte, 1) == 1, byte != 0x0a {
                guard line.count < PassphraseReader.maximumBytes else { throw CryptoError(.keyEncrypted, "the passphrase is longer than \(PassphraseReader.maximumBytes) bytes") }
                line.append(byte)
            }
            if line.last == 0x0d { line.removeLast() }
            guard !line.isEmpty else { throw CryptoError(.keyEncrypted, "no passphrase was entered") }
            return line
        }
    }
}
