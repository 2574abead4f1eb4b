import LedgerCrypto
/// A 32-byte SHA-256 value in the Merkle tree: a leaf hash, a node hash or a root. Stored inline.
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    var storage: (UInt64, UInt64, UInt64, UInt64)

    /// The 32 bytes, or nil when `bytes` is not 32 bytes long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        self.storage = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
    }

    init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// Reads 32 bytes at `pointer`.
    init(copying pointer: UnsafeRawPointer) {
        self.storage = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: 32)) }
    }

    /// The standard base64 of the 32 bytes (how checkpoints and proofs write a hash), or nil.
    public init?(base64 text: some StringProtocol) {
        guard let bytes = Base64.decode(text), let hash = MerkleHash(bytes: bytes) else { return nil }
        self = hash
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
    public var base64: String { Base64.encode(bytes) }
    public var description: String { base64 }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    public static func == (lhs: MerkleHash, rhs: MerkleHash) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }
}
