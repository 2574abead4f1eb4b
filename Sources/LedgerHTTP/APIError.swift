/// An answer of the API that is not a success: the status code and the short reason that goes
/// into the JSON error body (SPEC §5.9). Every failure the server can meet becomes one of these.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    /// Extra members of the JSON body (`size`/`head` for a stale head, `entry`/`reason` for a
    /// rejected entry); nil for a plain `{"error": …}`.
    public var extra: [String: JSONValue]

    public init(_ status: Int, _ message: String, extra: [String: JSONValue] = [:]) {
        self.status = status
        self.message = message
        self.extra = extra
    }

    public var description: String { "\(status) \(message)" }

    /// The JSON body: `{"error": message, …extra}`.
    public var body: [UInt8] {
        var members = extra
        members["error"] = .string(message)
        return JSONValue.object(members).canonicalBytes + [0x0a]
    }

    public static func badRequest(_ message: String) -> APIError { APIError(400, message) }
    public static func unauthorized(_ message: String) -> APIError { APIError(401, message) }
    /// The one 403 answer: not a member of this ledger, or no such ledger (indistinguishable).
    public static let forbidden = APIError(403, "forbidden")
    public static func notFound(_ message: String = "no such route") -> APIError { APIError(404, message) }
    public static func tooLarge(_ message: String) -> APIError { APIError(413, message) }
}

import LedgerFormat
