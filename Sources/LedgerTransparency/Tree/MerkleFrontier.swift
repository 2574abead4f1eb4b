/// An incremental Merkle tree builder in O(log n) memory (a compact range from 0): append leaf
/// hashes in order, read the root of everything appended so far.
public struct MerkleFrontier {
    /// The number of leaves appended.
    public private(set) var size: UInt64 = 0
    /// The roots of the perfect subtrees that make up the tree, largest (leftmost) first:
    /// one per set bit of `size`.
    public private(set) var subtreeRoots: [MerkleHash] = []
    private let hasher = NodeHasher()

    public init() {}

    /// The frontier of a tree of `size` leaves from its subtree roots (one per set bit, largest first).
    init(size: UInt64, subtreeRoots: [MerkleHash]) {
        precondition(subtreeRoots.count == size.nonzeroBitCount, "one subtree root per set bit of the size")
        self.size = size
        self.subtreeRoots = subtreeRoots
    }

    public mutating func append(_ leafHash: MerkleHash) {
        var hash = leafHash
        var carry = size
        while carry & 1 == 1 {
            hash = hasher.node(subtreeRoots.removeLast(), hash)
            carry >>= 1
        }
        subtreeRoots.append(hash)
        size += 1
        assert(subtreeRoots.count == size.nonzeroBitCount, "one subtree root per set bit of the size")
    }

    /// Appends the leaf hash of `line` (an entry line without its newline).
    public mutating func append(line: some Collection<UInt8>) {
        append(hasher.leaf(Array(line)))
    }

    /// The RFC 6962 root of the leaves appended so far.
    public var root: MerkleHash {
        guard var root = subtreeRoots.last else { return MerkleTree.emptyRoot }
        for index in stride(from: subtreeRoots.count - 2, through: 0, by: -1) {
            root = hasher.node(subtreeRoots[index], root)
        }
        return root
    }
}
