import Ledger

/// Where a ledger's entries are kept: the small interface every storage implements (the file store
/// first; a server's and a database's later). A store keeps lines in order and never decides
/// whether an entry is valid — that is `LedgerState.apply`, run by the writer before it appends and
/// by every reader after. Its append is a compare-and-swap on the head, so two writers can never
/// fork the chain: the one whose expected head is stale is told where the head is now, appends
/// nothing, and catches up.
public protocol EntryStore: AnyObject {
    /// Creates the ledger holding only `genesisLine` (no newline); fails if it exists.
    func create(genesisLine: [UInt8]) throws(LedgerError)

    /// The current head: where the complete entries end and the hash of the last one.
    func head() throws(LedgerError) -> StoreHead

    /// Calls `body` with each complete line that starts at or after byte `offset` (without its
    /// newline), in order, until `body` returns false.
    func readLines(from offset: Int64, _ body: (_ line: [UInt8], _ lineOffset: Int64) throws(LedgerError) -> Bool) throws(LedgerError)

    /// Appends `lines` (each without its newline), all or nothing and durably, if and only if the
    /// head is still `expected`; otherwise appends nothing and returns the head found.
    func append(lines: [[UInt8]], expected: StoreHead) throws(LedgerError) -> AppendResult
}

/// A store's head: the bytes (or, for other stores, the position) after the last complete entry,
/// where that entry starts, and its hash (empty for an empty store).
public struct StoreHead: Equatable, Sendable {
    public var size: Int64
    public var lastLineOffset: Int64
    public var hash: String

    public init(size: Int64, lastLineOffset: Int64, hash: String) {
        self.size = size
        self.lastLineOffset = lastLineOffset
        self.hash = hash
    }

    public static let empty = StoreHead(size: 0, lastLineOffset: 0, hash: "")
}

public enum AppendResult: Equatable, Sendable {
    /// The lines were appended; this is the new head.
    case appended(StoreHead)
    /// The head was not the expected one (another writer appended): nothing was written.
    case headMoved(StoreHead)
}
