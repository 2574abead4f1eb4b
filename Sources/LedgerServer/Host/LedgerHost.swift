import LedgerFormat

/// Where the server keeps its ledgers: the small interface every server store implements (the
/// file store, `FileLedgerHost`, and the PostgreSQL store of `LedgerStoragePostgres`). A store
/// keeps bytes in order and answers compare-and-swap appends; it never decides whether an entry
/// is valid — `LedgerState.apply`, run by `HostedLedger` above it, does.
///
/// The interface is synchronous: the server calls it only from a ledger's serial dispatch queue
/// or another dispatch thread, never from the Swift concurrency pool or an event loop, so a store
/// built on an asynchronous driver may block the calling thread (with a deadline) for its answer.
public protocol LedgerHost: Sendable {
    /// Whether a ledger with this id is hosted.
    func exists(ledgerID: String) throws(LedgerError) -> Bool
    /// Creates the ledger holding only `genesisLine` (no newline), durably; `nil` if it exists.
    func create(ledgerID: String, genesisLine: [UInt8]) throws(LedgerError) -> (any HostedLedgerStore)?
    /// Opens a hosted ledger's store; `nil` if there is none.
    func open(ledgerID: String) throws(LedgerError) -> (any HostedLedgerStore)?
    /// Releases what the host holds (connections), after every ledger is closed.
    func shutdown()
}

extension LedgerHost {
    public func shutdown() {}
}

/// One hosted ledger's storage. Used by one `HostedLedger` at a time, on its serial queue.
public protocol HostedLedgerStore: AnyObject {
    var ledgerID: String { get }
    /// The number of complete entries stored, as this process last saw it.
    var size: Int64 { get }

    /// Whether other processes may append to this store (a database several servers share). The
    /// server then reads `storedSize()` before each request and catches up (the same `apply`), and
    /// a failed write is retried by the client (503) instead of stopping the ledger.
    var isShared: Bool { get }

    /// The number of entries stored now (another process may have appended since `size`).
    func storedSize() throws(LedgerError) -> Int64

    /// Calls `body` with each stored line of `seq` ≥ `fromSeq` (without its newline), in order,
    /// until it returns false.
    func readLines(fromSeq: Int64, _ body: (_ seq: Int64, _ line: [UInt8]) throws(LedgerError) -> Bool) throws(LedgerError)

    /// Appends `lines` (each without its newline) all or nothing and durably, if and only if the
    /// store still holds `expectedSize` entries; returns false (and writes nothing) otherwise.
    /// `whileSyncing` is called at most once, when the compare-and-swap is won and the lines are
    /// written but not yet durable (a file store: between its write and its fsync), to overlap
    /// work with the wait; a store that cannot tell (one database transaction) never calls it.
    func append(lines: [[UInt8]], expectedSize: Int64, whileSyncing: () -> Void) throws(LedgerError) -> Bool

    /// The latest checkpoint note the server signed, if any (a cache: it can be signed again).
    func loadCheckpoint() throws(LedgerError) -> [UInt8]?
    func saveCheckpoint(_ note: [UInt8]) throws(LedgerError)

    /// Every member's last cosignature.
    func loadCosignatures() throws(LedgerError) -> [CosignatureRecord]
    /// Stores `record` durably if and only if the member's stored record has size `oldSize` (0: no
    /// record), atomically across processes; returns nil when stored (or already stored exactly:
    /// a retry), else the size stored now.
    func storeCosignature(_ record: CosignatureRecord, ifStoredSizeIs oldSize: Int64) throws(LedgerError) -> Int64?

    /// Saves a cache of the tree hashes (the sidecar of SPEC §4.9), if this store keeps one.
    func saveTreeHashes(_ bytes: [UInt8])

    func close()
}

/// The last checkpoint a member cosigned on this server: its size and her cosignature line's
/// parts (name, key id, timestamp ‖ signature).
public struct CosignatureRecord: Equatable, Sendable {
    public var member: String
    public var size: Int64
    public var keyID: UInt32
    public var signature: [UInt8]

    public init(member: String, size: Int64, keyID: UInt32, signature: [UInt8]) {
        self.member = member
        self.size = size
        self.keyID = keyID
        self.signature = signature
    }
}

extension HostedLedgerStore {
    /// `append(lines:expectedSize:whileSyncing:)` with nothing to overlap.
    public func append(lines: [[UInt8]], expectedSize: Int64) throws(LedgerError) -> Bool {
        try append(lines: lines, expectedSize: expectedSize, whileSyncing: {})
    }
}
