import LedgerFormat

/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require&pool=N]`, the
/// `--store` value of `emc-server serve` (SPEC §5.10). No percent-decoding beyond `%XX` in the
/// password; hosts are names or IPv4 addresses.
public struct PostgresURL: Equatable, Sendable {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// At most this many connections per server process (the pool).
    public var maximumConnections: Int

    public init(parsing text: String) throws(LedgerError) {
        func bad(_ why: String) -> LedgerError {
            LedgerError(.usage, "--store must be postgres://USER@HOST:PORT/DB: \(why)")
        }
        var rest = Substring(text)
        guard let scheme = ["postgres://", "postgresql://"].first(where: { rest.hasPrefix($0) }) else { throw bad("not a postgres:// URL") }
        rest = rest.dropFirst(scheme.count)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let at = rest.lastIndex(of: "@") else { throw bad("no USER@") }
        let credentials = rest[..<at]
        rest = rest[rest.index(after: at)...]
        if let colon = credentials.firstIndex(of: ":") {
            user = String(credentials[..<colon])
            password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
        } else {
            user = String(credentials)
            password = nil
        }
        guard let slash = rest.firstIndex(of: "/") else { throw bad("no /DB") }
        database = String(rest[rest.index(after: slash)...])
        let address = rest[..<slash]
        if let colon = address.lastIndex(of: ":") {
            host = String(address[..<colon])
            guard let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else { throw bad("bad port") }
            self.port = port
        } else {
            host = String(address)
            port = 5432
        }
        guard !user.isEmpty, !host.isEmpty, !database.isEmpty, password != nil || !credentials.hasSuffix(":") else {
            throw bad("USER, HOST and DB must not be empty")
        }
        tls = .prefer
        maximumConnections = 16
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw bad("bad query \(pair)") }
            switch parts[0] {
            case "sslmode":
                guard let mode = TLSMode(rawValue: parts[1]) else { throw bad("sslmode is disable, prefer or require") }
                tls = mode
            case "pool":
                guard let count = Int(parts[1]), (1...256).contains(count) else { throw bad("pool is 1 … 256") }
                maximumConnections = count
            default:
                throw bad("unknown parameter \(parts[0])")
            }
        }
    }

    /// The URL without its password, for messages.
    public var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), utf8.distance(from: index, to: utf8.endIndex) >= 3,
               let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<utf8.index(index, offsetBy: 3)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
