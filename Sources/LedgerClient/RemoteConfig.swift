import LedgerHTTP
import LedgerTransparency
import LedgerWitness
#if canImport(Glibc)
import Glibc
#endif

/// Where a ledger's server is, next to the ledger: `LEDGER.emc-remote` (SPEC §5.12.1). Written by
/// `emc clone` and `emc init --remote`; its presence makes every appending command go through the
/// server.
public struct RemoteConfig: Equatable, Sendable {
    public static let header = "emc.ledger/remote@v1"
    public static let suffix = ".emc-remote"
    public static let maximumBytes = 8_192

    /// `http://HOST:PORT`.
    public var url: String
    public var ledgerID: String
    /// The server's checkpoint key, pinned when the ledger was cloned or created.
    public var serverKey: NoteVerifier
    /// The member's private key file (absolute path), used when a command is given no `--key`.
    public var keyPath: String

    public init(url: String, ledgerID: String, serverKey: NoteVerifier, keyPath: String) {
        self.url = url
        self.ledgerID = ledgerID
        self.serverKey = serverKey
        self.keyPath = keyPath
    }

    public static func path(forLedger ledgerPath: String) -> String { ledgerPath + suffix }

    /// 64 lowercase hex digits.
    public static func isLedgerID(_ text: String) -> Bool { APIRoute.isLedgerID(text) }

    public var origin: String { Checkpoint.origin(ledgerID: ledgerID) }

    public var encoded: [UInt8] {
        Array("\(Self.header)\nurl \(url)\nledger \(ledgerID)\nserver-key \(serverKey.verifierKey)\nkey \(keyPath)\n".utf8)
    }

    /// Reads the five lines exactly in the order `encoded` writes them.
    public init(parsing bytes: [UInt8], file: String) throws(ClientError) {
        func bad(_ why: String) -> ClientError { ClientError(.usage, "not a remote configuration: \(why)", file: file) }
        guard let text = String(validating: bytes, as: UTF8.self), text.hasSuffix("\n") else { throw bad("not UTF-8 text ending in a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 5, lines[0] == Self.header else { throw bad("expected \(Self.header) and four lines url, ledger, server-key, key") }
        func value(_ index: Int, _ name: String) throws(ClientError) -> String {
            guard lines[index].hasPrefix(name + " "), lines[index].count > name.count + 1 else { throw bad("line \(index + 1) must be \"\(name) …\"") }
            return String(lines[index].dropFirst(name.count + 1))
        }
        url = try value(1, "url")
        guard (try? HTTPClient(url: url)) != nil else { throw bad("url must be http://HOST:PORT") }
        ledgerID = try value(2, "ledger")
        guard APIRoute.isLedgerID(ledgerID) else { throw bad("ledger must be 64 lowercase hex digits") }
        do { serverKey = try NoteVerifier(verifierKey: try value(3, "server-key")) } catch let error as ClientError { throw error } catch {
            throw bad("server-key is not a note verifier key")
        }
        keyPath = try value(4, "key")
    }

    /// The configuration next to `ledgerPath`, or nil when the ledger has no remote.
    public static func load(forLedger ledgerPath: String) throws -> RemoteConfig? {
        let path = path(forLedger: ledgerPath)
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return try RemoteConfig(parsing: try OutputFile.read(path, limit: maximumBytes, what: "remote configuration"), file: path)
    }

    /// Writes the configuration durably, only over a file that already is one.
    public func save(forLedger ledgerPath: String) throws {
        try OutputFile.write(encoded, to: Self.path(forLedger: ledgerPath), what: "remote configuration",
                             owns: { $0.starts(with: Array((Self.header + "\n").utf8)) })
    }
}
