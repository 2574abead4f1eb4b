#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One request and its answer on an ssh-agent's unix socket: each message is a uint32 length,
/// a type byte and its contents. Answers are bounded before they are read.
enum SSHAgentConnection {
    static let requestIdentities: UInt8 = 11
    static let identitiesAnswer: UInt8 = 12
    static let signRequest: UInt8 = 13
    static let signResponse: UInt8 = 14
    static let failure: UInt8 = 5
    /// The largest answer read (an agent with many keys stays far below).
    static let maximumAnswerBytes = 256 * 1024
    /// How long to wait for the agent (a hardware token may wait for a touch).
    static let timeoutSeconds = 120

    /// The key blobs the agent holds.
    static func identities(socketPath: String) throws(CryptoError) -> Set<[UInt8]> {
        var reader = SSHWire.Reader(try exchange([requestIdentities], expecting: identitiesAnswer, socketPath: socketPath))
        guard let count = reader.uint32(), count <= 10_000 else { throw malformed(socketPath) }
        var blobs = Set<[UInt8]>()
        for _ in 0..<count {
            guard let blob = reader.string(limit: 16 * 1024), reader.string(limit: 16 * 1024) != nil else { throw malformed(socketPath) }
            blobs.insert(blob)
        }
        return blobs
    }

    /// The agent's Ed25519 signature of `message` by the key `keyBlob` (64 bytes, not yet verified).
    static func sign(_ message: [UInt8], keyBlob: [UInt8], socketPath: String) throws(CryptoError) -> [UInt8] {
        var request: [UInt8] = [signRequest]
        SSHWire.appendString(keyBlob, to: &request)
        SSHWire.appendString(message, to: &request)
        SSHWire.appendUInt32(0, to: &request)  // flags: none are defined for Ed25519
        var reader = SSHWire.Reader(try exchange(request, expecting: signResponse, socketPath: socketPath))
        guard let blob = reader.string(limit: 1024), reader.isAtEnd, let signature = OpenSSHKeys.signature(fromBlob: blob) else {
            throw malformed(socketPath)
        }
        return signature
    }

    /// Sends `request`, returns the contents of an answer of type `expected`.
    private static func exchange(_ request: [UInt8], expecting expected: UInt8, socketPath: String) throws(CryptoError) -> [UInt8] {
        let descriptor = try connect(socketPath)
        defer { close(descriptor) }
        var framed: [UInt8] = []
        SSHWire.appendString(request, to: &framed)
        guard writeAll(descriptor, framed) else { throw CryptoError(.agentFailed, "cannot write to the ssh-agent at \(socketPath)") }
        guard let header = readExactly(descriptor, 4) else { throw CryptoError(.agentFailed, "the ssh-agent at \(socketPath) did not answer") }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length >= 1, length <= maximumAnswerBytes, let answer = readExactly(descriptor, length) else { throw malformed(socketPath) }
        if answer[0] == failure {
            throw CryptoError(.agentFailed, "the ssh-agent at \(socketPath) refused the request")
        }
        guard answer[0] == expected else { throw malformed(socketPath) }
        return Array(answer.dropFirst())
    }

    private static func connect(_ socketPath: String) throws(CryptoError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !path.isEmpty, path.count < capacity, !path.contains(0) else {
            throw CryptoError(.agentFailed, "\(socketPath): not a usable ssh-agent socket path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        #if canImport(Glibc)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw CryptoError(.agentFailed, "cannot create a socket for the ssh-agent") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw CryptoError(.agentFailed, "cannot reach the ssh-agent at \(socketPath): \(reason) (is it running? is SSH_AUTH_SOCK right?)")
        }
        return descriptor
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress! + done, $0.count - done, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }

    private static func readExactly(_ descriptor: Int32, _ length: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let count = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress! + done, length - done, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            done += count
        }
        return bytes
    }

    private static func malformed(_ socketPath: String) -> CryptoError {
        CryptoError(.agentFailed, "the ssh-agent at \(socketPath) sent a malformed answer")
    }
}
