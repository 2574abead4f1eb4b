import LedgerFormat

/// The JSON bodies of API v1 (SPEC §5.4–§5.7), written as canonical JSON (SPEC §1.3) followed by
/// a newline, and read back strictly. No Codable: one encoder for the ledger and the API.
public enum APIBody {
    public static let apiName = "emc-ledger"
    public static let version: Int64 = 1
    public static let originPrefix = "emc.ledger/v1/"

    public static let jsonType = "application/json"
    public static let entriesType = "application/x-ndjson"
    public static let textType = "text/plain; charset=utf-8"
    public static let sizeType = "text/x.tlog.size"

    /// `GET /v1`: the API, and the verifier key of the server's checkpoints (SPEC §5.1).
    public static func info(checkpointKey: String) -> [UInt8] {
        encode(["api": .string(apiName), "version": .integer(version), "origin_prefix": .string(originPrefix),
                "checkpoint_key": .string(checkpointKey)])
    }

    /// The `checkpoint_key` of a `GET /v1` answer of this API, or nil.
    public static func parseCheckpointKey(info body: [UInt8]) -> String? {
        guard let members = parseObject(body), members["api"] == .string(apiName), members["version"] == .integer(version),
              case .string(let key)? = members["checkpoint_key"] else { return nil }
        return key
    }

    /// `201`/`200` of `POST /v1/ledgers`.
    public static func created(ledger: String, size: Int64, head: String) -> [UInt8] {
        encode(["ledger": .string(ledger), "size": .integer(size), "head": .string(head)])
    }

    /// `200` of `POST …/entries`: the head after the batch and the checkpoint signed for it.
    public static func appended(size: Int64, head: String, checkpoint: String) -> [UInt8] {
        encode(["size": .integer(size), "head": .string(head), "checkpoint": .string(checkpoint)])
    }

    /// `200` of `POST …/cosignature`.
    public static func cosigned(member: String, size: Int64) -> [UInt8] {
        encode(["member": .string(member), "size": .integer(size)])
    }

    public static func staleHead(size: Int64, head: String) -> APIError {
        APIError(409, "stale head", extra: ["size": .integer(size), "head": .string(head)])
    }

    public static func rejected(entry: Int64, reason: String) -> APIError {
        APIError(422, "rejected", extra: ["entry": .integer(entry), "reason": .string(reason)])
    }

    static func encode(_ members: [String: JSONValue]) -> [UInt8] {
        JSONValue.object(members).canonicalBytes + [0x0a]
    }

    /// A JSON object body (one value, optionally followed by one newline), or nil.
    public static func parseObject(_ body: [UInt8]) -> [String: JSONValue]? {
        var bytes = body
        if bytes.last == 0x0a { bytes.removeLast() }
        guard let value = try? JSONValue.parse(bytes), case .object(let members) = value else { return nil }
        return members
    }

    /// `size` and `head` (and `checkpoint`, `ledger` when present) of a success or stale-head body.
    public struct Head: Equatable, Sendable {
        public var size: Int64
        public var head: String
        public var checkpoint: String?
        public var ledger: String?

        public init(size: Int64, head: String, checkpoint: String? = nil, ledger: String? = nil) {
            self.size = size
            self.head = head
            self.checkpoint = checkpoint
            self.ledger = ledger
        }
    }

    public static func parseHead(_ body: [UInt8]) -> Head? {
        guard let members = parseObject(body), case .integer(let size)? = members["size"],
              case .string(let head)? = members["head"] else { return nil }
        var result = Head(size: size, head: head)
        if case .string(let checkpoint)? = members["checkpoint"] { result.checkpoint = checkpoint }
        if case .string(let ledger)? = members["ledger"] { result.ledger = ledger }
        return result
    }

    /// The `error` string of an error body.
    public static func errorMessage(_ body: [UInt8]) -> String? {
        guard case .string(let message)? = parseObject(body)?["error"] else { return nil }
        return message
    }
}

/// The body of `POST …/entries`: 1 to 64 entry lines, each ending in a newline (SPEC §5.5).
public enum EntryBatch {
    public static func encode(_ lines: [[UInt8]]) -> [UInt8] {
        lines.flatMap { $0 + [0x0a] }
    }

    /// The lines (without newlines) of a batch body; 400 for an empty body, an empty line or a
    /// missing final newline; 413 for more than `maximumLines` lines or a line over the limit.
    /// A client reads a `GET …/entries` answer with `maximumLines: APILimits.maximumReadEntries`.
    public static func parse(_ body: [UInt8], maximumLines: Int = APILimits.maximumBatchEntries) throws(APIError) -> [[UInt8]] {
        guard !body.isEmpty else { throw .badRequest("empty batch: send 1 to \(APILimits.maximumBatchEntries) entry lines") }
        guard body.last == 0x0a else { throw .badRequest("every entry line must end in a newline") }
        var lines: [[UInt8]] = []
        var start = 0
        for index in body.indices where body[index] == 0x0a {
            guard index > start else { throw .badRequest("empty line in the batch") }
            guard index - start <= Entry.maximumLineBytes else {
                throw .tooLarge("an entry line is at most \(Entry.maximumLineBytes) bytes")
            }
            guard lines.count < maximumLines else {
                throw .tooLarge("at most \(maximumLines) entries per request")
            }
            lines.append(Array(body[start..<index]))
            start = index + 1
        }
        return lines
    }
}
