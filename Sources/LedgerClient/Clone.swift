import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerStorage
import LedgerTransparency
import LedgerWitness
#if canImport(Glibc)
import Glibc
#endif

/// `emc clone` and `emc init --remote` (SPEC §5.12.3): a local copy of a ledger on a server,
/// verified from its genesis through the one `apply`, with the remote configuration next to it.
public enum Clone {
    /// Fetches every entry of `config.ledgerID`, verifies and writes them to `ledgerPath` (which
    /// must not exist) through the file store, checks the server's checkpoint against the copy,
    /// writes the configuration, then pulls once more and cosigns (SPEC §5.12.4).
    public static func clone(config: RemoteConfig, ledgerPath: String, key: PrivateKey, timestamp: UInt64) throws -> Pull.Result {
        try refuseExisting(ledgerPath)
        let remote = try RemoteLedger(config: config, key: key, file: ledgerPath)
        let first = try remote.entries(from: 0)
        guard let genesisLine = first.lines.first else { throw ClientError(.io, "\(config.url): the server sent no entries", file: ledgerPath) }
        let genesis: DecodedEntry
        do { genesis = try DecodedEntry(line: genesisLine) } catch { throw error.located(ledgerPath) }
        guard genesis.entry.ledgerID == config.ledgerID else {
            throw ClientError(.invalid, "the server's first entry is of ledger \(genesis.entry.ledgerID), not \(config.ledgerID)", file: ledgerPath)
        }
        try LedgerStore.create(path: ledgerPath, genesis: genesis)
        do {
            let writer = try LedgerWriter(path: ledgerPath, key: key)
            defer { writer.close() }
            var page = (lines: Array(first.lines.dropFirst()), size: first.size)
            while !page.lines.isEmpty {
                do { try writer.append(lines: page.lines) } catch {
                    throw ClientError(.invalid, "the server sent an entry that does not verify: \(error.description)", file: ledgerPath)
                }
                guard writer.state.headSeq < page.size else { break }
                let next = try remote.entries(from: writer.state.headSeq)
                page = (next.lines, next.size)
            }
            // The checkpoint must be the pinned key's and of this history before anything is kept.
            let target = try remote.checkpoint().checkpoint.checkpoint
            if target.size <= UInt64(writer.state.headSeq) {
                let local = try LedgerTree.verify(path: ledgerPath)
                guard try about(ledgerPath, { () throws(TransparencyError) in try local.tree.relation(to: target) }).isConsistent else {
                    throw ClientError(.invalid, "fork: the server's checkpoint of size \(target.size) is not of the entries it served", file: ledgerPath)
                }
            }
        } catch {
            removeClone(ledgerPath, key: key)
            throw error
        }
        try config.save(forLedger: ledgerPath)
        return try Pull.run(ledgerPath: ledgerPath, config: config, key: key, timestamp: timestamp)
    }

    /// Submits `genesis` to the server (`POST /v1/ledgers`, signed by the founder's `key`) and, once
    /// the server acknowledged it, creates `ledgerPath` and its configuration and cosigns.
    public static func create(config: RemoteConfig, genesis: DecodedEntry, ledgerPath: String, key: PrivateKey,
                              timestamp: UInt64) throws -> Pull.Result {
        try refuseExisting(ledgerPath)
        let remote = try RemoteLedger(config: config, key: key, file: ledgerPath)
        _ = try remote.create(genesisLine: genesis.lineBytes)
        try LedgerStore.create(path: ledgerPath, genesis: genesis)
        try config.save(forLedger: ledgerPath)
        return try Pull.run(ledgerPath: ledgerPath, config: config, key: key, timestamp: timestamp)
    }

    static func refuseExisting(_ ledgerPath: String) throws(ClientError) {
        for path in [ledgerPath, RemoteConfig.path(forLedger: ledgerPath)] {
            var status = stat()
            if lstat(path, &status) == 0 { throw ClientError(.usage, "already exists; refusing to overwrite it", file: path) }
        }
    }

    /// Removes what a failed clone created: the ledger, the member's state cache and its tree sidecar.
    static func removeClone(_ ledgerPath: String, key: PrivateKey) {
        unlink(StateCache.path(forLedger: ledgerPath, keyID: key.publicKey.keyID))
        unlink(LedgerTree.sidecarPath(forLedger: ledgerPath))
        unlink(ledgerPath)
    }
}

extension LedgerError {
    func located(_ file: String) -> LedgerError {
        var error = self
        error.file = error.file ?? file
        return error
    }
}
