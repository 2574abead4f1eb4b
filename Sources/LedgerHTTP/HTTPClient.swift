import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// A request as the client sends it.
public struct HTTPRequestMessage: Sendable {
    public var method: String
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The request signed by `key` as SPEC §5.2 says (Content-Digest, Signature-Input, Signature).
    public static func signed(method: String, target: String, body: [UInt8] = [], key: PrivateKey,
                              now: Int64 = HTTPClient.now()) throws(CryptoError) -> HTTPRequestMessage {
        HTTPRequestMessage(method: method, target: target,
                           headers: try MessageSignature.headers(method: method, target: target, body: body, key: key, now: now),
                           body: body)
    }
}

/// A response as the client read it.
public struct HTTPResponseMessage: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first value of a header field (case-insensitive name).
    public func header(_ name: String) -> String? {
        headers.first { sameFieldName($0.name, name) }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct HTTPClientError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A minimal blocking HTTP/1.1 client for the API (SPEC Part 5): one keep-alive connection, a
/// timeout on connect and on every read and write, bounded responses (Content-Length or chunked).
/// Not thread-safe: one client per thread. The tests and the bench use it; `emc`'s client
/// commands are meant to.
public final class HTTPClient {
    public let host: String
    public let port: Int
    public let timeoutMs: Int
    private var socket: Int32 = -1
    private var buffer: [UInt8] = []
    /// Where `recv` writes, allocated once per client (not 64 KiB zeroed per read).
    private var chunk = [UInt8](repeating: 0, count: 65_536)

    public init(host: String = "127.0.0.1", port: Int, timeoutMs: Int = 30_000) {
        self.host = host
        self.port = port
        self.timeoutMs = timeoutMs
    }

    /// `http://HOST:PORT` (no path, no TLS).
    public convenience init(url: String, timeoutMs: Int = 30_000) throws(HTTPClientError) {
        guard url.hasPrefix("http://") else { throw HTTPClientError("only http://HOST:PORT URLs are supported: \(url)") }
        var rest = url.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port),
              colon > rest.startIndex else { throw HTTPClientError("expected http://HOST:PORT, got \(url)") }
        self.init(host: String(rest[..<colon]), port: port, timeoutMs: timeoutMs)
    }

    deinit { close() }

    /// POSIX seconds now.
    public static func now() -> Int64 { Int64(time(nil)) }

    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
        buffer = []
    }

    /// Sends `request` and reads the response. A kept-alive connection the server has closed is
    /// reopened once, when nothing of a response had arrived.
    public func send(_ request: HTTPRequestMessage) throws(HTTPClientError) -> HTTPResponseMessage {
        let reused = socket >= 0
        do {
            return try exchange(request)
        } catch let error where reused && error.message == Self.closedBeforeResponse {
            close()
            return try exchange(request)
        }
    }

    static let closedBeforeResponse = "the server closed the connection before answering"

    private func exchange(_ request: HTTPRequestMessage) throws(HTTPClientError) -> HTTPResponseMessage {
        if socket < 0 { try connect() }
        var head = "\(request.method) \(request.target) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(request.body.count)\r\n\r\n"
        do {
            try writeAll(Array(head.utf8) + request.body)
            let response = try readResponse()
            if response.header("Connection")?.lowercased() == "close" { close() }
            return response
        } catch {
            close()
            throw error
        }
    }

    private func connect() throws(HTTPClientError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw HTTPClientError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "cannot connect to \(host):\(port)"
        while let info = entry {
            entry = info.pointee.ai_next
            let descriptor = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { continue }
            if connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) {
                var one: Int32 = 1
                setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                var timeout = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                socket = descriptor
                return
            }
            lastError = "cannot connect to \(host):\(port) (\(String(cString: strerror(errno))))"
            Glibc.close(descriptor)
        }
        throw HTTPClientError(lastError)
    }

    /// A non-blocking connect bounded by the timeout, the socket left blocking afterwards.
    private func connect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Bool {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(descriptor, F_SETFL, flags) }
        if Glibc.connect(descriptor, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, Int32(timeoutMs)) == 1 else { errno = ETIMEDOUT; return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else { errno = error; return false }
        return true
    }

    private func writeAll(_ bytes: [UInt8]) throws(HTTPClientError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + written, bytes.count - written, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw HTTPClientError(written == 0 && errno == EPIPE ? Self.closedBeforeResponse : "cannot send the request (\(String(cString: strerror(errno))))")
            }
            written += count
        }
    }

    /// Reads more bytes into the buffer; false at the end of the stream.
    private func fill() throws(HTTPClientError) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw HTTPClientError("timed out after \(timeoutMs) ms waiting for the server") }
            if count < 0 && errno == ECONNRESET { return false }
            guard count >= 0 else { throw HTTPClientError("cannot read the response (\(String(cString: strerror(errno))))") }
            if count == 0 { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
    }

    private func readResponse() throws(HTTPClientError) -> HTTPResponseMessage {
        var headEnd: Int? = nil
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd != nil { break }
            guard buffer.count <= APILimits.maximumHeaderBytes * 4 else { throw HTTPClientError("response header too large") }
            guard try fill() else {
                throw HTTPClientError(buffer.isEmpty ? Self.closedBeforeResponse : "the connection closed inside the response header")
            }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw HTTPClientError("malformed status line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPClientError("malformed response header") }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        var response = HTTPResponseMessage(status: status, headers: headers, body: [])
        if let length = response.header("Content-Length") {
            guard let count = Int(length), count >= 0, count <= APILimits.maximumResponseBytes else { throw HTTPClientError("bad Content-Length") }
            response.body = try take(count)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunked()
        } else if status != 204 && status != 304 {
            while try fill() { guard buffer.count <= APILimits.maximumResponseBytes else { throw HTTPClientError("response too large") } }
            response.body = buffer
            buffer = []
            close()
        }
        return response
    }

    private func take(_ count: Int) throws(HTTPClientError) -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw HTTPClientError("the connection closed inside the response body") }
        }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readLine() throws(HTTPClientError) -> String {
        while true {
            if let end = Self.find([13, 10], in: buffer) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            guard buffer.count < 4096, try fill() else { throw HTTPClientError("malformed chunked body") }
        }
    }

    private func readChunked() throws(HTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeText = try readLine().split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0,
                  body.count + size <= APILimits.maximumResponseBytes else { throw HTTPClientError("malformed or oversized chunk") }
            if size == 0 {
                while try !readLine().isEmpty {}  // trailers
                return body
            }
            body += try take(size)
            guard try readLine().isEmpty else { throw HTTPClientError("malformed chunk end") }
        }
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = 0
        while index + pattern.count <= bytes.count {
            if bytes[index] == pattern[0] && Array(bytes[index..<index + pattern.count]) == pattern { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}

/// Whether two field names are the same name: compared without regard to ASCII case (field names
/// are ASCII tokens, RFC 9110 §5.1), byte by byte, without lowercased copies.
package func sameFieldName(_ first: String, _ second: String) -> Bool {
    func lower(_ byte: UInt8) -> UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte }
    return first.utf8.count == second.utf8.count && zip(first.utf8, second.utf8).allSatisfy { lower($0) == lower($1) }
}
