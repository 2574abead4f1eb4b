import Ledger
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The secret that authenticates one member's state caches of one ledger. Derived from the member's
/// private key through a deterministic Ed25519 signature (so a key held by an agent can derive it
/// too): SHA-256("emc-v1/state-cache" ‖ 0x00 ‖ Ed25519-sign(key, "emc-v1/state-cache-key" ‖ 0x00 ‖ ledger id)).
public struct StateCacheKey: Sendable {
    public let keyID: String
    public let ledgerID: String
    let secret: [UInt8]

    static let signedPrefix: [UInt8] = Array("emc-v1/state-cache-key".utf8) + [0]
    static let hashPrefix: [UInt8] = Array("emc-v1/state-cache".utf8) + [0]

    public init(member: any EntrySigner, ledgerID: String) throws(CryptoError) {
        let signature = try member.signature(for: Self.signedPrefix + Array(ledgerID.utf8))
        self.keyID = member.publicKey.keyID
        self.ledgerID = ledgerID
        self.secret = SHA256.hash(prefix: Self.hashPrefix, signature)
    }
}

/// A verified state saved to a file, with where in the ledger it ends: a cache, never a source of
/// truth. A writer keeps one per member next to the ledger (`LEDGER.emc-state-<keyid>`) so that an
/// append need not verify the whole log again; a member can keep one for `emc verify --cache`.
///
/// The file is text (SPEC.md §1.9): a format line, the ledger id, the key id, two byte offsets and
/// the state as JSON, then `mac <hex>`, an HMAC-SHA256 under the member's `StateCacheKey` over all
/// the bytes before it. A cache is used only if its MAC verifies, every field fits, and the ledger
/// still holds, at its offset, the line whose hash is its head; anything else means "verify from
/// the start". Decoding is total: no input traps.
public enum StateCache {
    public static let formatLine = "emc-state-cache v3"
    /// The format lines of every version ever written: a file that starts with one of them is a
    /// cache, which a save may replace (an older one is never read).
    static let knownFormatLines: Set<String> = ["emc-state-cache v1", "emc-state-cache v2", formatLine]
    /// The largest cache file read (a state is far smaller than its ledger; this bounds memory).
    public static let maximumFileBytes = 256 << 20

    /// The writer's cache for the member with `keyID`: a name no user file is expected to have.
    public static func path(forLedger path: String, keyID: String) -> String { "\(path).emc-state-\(keyID)" }

    /// The temporary file a save writes before renaming: fixed, so an interrupted save leaves at
    /// most this one file, which the next save reuses.
    public static func temporaryPath(for path: String) -> String { path + ".tmp" }

    // MARK: Encoding

    /// The cache file's bytes for `verified` under `key`.
    public static func encode(_ verified: VerifiedLedger, key: StateCacheKey) -> [UInt8] {
        precondition(verified.state.ledgerID == key.ledgerID, "a cache is keyed for its own ledger")
        var bytes = Array(header(ledgerID: key.ledgerID, keyID: key.keyID, byteCount: verified.validByteCount,
                                 lastLineOffset: verified.lastLineOffset).utf8)
        bytes += Array("state ".utf8) + Array(Base64.encode(verified.state.snapshot.binary).utf8) + [0x0a]
        bytes += Array("mac \(Hex.encode(HMACSHA256.authenticationCode(for: bytes, key: key.secret)))\n".utf8)
        return bytes
    }

    /// `body` followed by its MAC line under `key`: for tests and fuzzing of what follows the MAC check.
    package static func seal(_ body: [UInt8], key: StateCacheKey) -> [UInt8] {
        body + Array("mac \(Hex.encode(HMACSHA256.authenticationCode(for: body, key: key.secret)))\n".utf8)
    }

    package static func header(ledgerID: String, keyID: String, byteCount: Int64, lastLineOffset: Int64) -> String {
        "\(formatLine)\nledger \(ledgerID)\nkey \(keyID)\nbytes \(byteCount)\nhead-line \(lastLineOffset)\n"
    }

    // MARK: Decoding

    /// The fields before the state, as read (not yet trusted).
    struct Header {
        var ledgerID: String
        var keyID: String
        var byteCount: Int64
        var lastLineOffset: Int64
    }

    /// The ledger id a file claims, if it starts like a cache: all that is needed to decide whether
    /// a command may overwrite it.
    static func claimedLedgerID(_ bytes: [UInt8]) -> String? {
        let lines = bytes.prefix(4096).split(separator: 0x0a, maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count >= 3, knownFormatLines.contains(String(decoding: lines[0], as: UTF8.self)) else { return nil }
        let ledger = String(decoding: lines[1], as: UTF8.self)
        guard ledger.hasPrefix("ledger ") else { return nil }
        return String(ledger.dropFirst("ledger ".count))
    }

    /// The state in `bytes`, or nil unless it is a cache of `key`'s ledger made with `key` and every
    /// field makes sense. Never traps.
    public static func decode(_ bytes: [UInt8], key: StateCacheKey) -> VerifiedLedger? {
        guard bytes.count <= maximumFileBytes, bytes.last == 0x0a else { return nil }
        let body = bytes.dropLast()
        guard let macStart = body.lastIndex(of: 0x0a).map({ $0 + 1 }) else { return nil }
        let macLine = String(decoding: body[macStart...], as: UTF8.self)
        guard macLine.hasPrefix("mac "), let code = Hex.decode(String(macLine.dropFirst(4))),
              HMACSHA256.isValid(code, for: Array(bytes[..<macStart]), key: key.secret) else { return nil }
        // Authentic from here on; still checked as if a stranger wrote it. Five header lines, then
        // the state line, which ends with the newline before the MAC line (the state's base64 holds
        // no newline: one there fails to decode).
        var headerLines: [String] = []
        var lineStart = 0
        while headerLines.count < 5, let end = bytes[lineStart..<macStart].firstIndex(of: 0x0a) {
            headerLines.append(String(decoding: bytes[lineStart..<end], as: UTF8.self))
            lineStart = end + 1
        }
        guard lineStart < macStart, let header = parseHeader(headerLines),
              header.ledgerID == key.ledgerID, header.keyID == key.keyID else { return nil }
        let stateLine = bytes[lineStart..<(macStart - 1)]
        guard stateLine.starts(with: Array("state ".utf8)) else { return nil }
        guard let binary = Base64.decode(symbols: stateLine.dropFirst("state ".utf8.count)),
              let snapshot = StateSnapshot(binary: binary),
              let state = LedgerState(snapshot: snapshot), !state.isEmpty, state.ledgerID == key.ledgerID else { return nil }
        return VerifiedLedger(state: state, validByteCount: header.byteCount, lastLineOffset: header.lastLineOffset, tornTail: nil)
    }

    static func parseHeader(_ lines: [String]) -> Header? {
        guard lines.count == 5, lines[0] == formatLine else { return nil }
        func field(_ index: Int, _ name: String) -> String? {
            lines[index].hasPrefix(name + " ") ? String(lines[index].dropFirst(name.count + 1)) : nil
        }
        guard let ledgerID = field(1, "ledger"), let keyID = field(2, "key"),
              let byteCount = field(3, "bytes").flatMap({ Int64($0) }),
              let lastLineOffset = field(4, "head-line").flatMap({ Int64($0) }),
              lastLineOffset >= 0, byteCount > lastLineOffset,
              byteCount - lastLineOffset <= Int64(Entry.maximumLineBytes + 1) else { return nil }
        return Header(ledgerID: ledgerID, keyID: keyID, byteCount: byteCount, lastLineOffset: lastLineOffset)
    }

    // MARK: Files

    /// The cache in `path` (a regular file, links not followed) if it is valid for `key`; else nil.
    public static func load(from path: String, key: StateCacheKey) -> VerifiedLedger? {
        guard case .success(let descriptor) = RegularFile.open(path, flags: O_RDONLY, followLinks: false) else { return nil }
        defer { close(descriptor) }
        return RegularFile.readAll(descriptor, limit: maximumFileBytes).flatMap { decode($0, key: key) }
    }

    /// The ledger id claimed by the cache file at `path`, read without following links.
    static func claimedLedgerID(ofFile path: String) -> String? {
        guard case .success(let descriptor) = RegularFile.open(path, flags: O_RDONLY, followLinks: false) else { return nil }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 4096)
        let count = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return count > 0 ? claimedLedgerID(Array(head[0..<count])) : nil
    }

    /// Throws unless a command may write `path` as a cache of `ledgerID`: it must not exist, or be a
    /// regular file (not a link) that already carries the cache format and the same ledger id.
    /// With `allowEmpty`, an empty regular file may be written too (a temporary file of an
    /// interrupted save).
    public static func checkWritable(_ path: String, ledgerID: String, allowEmpty: Bool = false) throws(LedgerError) {
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw LedgerError(.io, "cannot inspect: \(String(cString: strerror(errno)))", file: path) }
            return
        }
        let isRegular = (status.st_mode & S_IFMT) == S_IFREG
        if isRegular && allowEmpty && status.st_size == 0 { return }
        guard isRegular, claimedLedgerID(ofFile: path) == ledgerID else {
            throw LedgerError(.usage, "exists and is not a state cache of ledger \(ledgerID.prefix(16))…; refusing to overwrite it", file: path)
        }
    }

    /// Writes `verified` to `path` under `key`: to the fixed temporary name, then renamed over
    /// `path`. Refuses (throws) when either file exists and is not a cache of the same ledger.
    /// The caller holds the ledger's lock, so no other writer uses the temporary name meanwhile.
    /// Not fsync'd: a lost or torn cache fails its MAC and only costs a full verification.
    public static func save(_ verified: VerifiedLedger, to path: String, key: StateCacheKey) throws(LedgerError) {
        let bytes = encode(verified, key: key)
        let temporary = temporaryPath(for: path)
        try checkWritable(path, ledgerID: key.ledgerID)
        try checkWritable(temporary, ledgerID: key.ledgerID, allowEmpty: true)
        let descriptor: Int32
        switch RegularFile.open(temporary, flags: O_WRONLY | O_CREAT, mode: 0o600, followLinks: false) {
        case .success(let opened): descriptor = opened
        case .failure(let failure): throw LedgerError(.io, "cannot write the state cache: \(failure.reason)", file: temporary)
        }
        let written = ftruncate(descriptor, 0) == 0 && RegularFile.writeAll(descriptor, bytes)
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LedgerError(.io, "cannot write the state cache: \(String(cString: strerror(errno)))", file: path)
        }
    }

    /// `save` for a reader: takes the ledger's lock (as writers do) for the time of the save.
    public static func save(_ verified: VerifiedLedger, to path: String, key: StateCacheKey, lockingLedger ledgerPath: String) throws(LedgerError) {
        let descriptor = try Verifier.openLedger(ledgerPath, flags: O_RDONLY)
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: ledgerPath) }
        defer { flock(descriptor, LOCK_UN) }
        try save(verified, to: path, key: key)
    }

    /// Throws unless the ledger still holds, at the cache's offset, the line whose hash is its head.
    static func checkHead(of cached: VerifiedLedger, descriptor: Int32, path: String) throws(LedgerError) {
        guard cached.validByteCount > cached.lastLineOffset, cached.lastLineOffset >= 0,
              cached.validByteCount - cached.lastLineOffset <= Int64(Entry.maximumLineBytes + 1) else {
            throw LedgerError(.usage, "the state cache does not fit this ledger", file: path)
        }
        let length = Int(cached.validByteCount - cached.lastLineOffset)
        var status = stat()
        guard !cached.state.isEmpty, length > 1, fstat(descriptor, &status) == 0, Int64(status.st_size) >= cached.validByteCount else {
            throw LedgerError(.usage, "the state cache does not fit this ledger", file: path)
        }
        var line = [UInt8](repeating: 0, count: length)
        let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(cached.lastLineOffset)) }
        guard count == length, line.last == 0x0a,
              Entry.hash(lineBytes: Array(line.dropLast())) == cached.state.headHash else {
            throw LedgerError(.usage, "the state cache's head is not entry \(cached.state.headSeq) of this ledger", file: path)
        }
    }
}
