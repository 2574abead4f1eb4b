/// The hashes needed to serve any root, inclusion proof or consistency proof in O(log n) without
/// rereading the log, in the tlog-tiles layout: tile level L holds the hashes of all complete
/// subtrees of 256^L leaves (level 0: the leaf hashes), 256 to a tile. Levels between are
/// recomputed inside a tile, at most 255 node hashes per tile touched.
public final class TreeHashStore {
    /// Hashes per tile (tlog-tiles): a tile is a subtree of height 8.
    public static let tileWidth = 256
    static let tileHeight = 8

    /// The checkpoint origin of the log these hashes belong to; a sidecar is bound to it.
    public let origin: String
    /// `tileLevels[L]` is the concatenation of `size >> (8 * L)` hashes of 32 bytes.
    var tileLevels: [[UInt8]] = [[]]
    let hasher = NodeHasher()
    /// A cache for `root`: the frontier (perfect subtree roots) of the first `frontier.size`
    /// leaves, extended by about one node hash per leaf appended since, so that the root of a
    /// growing tree costs O(log n) hashes instead of up to 255 per tile level touched.
    var frontier = MerkleFrontier()

    public init(origin: String) {
        self.origin = origin
    }

    /// An independent copy of these hashes (appending to one leaves the other as it was).
    public func copy() -> TreeHashStore {
        let copy = TreeHashStore(origin: origin)
        copy.tileLevels = tileLevels
        copy.frontier = frontier
        return copy
    }

    /// The number of leaves.
    public var size: UInt64 { UInt64(tileLevels[0].count / MerkleHash.byteCount) }

    /// Appends one leaf hash; completes the tiles above when a tile fills.
    public func append(leafHash: MerkleHash) {
        leafHash.withUnsafeBytes { tileLevels[0].append(contentsOf: $0) }
        var level = 0
        while hashCount(level: level) % UInt64(Self.tileWidth) == 0 {
            let tileIndex = hashCount(level: level) / UInt64(Self.tileWidth) - 1
            let tileRoot = perfectRoot(level: level, start: tileIndex * UInt64(Self.tileWidth), count: Self.tileWidth)
            if tileLevels.count == level + 1 { tileLevels.append([]) }
            tileRoot.withUnsafeBytes { tileLevels[level + 1].append(contentsOf: $0) }
            level += 1
        }
    }

    /// Appends the leaf hash of an entry line (without its newline).
    public func append(line: some Collection<UInt8>) {
        append(leafHash: leafHash(line: line))
    }

    /// `MerkleTree.leafHash(line)`, with this tree's hasher.
    public func leafHash(line: some Collection<UInt8>) -> MerkleHash {
        hasher.leaf(Array(line))
    }

    /// The root of the whole tree.
    public var root: MerkleHash {
        updateFrontier()
        return frontier.root
    }

    /// The root the tree will have once `leafHashes` are appended, without appending them:
    /// O(log n) hashes plus about one per leaf (a server signs the next checkpoint during the
    /// fsync of its entries).
    public func root(appending leafHashes: [MerkleHash]) -> MerkleHash {
        updateFrontier()
        var grown = frontier
        for leafHash in leafHashes { grown.append(leafHash) }
        return grown.root
    }

    /// Brings `frontier` to the current size: leaf by leaf, or, after many leaves (or from none,
    /// as after loading a sidecar), from the stored tiles (one `rangeHash` per subtree).
    func updateFrontier() {
        let size = self.size
        guard frontier.size != size else { return }
        if frontier.size > size || size - frontier.size > 512 {
            var roots: [MerkleHash] = []
            var start: UInt64 = 0
            for height in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(height)) != 0 {
                roots.append(rangeHash(start: start, count: 1 << UInt64(height)))
                start += 1 << UInt64(height)
            }
            frontier = MerkleFrontier(size: size, subtreeRoots: roots)
        } else {
            for index in frontier.size..<size { frontier.append(storedHash(level: 0, index: index)) }
        }
    }

    /// The root of the first `size` leaves (any earlier tree size).
    public func root(size treeSize: UInt64) throws(TransparencyError) -> MerkleHash {
        guard treeSize <= size else {
            throw TransparencyError(.outOfRange, "tree size \(treeSize) is larger than the \(size) leaves stored")
        }
        if treeSize == size { return root }
        return treeSize == 0 ? MerkleTree.emptyRoot : rangeHash(start: 0, count: treeSize)
    }

    /// The hash of leaf `index`.
    public func leafHash(index: UInt64) throws(TransparencyError) -> MerkleHash {
        guard index < size else {
            throw TransparencyError(.outOfRange, "entry index \(index) is not below the \(size) leaves stored")
        }
        return storedHash(level: 0, index: index)
    }

    func hashCount(level: Int) -> UInt64 {
        level < tileLevels.count ? UInt64(tileLevels[level].count / MerkleHash.byteCount) : 0
    }

    func storedHash(level: Int, index: UInt64) -> MerkleHash {
        tileLevels[level].withUnsafeBytes { MerkleHash(copying: $0.baseAddress! + Int(index) * MerkleHash.byteCount) }
    }

    /// MTH of leaves [start, start + count), all stored (count ≥ 1).
    func rangeHash(start: UInt64, count: UInt64) -> MerkleHash {
        precondition(count >= 1 && start + count <= size, "range outside the stored tree")
        if count & (count - 1) == 0 && start % count == 0 {
            let height = count.trailingZeroBitCount
            let level = height / Self.tileHeight
            let within = height % Self.tileHeight
            return perfectRoot(level: level, start: start >> UInt64(level * Self.tileHeight), count: 1 << within)
        }
        let split = MerkleTree.splitPoint(count)
        return hasher.node(rangeHash(start: start, count: split), rangeHash(start: start + split, count: count - split))
    }

    /// The root of the perfect subtree over `count` (a power of two ≤ 256) stored hashes of a tile level.
    func perfectRoot(level: Int, start: UInt64, count: Int) -> MerkleHash {
        assert(count >= 1 && count <= Self.tileWidth && count & (count - 1) == 0)
        if count == 1 { return storedHash(level: level, index: start) }
        return withUnsafeTemporaryAllocation(byteCount: count * MerkleHash.byteCount, alignment: 8) { scratch in
            tileLevels[level].withUnsafeBytes { stored in
                let offset = Int(start) * MerkleHash.byteCount
                scratch.copyMemory(from: UnsafeRawBufferPointer(rebasing: stored[offset..<offset + count * MerkleHash.byteCount]))
            }
            var width = count
            while width > 1 {
                for pair in 0..<width / 2 {
                    hasher.node(UnsafeRawPointer(scratch.baseAddress! + pair * 64),
                                into: scratch.baseAddress! + pair * MerkleHash.byteCount)
                }
                width /= 2
            }
            return MerkleHash(copying: UnsafeRawPointer(scratch.baseAddress!))
        }
    }

    #if DEBUG
    /// Every tile level holds exactly the complete subtrees of its height.
    func _checkInvariants() {
        for level in 1..<tileLevels.count {
            precondition(hashCount(level: level) == size >> UInt64(level * Self.tileHeight), "tile level \(level) has the wrong width")
        }
    }
    #endif
}
