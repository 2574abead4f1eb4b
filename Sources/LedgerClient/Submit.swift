import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerStorage

/// Appending to a ledger that has a server (SPEC §5.12.5, §5.12.6): entries are built on the
/// server's head and appended locally only once the server acknowledged them.
public enum Submit {
    /// Tries of pull, plan, sign and submit when the server's head moved meanwhile (409).
    public static let attempts = 5

    /// Pulls, builds entries with `plan` on the head the copy then has (the server's), submits
    /// them; on a stale head pulls and plans again, at most `attempts` times. Appends to the local
    /// copy exactly the acknowledged lines.
    public static func append(ledgerPath: String, config: RemoteConfig, key: PrivateKey, timestamp: () -> UInt64,
                              plan: (LedgerState) throws -> [Entry]) throws -> [DecodedEntry] {
        let remote = try RemoteLedger(config: config, key: key, file: ledgerPath)
        for _ in 1...attempts {
            let pulled = try Pull.run(ledgerPath: ledgerPath, config: config, key: key, timestamp: timestamp())
            guard pulled.unpushed == 0 else {
                throw ClientError(.usage, "this copy has \(pulled.unpushed) entries the server does not have (made offline): send them with `emc push \(ledgerPath)` first", file: ledgerPath)
            }
            let writer = try LedgerWriter(path: ledgerPath, key: key)
            defer { writer.close() }
            let entries = try plan(writer.state).map { entry throws(LedgerError) in try DecodedEntry(entry: entry) }
            guard !entries.isEmpty else { return [] }
            // The same `apply` as a local append, first: a refused entry gets the local message and
            // never reaches the server.
            var next = writer.state
            for (index, entry) in entries.enumerated() {
                do throws(LedgerError) { try next.apply(entry) } catch {
                    var located = error.at(seq: writer.state.headSeq + 1 + Int64(index), line: nil)
                    located.file = ledgerPath
                    throw located
                }
            }
            guard case .accepted = try remote.submit(entries.map(\.lineBytes)) else { continue }
            do {
                return try writer.append(lines: entries.map(\.lineBytes))
            } catch {
                // Another process appended here meanwhile: the server has the entries; fetch them.
                writer.close()
                _ = try Pull.run(ledgerPath: ledgerPath, config: config, key: key, timestamp: timestamp())
                return entries
            }
        }
        throw ClientError(.io, "the server's head moved on \(attempts) tries in a row (other members are appending); nothing was appended: try again", file: ledgerPath)
    }

    /// `emc push`: sends the entries of this copy after the server's head, when the server's
    /// history is a prefix of this copy's; returns how many were sent.
    public static func push(ledgerPath: String, config: RemoteConfig, key: PrivateKey) throws -> Int {
        let remote = try RemoteLedger(config: config, key: key, file: ledgerPath)
        let writer = try LedgerWriter(path: ledgerPath, key: key)
        let localSize = writer.state.headSeq
        writer.close()
        let server = try remote.entries(from: localSize, limit: 1)
        guard server.size <= localSize else {
            throw ClientError(.usage, "the server has \(server.size) entries, this copy \(localSize): run `emc pull \(ledgerPath)` first", file: ledgerPath)
        }
        // Only the lines after the server's size are kept: the earlier ones are read for the hash at its end.
        var offline: [[UInt8]] = []
        var seq: Int64 = 0
        var headAtServerSize = ""
        try FileEntryStore(path: ledgerPath).readLines(from: 0) { line, _ throws(LedgerError) in
            seq += 1
            if seq == server.size { headAtServerSize = Entry.hash(lineBytes: line) }
            if seq > server.size { offline.append(line) }
            return seq < localSize
        }
        guard headAtServerSize == server.head else {
            throw ClientError(.invalid, "this copy and the server differ at entry \(server.size) or before: the entries made offline do not extend the server's history and cannot be pushed", file: ledgerPath)
        }
        var sent = 0
        for start in stride(from: 0, to: offline.count, by: 64) {
            let batch = Array(offline[start..<min(start + 64, offline.count)])
            guard case .accepted = try remote.submit(batch) else {
                throw ClientError(.invalid, "the server's head moved while pushing (another member appended): the remaining \(offline.count - start) entries no longer extend it", file: ledgerPath)
            }
            sent += batch.count
        }
        return sent
    }
}
