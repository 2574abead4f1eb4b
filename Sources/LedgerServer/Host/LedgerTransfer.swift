import Ledger
import LedgerFormat
import LedgerStorage

/// The operator's export and import of one hosted ledger as its canonical file (§1.9), for any
/// store (`emc-server export` / `import`). Both directions run the file through the same verifier
/// (decode, limits, `apply`) as every reader; neither writes a file or a ledger that exists.
public enum LedgerTransfer {
    /// Lines per durable write.
    static let chunk = 1024

    /// Writes ledger `ledgerID` of `host` to a new file at `path` (durable writes, as `emc` makes
    /// them), then verifies the file; returns its number of entries.
    public static func export(host: any LedgerHost, ledgerID: String, to path: String) throws(LedgerError) -> Int64 {
        guard let store = try host.open(ledgerID: ledgerID) else { throw LedgerError(.usage, "no such ledger: \(ledgerID)") }
        defer { store.close() }
        let file = FileEntryStore(path: path)
        var pending: [[UInt8]] = []
        var head: StoreHead?
        func flush() throws(LedgerError) {
            guard let current = head, !pending.isEmpty else { return }
            guard case .appended(let next) = try file.append(lines: pending, expected: current) else {
                throw LedgerError(.io, "the file changed while it was written", file: path)
            }
            head = next
            pending.removeAll(keepingCapacity: true)
        }
        try store.readLines(fromSeq: 1) { seq, line throws(LedgerError) in
            if seq == 1 {
                try file.create(genesisLine: line)
                head = try file.head()
            } else {
                pending.append(line)
                if pending.count == chunk { try flush() }
            }
            return true
        }
        try flush()
        guard head != nil else { throw LedgerError(.malformed, "the stored ledger is empty", file: ledgerID) }
        let verified = try Verifier.verify(path: path)
        guard verified.tornTail == nil, verified.state.ledgerID == ledgerID else {
            throw LedgerError(.malformed, "the exported file does not verify as ledger \(ledgerID)", file: path)
        }
        return verified.entryCount
    }

    /// Verifies the ledger file at `path` from genesis and stores it in `host` as a new ledger
    /// (genesis, then compare-and-swap appends); returns its id and number of entries.
    public static func importFile(_ path: String, into host: any LedgerHost) throws(LedgerError) -> (ledgerID: String, size: Int64) {
        let verified = try Verifier.verify(path: path)
        if let torn = verified.tornTail {
            throw LedgerError(.tornTail, "the file ends in a torn line (\(torn.byteCount) bytes at offset \(torn.offset)): run `emc repair` first", file: path)
        }
        let ledgerID = verified.state.ledgerID
        var store: (any HostedLedgerStore)?
        var pending: [[UInt8]] = []
        var size: Int64 = 0
        func flush() throws(LedgerError) {
            guard let target = store, !pending.isEmpty else { return }
            guard try target.append(lines: pending, expectedSize: size) else {
                throw LedgerError(.io, "ledger \(ledgerID) changed in the store during the import (a server is appending to it)")
            }
            size += Int64(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        try FileEntryStore(path: path).readLines(from: 0) { line, _ throws(LedgerError) in
            guard store != nil else {
                guard let created = try host.create(ledgerID: ledgerID, genesisLine: line) else {
                    throw LedgerError(.usage, "ledger \(ledgerID) exists in the store; refusing to import over it")
                }
                store = created
                size = 1
                return true
            }
            guard size + Int64(pending.count) < verified.entryCount else { return false }
            pending.append(line)
            if pending.count == chunk { try flush() }
            return true
        }
        try flush()
        store?.close()
        guard size == verified.entryCount else { throw LedgerError(.io, "imported \(size) of \(verified.entryCount) entries", file: path) }
        return (ledgerID, size)
    }
}
