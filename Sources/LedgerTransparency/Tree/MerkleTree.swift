import LedgerCrypto

/// RFC 6962 / RFC 9162 hashing: leaf = SHA-256(0x00 ‖ line), node = SHA-256(0x01 ‖ left ‖ right).
public enum MerkleTree {
    /// The root of the empty tree: SHA-256 of no bytes.
    public static let emptyRoot = MerkleHash(bytes: SHA256.hash([]))!

    /// The leaf hash of one entry line (without its newline).
    public static func leafHash(_ line: some Collection<UInt8>) -> MerkleHash {
        NodeHasher().leaf(Array(line))
    }

    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        NodeHasher().node(left, right)
    }

    /// The root of the tree over `leafHashes` (all in memory; for many leaves use `TreeHashStore`).
    public static func root(of leafHashes: [MerkleHash]) -> MerkleHash {
        var frontier = MerkleFrontier()
        for leaf in leafHashes { frontier.append(leaf) }
        return frontier.root
    }

    /// The largest power of two strictly below `count` (count ≥ 2): RFC 9162's split point k.
    static func splitPoint(_ count: UInt64) -> UInt64 {
        precondition(count >= 2, "a split needs two leaves")
        return UInt64(1) << (63 - (count - 1).leadingZeroBitCount)
    }
}

/// Hashes tree nodes through one reused SHA-256 context; one per thread.
final class NodeHasher {
    private let context = SHA256.Context()
    private var none: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    func leaf(_ line: [UInt8]) -> MerkleHash {
        line.withUnsafeBytes { leaf($0) }
    }

    func leaf(_ line: UnsafeRawBufferPointer) -> MerkleHash {
        var out = MerkleHash(storage: (0, 0, 0, 0))
        Swift.withUnsafeMutableBytes(of: &out.storage) { context.hash(prefix: 0x00, line, none, into: $0.baseAddress!) }
        return out
    }

    func node(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var out = MerkleHash(storage: (0, 0, 0, 0))
        left.withUnsafeBytes { leftBytes in
            right.withUnsafeBytes { rightBytes in
                Swift.withUnsafeMutableBytes(of: &out.storage) {
                    context.hash(prefix: 0x01, leftBytes, rightBytes, into: $0.baseAddress!)
                }
            }
        }
        return out
    }

    /// Node hash of two 32-byte hashes stored in a buffer, written into `out` (32 bytes).
    func node(_ pair: UnsafeRawPointer, into out: UnsafeMutableRawPointer) {
        context.hash(prefix: 0x01, UnsafeRawBufferPointer(start: pair, count: 32),
                     UnsafeRawBufferPointer(start: pair + 32, count: 32), into: out)
    }
}
