/// OpenSSH's wire forms of Ed25519 keys and signatures (RFC 8709): a public key file line
/// `ssh-ed25519 BASE64 [comment]`, the key blob (string "ssh-ed25519", string 32 raw bytes) and the
/// signature blob (string "ssh-ed25519", string 64 bytes). Every length is bounded before use.
public enum OpenSSHKeys {
    static let ed25519Type = "ssh-ed25519"

    /// True when `text` looks like an OpenSSH public key line (of any key type).
    static func isPublicKeyLine(_ text: String) -> Bool {
        let first = text.utf8.drop { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }
        return first.starts(with: "ssh-".utf8) || first.starts(with: "ecdsa-".utf8) || first.starts(with: "sk-".utf8)
    }

    /// The Ed25519 public key of a one-line OpenSSH public key file.
    public static func parsePublicKey(_ text: String, source: String) throws(CryptoError) -> PublicKey {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).filter { !$0.allSatisfy(\.isWhitespace) }
        let fields = lines.first?.split(separator: " ", omittingEmptySubsequences: true) ?? []
        guard lines.count == 1, fields.count >= 2 else {
            throw CryptoError(.keyMalformed, "\(source): an OpenSSH public key file is one line `ssh-ed25519 BASE64 [comment]`")
        }
        guard fields[0] == ed25519Type else {
            throw CryptoError(.keyNotEd25519, "\(source): a \(fields[0]) key, not Ed25519 (emc uses Ed25519 only)")
        }
        guard let blob = Base64.decode(String(fields[1])) else {
            throw CryptoError(.keyMalformed, "\(source): the OpenSSH public key is not valid base64")
        }
        guard let key = try publicKey(fromBlob: blob) else {
            throw CryptoError(.keyMalformed, "\(source): not an ssh-ed25519 key blob")
        }
        return key
    }

    /// The key blob of `key`: string "ssh-ed25519", string 32 raw bytes.
    public static func blob(of key: PublicKey) -> [UInt8] {
        var out: [UInt8] = []
        SSHWire.appendString(Array(ed25519Type.utf8), to: &out)
        SSHWire.appendString(key.rawRepresentation, to: &out)
        return out
    }

    /// The key of an `ssh-ed25519` blob; nil for another type or a malformed blob.
    static func publicKey(fromBlob blob: [UInt8]) throws(CryptoError) -> PublicKey? {
        var reader = SSHWire.Reader(blob)
        guard let type = reader.string(limit: 64), type == Array(ed25519Type.utf8),
              let raw = reader.string(limit: 64), raw.count == 32, reader.isAtEnd else { return nil }
        return try PublicKey(rawRepresentation: raw)
    }

    /// The 64 signature bytes of an `ssh-ed25519` signature blob; nil for anything else.
    static func signature(fromBlob blob: [UInt8]) -> [UInt8]? {
        var reader = SSHWire.Reader(blob)
        guard let type = reader.string(limit: 64), type == Array(ed25519Type.utf8),
              let signature = reader.string(limit: 64), signature.count == 64, reader.isAtEnd else { return nil }
        return signature
    }
}

/// The SSH wire encoding (RFC 4251 §5): uint32 big-endian, and strings as a uint32 length then bytes.
enum SSHWire {
    static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
    }

    static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendUInt32(UInt32(bytes.count), to: &out)
        out += bytes
    }

    /// Reads fields from bytes nobody vouched for: every read is bounded and returns nil past the end.
    struct Reader {
        private let bytes: [UInt8]
        private var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint32() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }

        /// A string of at most `limit` bytes; nil when longer or truncated.
        mutating func string(limit: Int) -> [UInt8]? {
            guard let length = uint32(), Int(length) <= limit, bytes.count - offset >= Int(length) else { return nil }
            defer { offset += Int(length) }
            return Array(bytes[offset..<offset + Int(length)])
        }
    }
}
