import LedgerFormat

/// The routes of API v1 (SPEC §5.3) and their parsed parameters. Paths are matched exactly:
/// no trailing slash, no percent-encoding, ledger ids in lowercase hex.
public enum APIRoute: Equatable, Sendable {
    /// `GET /v1`: what this server speaks (the only unauthenticated route).
    case info
    /// `POST /v1/ledgers`: create a ledger from its genesis line.
    case createLedger
    /// `GET /v1/ledgers/{id}/entries?from=N[&limit=M]`
    case readEntries(ledger: String, from: Int64, limit: Int)
    /// `POST /v1/ledgers/{id}/entries`
    case appendEntries(ledger: String)
    /// `GET /v1/ledgers/{id}/checkpoint`
    case checkpoint(ledger: String)
    /// `POST /v1/ledgers/{id}/cosignature`
    case cosign(ledger: String)
    /// `GET /v1/ledgers/{id}/proof/inclusion?index=I&size=N`
    case inclusionProof(ledger: String, index: Int64, size: Int64)
    /// `GET /v1/ledgers/{id}/proof/consistency?old=M&size=N`
    case consistencyProof(ledger: String, old: Int64, size: Int64)

    public static let prefix = "/v1"

    /// The ledger the route is about, if any.
    public var ledger: String? {
        switch self {
        case .info, .createLedger: return nil
        case .readEntries(let id, _, _), .appendEntries(let id), .checkpoint(let id), .cosign(let id),
             .inclusionProof(let id, _, _), .consistencyProof(let id, _, _): return id
        }
    }

    public var method: String {
        switch self {
        case .info, .readEntries, .checkpoint, .inclusionProof, .consistencyProof: return "GET"
        case .createLedger, .appendEntries, .cosign: return "POST"
        }
    }

    /// The request target (path and query) a client sends.
    public var target: String {
        switch self {
        case .info: return "/v1"
        case .createLedger: return "/v1/ledgers"
        case .readEntries(let id, let from, let limit):
            return "/v1/ledgers/\(id)/entries?from=\(from)" + (limit == APILimits.maximumReadEntries ? "" : "&limit=\(limit)")
        case .appendEntries(let id): return "/v1/ledgers/\(id)/entries"
        case .checkpoint(let id): return "/v1/ledgers/\(id)/checkpoint"
        case .cosign(let id): return "/v1/ledgers/\(id)/cosignature"
        case .inclusionProof(let id, let index, let size): return "/v1/ledgers/\(id)/proof/inclusion?index=\(index)&size=\(size)"
        case .consistencyProof(let id, let old, let size): return "/v1/ledgers/\(id)/proof/consistency?old=\(old)&size=\(size)"
        }
    }

    /// Parses a request line's method and target: nil path match is 404, a known path with another
    /// method 405, bad parameters 400.
    public init(method: String, target: String) throws(APIError) {
        let path: Substring, query: Substring?
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = target[target.index(after: mark)...]
        } else {
            path = target[...]
            query = nil
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "/v1/..." splits into "", "v1", ...
        guard parts.count >= 2, parts[0].isEmpty, parts[1] == "v1" else { throw .notFound() }
        let rest = Array(parts.dropFirst(2))
        let parameters = try QueryParameters(query)
        func expect(_ wanted: String) throws(APIError) {
            guard method == wanted else { throw APIError(405, "method not allowed") }
        }
        switch rest.count {
        case 0:
            try expect("GET"); try parameters.none(); self = .info
        case 1 where rest[0] == "ledgers":
            try expect("POST"); try parameters.none(); self = .createLedger
        case 2, 3:
            guard rest[0] == "ledgers", Self.isLedgerID(rest[1]) else { throw .notFound() }
            let id = String(rest[1])
            let tail = rest.dropFirst(2).joined(separator: "/")
            switch tail {
            case "entries":
                if method == "GET" {
                    let from = try parameters.integer("from", required: true)!
                    let limit = try parameters.integer("limit", required: false) ?? Int64(APILimits.maximumReadEntries)
                    try parameters.only(["from", "limit"])
                    guard (1...Int64(APILimits.maximumReadEntries)).contains(limit) else {
                        throw .badRequest("limit must be 1 to \(APILimits.maximumReadEntries)")
                    }
                    self = .readEntries(ledger: id, from: from, limit: Int(limit))
                } else {
                    try expect("POST"); try parameters.none(); self = .appendEntries(ledger: id)
                }
            case "checkpoint": try expect("GET"); try parameters.none(); self = .checkpoint(ledger: id)
            case "cosignature": try expect("POST"); try parameters.none(); self = .cosign(ledger: id)
            default: throw .notFound()
            }
        case 4 where rest[0] == "ledgers" && rest[2] == "proof" && Self.isLedgerID(rest[1]):
            let id = String(rest[1])
            try expect("GET")
            switch rest[3] {
            case "inclusion":
                try parameters.only(["index", "size"])
                self = .inclusionProof(ledger: id, index: try parameters.integer("index", required: true)!,
                                       size: try parameters.integer("size", required: true)!)
            case "consistency":
                try parameters.only(["old", "size"])
                self = .consistencyProof(ledger: id, old: try parameters.integer("old", required: true)!,
                                         size: try parameters.integer("size", required: true)!)
            default: throw .notFound()
            }
        default:
            throw .notFound()
        }
    }

    /// 64 lowercase hex digits.
    public static func isLedgerID(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// `name=value&…` with decimal values, each name at most once.
struct QueryParameters {
    var values: [String: Substring] = [:]

    init(_ query: Substring?) throws(APIError) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: false) {
            guard let equals = pair.firstIndex(of: "=") else { throw .badRequest("malformed query") }
            let name = String(pair[..<equals])
            guard values[name] == nil else { throw .badRequest("query parameter \(name) given twice") }
            values[name] = pair[pair.index(after: equals)...]
        }
    }

    func none() throws(APIError) {
        guard values.isEmpty else { throw .badRequest("this route takes no query parameters") }
    }

    func only(_ names: Set<String>) throws(APIError) {
        for name in values.keys.sorted() where !names.contains(name) { throw .badRequest("unknown query parameter \(name)") }
    }

    /// A decimal integer from 0 to 2^53 − 1 without leading zeros.
    func integer(_ name: String, required: Bool) throws(APIError) -> Int64? {
        guard let text = values[name] else {
            if required { throw .badRequest("missing query parameter \(name)") }
            return nil
        }
        guard (1...16).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              text == "0" || text.first != "0", let value = Int64(text), value <= JSONValue.maximumInteger else {
            throw .badRequest("query parameter \(name) must be a decimal integer")
        }
        return value
    }
}
