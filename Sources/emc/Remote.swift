import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerClient
import LedgerCrypto
import LedgerTransparency

/// Flags and helpers shared by the commands that talk to a server (SPEC §5.12).
struct ServerKeyOption: ParsableArguments {
    @Option(name: .customLong("server-key"),
            help: "The server's checkpoint verifier key (as `emc-server` prints it). Default: the key the server announces, pinned on first use.")
    var serverKey: String?

    /// The key given, or the one the server at `url` announces (trust on first use).
    func resolve(url: String) throws -> NoteVerifier {
        guard let serverKey else { return try RemoteLedger.announcedServerKey(url: url) }
        guard let key = try parseVerifierKeys([serverKey]).first, key.type == .ed25519 else {
            throw CommandError(message: "--server-key must be a type 0x01 note verifier key NAME+ID+KEY")
        }
        return key
    }
}

/// A local copy that follows a server, and the member's key for it.
struct RemoteCopyOptions: ParsableArguments {
    @Argument(help: "The local copy (with LEDGER.emc-remote).") var ledger: String
    @Option(help: "Your private ledger key file. Default: the key in LEDGER.emc-remote.") var key: String?
    @OptionGroup var passphrase: PassphraseOptions

    /// The copy's remote configuration (which must exist) and the key.
    func open() throws -> (RemoteConfig, PrivateKey) {
        guard let config = try RemoteConfig.load(forLedger: ledger) else {
            throw CommandError(message: "\(ledger): no remote (\(RemoteConfig.path(forLedger: ledger)) is missing); use `emc clone` or `emc init --remote`")
        }
        return (config, try passphrase.privateKey(key ?? config.keyPath))
    }
}

/// An absolute path for `path`, so a configuration works from any directory.
func absolutePath(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}

/// The summary line of a pull.
func describe(_ result: Pull.Result, ledger: String) -> String {
    var line = result.fetched == 0 ? "\(ledger) is up to date with the server: \(entries(result.localSize))"
                                   : "pulled \(entries(result.fetched, "new ")): \(ledger) has \(result.localSize)"
    if let member = result.member, let size = result.cosignedSize { line += "; \(member) cosigned the checkpoint of size \(size)" }
    if result.unpushed > 0 { line += "\n\(entries(result.unpushed)) made offline \(result.unpushed == 1 ? "is" : "are") not on the server: send them with `emc push \(ledger)`" }
    return line
}

/// "1 entry", "2 new entries".
func entries(_ count: some BinaryInteger, _ adjective: String = "") -> String {
    "\(count) \(adjective)\(count == 1 ? "entry" : "entries")"
}

struct CloneLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Copy a ledger from a server, verify it from its genesis, and cosign the server's checkpoint.",
        discussion: """
        Writes LOCAL (refusing to overwrite) and LOCAL.emc-remote (the server's URL, the ledger id, \
        its pinned checkpoint key and your key file). Afterwards `emc pull LOCAL` fetches new entries \
        and every appending command on LOCAL goes through the server.
        Example: emc clone http://127.0.0.1:8080 3f8db1ef…94a9 duck.jsonl --key chef.key
        """
    )
    @Argument(help: "The server, http://HOST:PORT.") var url: String
    @Argument(help: "The ledger id (64 hex digits).") var ledgerID: String
    @Argument(help: "The local copy to create.") var local: String
    @Option(help: "Your private ledger key file (requests are signed with it; you cosign with it).") var key: String
    @OptionGroup var serverKey: ServerKeyOption
    @OptionGroup var passphrase: PassphraseOptions

    func run() throws {
        let privateKey = try passphrase.privateKey(key)
        guard RemoteConfig.isLedgerID(ledgerID) else { throw CommandError(message: "LEDGER_ID must be 64 lowercase hex digits") }
        let config = RemoteConfig(url: url, ledgerID: ledgerID, serverKey: try serverKey.resolve(url: url), keyPath: absolutePath(key))
        let result = try Clone.clone(config: config, ledgerPath: local, key: privateKey, timestamp: try cosignatureTime(nil))
        print("cloned ledger \(ledgerID) into \(local): \(entries(result.localSize)); server key \(config.serverKey.verifierKey) pinned in \(RemoteConfig.path(forLedger: local))")
        if let member = result.member, let size = result.cosignedSize { print("\(member) cosigned the checkpoint of size \(size)") }
    }
}

struct PullLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch and verify new entries from the ledger's server, check its checkpoint, and cosign it.",
        discussion: """
        The server's checkpoint must be signed by the pinned key and consistent with the last one you \
        cosigned (LEDGER.emc-witness-NAME). A fork or a rollback by the server exits 1; for a fork, a \
        fork proof is written as LEDGER.emc-fork-proof-N, which anyone checks offline with \
        `emc verify-fork PROOF --ledger THEIR-COPY` (or --vkey KEY).
        """
    )
    @OptionGroup var copy: RemoteCopyOptions

    func run() throws {
        let (config, privateKey) = try copy.open()
        print(describe(try Pull.run(ledgerPath: copy.ledger, config: config, key: privateKey, timestamp: try cosignatureTime(nil)), ledger: copy.ledger))
    }
}

struct PushLedger: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the entries made offline (after the server's head) to the ledger's server, then pull.",
        discussion: "Refuses when the server's history is not a prefix of this copy (then the offline entries cannot be sent as they are)."
    )
    @OptionGroup var copy: RemoteCopyOptions

    func run() throws {
        let (config, privateKey) = try copy.open()
        let sent = try Submit.push(ledgerPath: copy.ledger, config: config, key: privateKey)
        print(sent == 0 ? "nothing to push: the server has every entry of \(copy.ledger)" : "pushed \(entries(sent))")
        print(describe(try Pull.run(ledgerPath: copy.ledger, config: config, key: privateKey, timestamp: try cosignatureTime(nil)), ledger: copy.ledger))
    }
}
