import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import HTTPTypes
import NIOHTTPTypes
import LedgerHTTP

/// The `LedgerService` on Hummingbird 2: HTTP/1.1, bounded headers, connections, idle time and
/// request time (SPEC §5.8). The only file that knows an HTTP library.
public enum LedgerHTTPServer {
    /// Binds `host:port` (port 0 picks a free one), calls `onListening` with the bound port, and
    /// serves until SIGTERM or SIGINT; then saves the ledgers' caches.
    public static func run(service: LedgerService, host: String, port: Int,
                           requestTimeoutSeconds: Int = APILimits.requestTimeoutSeconds,
                           onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "emc-server")
        logger.logLevel = .warning
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            await respond(to: request, service: service)
        }
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadline(seconds: requestTimeoutSeconds)],
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
    /// reading) and `APILimits.requestTimeoutSeconds` from its head (`RequestDeadline`). A request
    /// with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3).
    static func readBody(of request: Request) async -> Result<[UInt8], APIError> {
        let length = request.headers[.contentLength]
        if let declared = length.flatMap({ Int($0) }), declared > APILimits.maximumRequestBodyBytes {
            return .failure(.tooLarge("request body too large"))
        }
        let hasBody = length.map { $0 != "0" } ?? (request.headers[.transferEncoding] != nil)
        guard hasBody else { return .success([]) }
        do {
            var request = request
            let buffer = try await request.collectBody(upTo: APILimits.maximumRequestBodyBytes)
            return .success(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(.tooLarge("request body too large"))
        } catch is RequestDeadline.Expired {
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

/// SPEC §5.8's bound on the time a request may take to arrive, on the connection's event loop: a
/// request whose end has not been read `seconds` after its head fails, in the reader of its
/// body, with `Expired` (answered 408, then the connection is closed), and nothing more of the
/// connection is read. One timer per request; a task group with a sleeping child per request,
/// as before, cost about 28 µs of each submission (issue 14).
final class RequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    struct Expired: Error {}

    private let seconds: Int64
    private var timer: Scheduled<Void>?
    private var expired = false

    init(seconds: Int) { self.seconds = Int64(seconds) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !expired else { return }
        switch unwrapInboundIn(data) {
        case .head:
            timer?.cancel()
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(seconds)) { [self] in
                timer = nil
                expired = true
                context.fireErrorCaught(Expired())
            }
        case .body:
            break
        case .end:
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
