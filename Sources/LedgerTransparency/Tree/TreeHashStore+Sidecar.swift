import LedgerCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hash sidecar: the tile levels saved next to a ledger so proofs can be served without
/// rereading it. It is only a cache. Layout (SPEC §4.9):
/// `"emc-tlog-hashes/v1\n"` ‖ u16 origin length ‖ origin ‖ u64 size ‖ root(32) ‖
/// tile level 0, 1, … (all hashes, level by level) ‖ SHA-256 of all the preceding bytes.
extension TreeHashStore {
    static let sidecarTag: [UInt8] = Array("emc-tlog-hashes/v1\n".utf8)
    /// 2^40 leaves is far beyond any ledger; a larger size field is refused before anything is allocated.
    static let sidecarMaximumSize: UInt64 = 1 << 40

    /// The sidecar bytes for the current tree.
    public func sidecarBytes() -> [UInt8] {
        var out = Self.sidecarTag
        let originBytes = Array(origin.utf8)
        precondition(originBytes.count <= Int(UInt16.max), "an origin fits in 65,535 bytes")
        out.append(contentsOf: [UInt8(originBytes.count >> 8), UInt8(originBytes.count & 0xff)])
        out.append(contentsOf: originBytes)
        out.append(contentsOf: bigEndianBytes(size))
        out.append(contentsOf: root.bytes)
        for level in tileLevels where !level.isEmpty { out.append(contentsOf: level) }
        out.append(contentsOf: SHA256.hash(out))
        return out
    }

    /// Writes the sidecar with write-temp, fsync, rename, fsync the directory.
    public func saveSidecar(path: String) throws(TransparencyError) {
        let bytes = sidecarBytes()
        // Pair the assertion: what is written must load back as this tree.
        _ = try Self.loadSidecar(bytes: bytes, origin: origin, size: size, root: root)
        try writeReplacing(path: path, bytes: bytes)
    }

    /// Loads and validates a sidecar against the caller's trusted `origin`, `size` and `root`.
    /// Any doubt throws `.sidecar`: the caller then rebuilds the hashes from the leaves.
    public static func loadSidecar(path: String, origin: String, size: UInt64, root: MerkleHash) throws(TransparencyError) -> TreeHashStore {
        let expected = expectedSidecarLength(originBytes: origin.utf8.count, size: size)
        let bytes = try readBounded(path: path, exactLength: expected)
        return try loadSidecar(bytes: bytes, origin: origin, size: size, root: root)
    }

    /// Validates sidecar bytes as if a stranger wrote them: tag, origin, size, length, checksum,
    /// every tile hash recomputed from the level below, and the root compared.
    public static func loadSidecar(bytes: [UInt8], origin: String, size: UInt64, root: MerkleHash) throws(TransparencyError) -> TreeHashStore {
        func reject(_ why: String) -> TransparencyError { TransparencyError(.sidecar, "hash sidecar refused: \(why); rebuild it from the ledger") }
        let originBytes = Array(origin.utf8)
        guard size <= sidecarMaximumSize else { throw reject("size \(size) is too large") }
        guard bytes.count == expectedSidecarLength(originBytes: originBytes.count, size: size) else {
            throw reject("it is \(bytes.count) bytes, a sidecar of \(size) leaves is \(expectedSidecarLength(originBytes: originBytes.count, size: size))")
        }
        guard bytes.starts(with: sidecarTag) else { throw reject("wrong format tag") }
        var offset = sidecarTag.count
        let originLength = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        offset += 2
        guard originLength == originBytes.count, Array(bytes[offset..<offset + originLength]) == originBytes else {
            throw reject("it belongs to another log")
        }
        offset += originLength
        guard readBigEndian(bytes, at: offset) == size else { throw reject("it records another tree size") }
        offset += 8
        guard MerkleHash(bytes: bytes[offset..<offset + 32]) == root else { throw reject("it records another root") }
        offset += 32
        guard SHA256.hash(Array(bytes[0..<bytes.count - 32])) == Array(bytes[(bytes.count - 32)...]) else {
            throw reject("its checksum does not match")
        }
        let store = TreeHashStore(origin: origin)
        store.tileLevels = []
        var count = size
        repeat {
            let length = Int(count) * MerkleHash.byteCount
            store.tileLevels.append(Array(bytes[offset..<offset + length]))
            offset += length
            count >>= UInt64(tileHeight)
        } while count > 0
        for level in 1..<max(1, store.tileLevels.count) {
            for index in 0..<store.hashCount(level: level) {
                let recomputed = store.perfectRoot(level: level - 1, start: index * UInt64(tileWidth), count: tileWidth)
                guard recomputed == store.storedHash(level: level, index: index) else {
                    throw reject("tile \(index) of level \(level) does not match the level below")
                }
            }
        }
        guard store.root == root else { throw reject("its hashes do not lead to the expected root") }
        return store
    }

    static func expectedSidecarLength(originBytes: Int, size: UInt64) -> Int {
        var hashes: UInt64 = 0
        var count = size
        repeat { hashes += count; count >>= UInt64(tileHeight) } while count > 0
        return sidecarTag.count + 2 + originBytes + 8 + 32 + Int(hashes) * MerkleHash.byteCount + 32
    }
}

func bigEndianBytes(_ value: UInt64) -> [UInt8] {
    (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * $0)) }
}

func readBigEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
}

private func readBounded(path: String, exactLength: Int) throws(TransparencyError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw TransparencyError(.sidecar, "hash sidecar \(path) cannot be read") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        throw TransparencyError(.sidecar, "hash sidecar \(path) is not a regular file")
    }
    guard status.st_size == exactLength else {
        throw TransparencyError(.sidecar, "hash sidecar refused: it is \(status.st_size) bytes, expected \(exactLength); rebuild it from the ledger")
    }
    var bytes = [UInt8](repeating: 0, count: exactLength)
    var total = 0
    while total < exactLength {
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + total, exactLength - total) }
        guard count > 0 else { throw TransparencyError(.sidecar, "hash sidecar \(path) could not be read completely") }
        total += count
    }
    return bytes
}

private func writeReplacing(path: String, bytes: [UInt8]) throws(TransparencyError) {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw TransparencyError(.sidecar, "cannot create \(temporary)") }
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
        guard count > 0 else {
            close(descriptor)
            unlink(temporary)
            throw TransparencyError(.sidecar, "cannot write \(temporary)")
        }
        written += count
    }
    guard fsync(descriptor) == 0 else {
        close(descriptor)
        unlink(temporary)
        throw TransparencyError(.sidecar, "cannot fsync \(temporary)")
    }
    close(descriptor)
    guard rename(temporary, path) == 0 else {
        unlink(temporary)
        throw TransparencyError(.sidecar, "cannot rename \(temporary) to \(path)")
    }
    let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
    let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY)
    if directoryDescriptor >= 0 {
        defer { close(directoryDescriptor) }
        guard fsync(directoryDescriptor) == 0 else { throw TransparencyError(.sidecar, "cannot fsync the directory of \(path)") }
    }
}
