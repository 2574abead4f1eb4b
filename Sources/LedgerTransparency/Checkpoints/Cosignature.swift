/// A C2SP tlog-cosignature/v1: a timestamped Ed25519 signature (type 0x04) over
/// `cosignature/v1\ntime <timestamp>\n` ‖ the checkpoint body.
public struct Cosignature: Hashable, Sendable {
    public var name: String
    public var keyID: UInt32
    /// POSIX seconds at which the cosigner signed.
    public var timestamp: UInt64
    /// The 64-byte Ed25519 signature.
    public var signature: [UInt8]

    /// Reads a note signature line as a cosignature (8-byte big-endian timestamp ‖ 64 bytes), or nil.
    public init?(_ noteSignature: NoteSignature) {
        guard let timestamped = Timestamped(noteSignature.signature) else { return nil }
        self.name = noteSignature.name
        self.keyID = noteSignature.keyID
        self.timestamp = timestamped.timestamp
        self.signature = timestamped.signature
    }

    public var noteSignature: NoteSignature {
        NoteSignature(name: name, keyID: keyID, signature: bigEndianBytes(timestamp) + signature)
    }

    /// The message a cosigner signs.
    public static func message(timestamp: UInt64, checkpointBody: [UInt8]) -> [UInt8] {
        Array("cosignature/v1\ntime \(timestamp)\n".utf8) + checkpointBody
    }

    /// The `timestamped_signature` structure.
    struct Timestamped {
        var timestamp: UInt64
        var signature: [UInt8]

        init?(_ raw: [UInt8]) {
            guard raw.count == 72 else { return nil }
            let timestamp = readBigEndian(raw, at: 0)
            guard timestamp <= UInt64(Int64.max) else { return nil }
            self.timestamp = timestamp
            self.signature = Array(raw[8...])
        }
    }
}
