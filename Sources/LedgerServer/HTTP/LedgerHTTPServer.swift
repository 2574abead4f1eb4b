import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import HTTPTypes
import LedgerHTTP

/// The `LedgerService` on Hummingbird 2: HTTP/1.1, bounded headers, connections, idle time and
/// request time (SPEC §5.8). The only file that knows an HTTP library.
public enum LedgerHTTPServer {
    /// Binds `host:port` (port 0 picks a free one), calls `onListening` with the bound port, and
    /// serves until SIGTERM or SIGINT; then saves the ledgers' caches.
    public static func run(service: LedgerService, host: String, port: Int,
                           onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "emc-server")
        logger.logLevel = .warning
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await respond(to: request, service: service)
        }
        let http1 = HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(APILimits.idleTimeoutSeconds)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: APILimits.maximumHeaderBytes,
                                            maxHeaderListSize: APILimits.maximumHeaderBytes, maxHeaderFieldCount: 100))
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: nil, backlog: 256, reuseAddress: true,
            availableConnectionsDelegate: MaximumAvailableConnections(APILimits.maximumConnections))
        let application = Application(
            responder: responder, server: .http1(configuration: http1), configuration: configuration,
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) }, logger: logger)
        try await application.runService()
        await service.shutdown()
    }

    static func respond(to request: Request, service: LedgerService) async -> Response {
        let target = request.head.path ?? "/"
        let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
        let body: [UInt8]
        switch await readBody(of: request) {
        case .success(let bytes): body = bytes
        case .failure(let error): return response(APIResponse(error), close: true)
        }
        let answer = await service.handle(APIRequest(method: request.method.rawValue, target: target, headers: headers, body: body))
        return response(answer, close: false)
    }

    /// The request's body, within the size limit (a declared length over it is refused before
    /// reading) and `APILimits.requestTimeoutSeconds`. A request with neither Content-Length nor
    /// Transfer-Encoding has no body (RFC 9112 §6.3): nothing to wait for, so no deadline (the task
    /// group with a sleeping child costs about 36 µs per request on this machine).
    static func readBody(of request: Request) async -> Result<[UInt8], APIError> {
        let length = request.headers[.contentLength]
        if let declared = length.flatMap({ Int($0) }), declared > APILimits.maximumRequestBodyBytes {
            return .failure(.tooLarge("request body too large"))
        }
        let hasBody = length.map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        guard hasBody else { return .success([]) }
        do {
            return .success(try await withDeadline(seconds: APILimits.requestTimeoutSeconds) { [request] in
                var request = request
                let buffer = try await request.collectBody(upTo: APILimits.maximumRequestBodyBytes)
                return Array(buffer.readableBytesView)
            })
        } catch is NIOTooManyBytesError {
            return .failure(.tooLarge("request body too large"))
        } catch is DeadlineExceeded {
            return .failure(APIError(408, "request timeout"))
        } catch {
            return .failure(.badRequest("cannot read the request body"))
        }
    }

    static func response(_ answer: APIResponse, close: Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if close { fields[.connection] = "close" }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}

struct DeadlineExceeded: Error {}

/// `body`'s result, or `DeadlineExceeded` after `seconds`.
func withDeadline<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}
