import LedgerFormat

/// Every bound of the HTTP API (SPEC §5.8), in one place for the server and its clients.
public enum APILimits {
    /// A request body: 16 MiB plus one entry line at the limit, so a batch may always end in one
    /// maximal entry.
    public static let maximumRequestBodyBytes = 16 * 1024 * 1024 + Entry.maximumLineBytes + 1
    /// Entry lines in one `POST …/entries`.
    public static let maximumBatchEntries = 64
    /// Entry lines in one `GET …/entries` answer (also the default `limit`).
    public static let maximumReadEntries = 10_000
    /// Bytes of entry lines in one `GET …/entries` answer (at least one line is always sent).
    public static let maximumReadBytes = 64 * 1024 * 1024
    /// All request header fields together, and one field (the server's HTTP parser refuses more).
    public static let maximumHeaderBytes = 16 * 1024
    /// `Signature-Input` and `Signature` field values.
    public static let maximumSignatureFieldBytes = 512
    /// How far `created` may be from the server's clock, either way.
    public static let maximumClockSkewSeconds: Int64 = 300
    /// Nonces remembered at once (all keys); when full of unexpired nonces, requests get 503.
    public static let replayCacheCapacity = 1_000_000
    /// Requests handled at once; more get 503.
    public static let maximumConcurrentRequests = 256
    /// Open connections at once; more wait in the listen backlog.
    public static let maximumConnections = 512
    /// A connection with no request in flight is closed after this long.
    public static let idleTimeoutSeconds = 30
    /// A request must arrive in full (headers and body) within this long.
    public static let requestTimeoutSeconds = 30
    /// The largest response a client reads (a full entries answer plus headers).
    public static let maximumResponseBytes = maximumReadBytes + Entry.maximumLineBytes + 64 * 1024
}
