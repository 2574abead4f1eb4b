import Ledger
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ledger file: create, append under an exclusive lock with fsync, repair a torn tail.
/// Crash safety (SPEC.md, "Storage"): an entry is acknowledged only after its line and newline
/// are written and fsync'd; a failed write or fsync truncates back and reports failure. Writes and
/// fsyncs go through `io` (tests inject `FaultyFileIO`). `FileEntryStore` is the same file behind
/// the `EntryStore` interface.
public enum LedgerStore {
    /// Creates `path` holding only `genesis` (which must be valid), never over an existing file:
    /// the line is written and fsync'd under a temporary name in the same directory
    /// (`PATH.emc-init`), linked to `path` (which fails if `path` exists), and the directory is
    /// fsync'd. A crash at any point leaves either no ledger or a complete one, never a 0-byte file;
    /// a temporary file left by a crash is removed by the next create.
    public static func create(path: String, genesis: DecodedEntry, io: any FileIO = SystemFileIO()) throws(LedgerError) {
        var status = stat()
        if lstat(path, &status) == 0 { throw LedgerError(.usage, "already exists; refusing to overwrite a ledger", file: path) }
        do throws(LedgerError) { _ = try LedgerState().applying(genesis) } catch { throw error.located(path) }
        let temporary = path + ".emc-init"
        try removeStaleTemporary(temporary)
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LedgerError(.io, "cannot create: \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(descriptor) }
        do throws(LedgerError) {
            guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: path) }
            try writeDurably(descriptor: descriptor, bytes: genesis.lineBytes + [0x0a], originalSize: 0, path: path, io: io)
            guard link(temporary, path) == 0 else {
                throw errno == EEXIST ? LedgerError(.usage, "already exists; refusing to overwrite a ledger", file: path)
                                      : LedgerError(.io, "cannot create: \(String(cString: strerror(errno)))", file: path)
            }
        } catch {
            // Nothing was acknowledged: remove the temporary file this call created.
            unlink(temporary)
            throw error.located(path)
        }
        unlink(temporary)
        try syncDirectory(of: path)
    }

    /// Removes a temporary file an interrupted create left behind: a regular file that is empty or
    /// starts like an entry line. Anything else under that name is refused, not removed.
    static func removeStaleTemporary(_ temporary: String) throws(LedgerError) {
        var status = stat()
        guard lstat(temporary, &status) == 0 else { return }
        var first: UInt8 = 0
        if (status.st_mode & S_IFMT) == S_IFREG, case .success(let descriptor) = RegularFile.open(temporary, flags: O_RDONLY, followLinks: false) {
            let count = pread(descriptor, &first, 1, 0)
            close(descriptor)
            if count == 0 || (count == 1 && first == UInt8(ascii: "{")) {
                unlink(temporary)
                return
            }
        }
        throw LedgerError(.usage, "exists and is not a file emc left behind; remove it or choose another ledger name", file: temporary)
    }

    /// Appends the entries `make` builds from the current state, in one durable write.
    /// The file is locked for the whole load-validate-write-fsync sequence, so concurrent
    /// writers are serialised and can never fork the chain. Returns the entries written.
    @discardableResult
    /// With the acting member's `key`, the member's state cache is used and saved (see `StateCache`).
    public static func append(path: String, key: (any EntrySigner)? = nil, io: any FileIO = SystemFileIO(),
                              progress: ((_ entries: Int64, _ bytes: Int64) -> Void)? = nil,
                              make: (LedgerState) throws -> [Entry]) throws -> [DecodedEntry] {
        let writer = try LedgerWriter(path: path, key: key, io: io, progress: progress)
        defer { writer.close() }
        return try writer.append(make)
    }

    /// Writes `bytes` at the end of the file and fsyncs (calling `whileSyncing` in between, once
    /// the bytes are written). On any failure the file is truncated back to `originalSize` (a
    /// failed fsync is never retried as if it had worked).
    package static func writeDurably(descriptor: Int32, bytes: [UInt8], originalSize: Int64, path: String, io: any FileIO,
                                     whileSyncing: () -> Void = {}) throws(LedgerError) {
        var failure: String? = nil
        if lseek(descriptor, off_t(originalSize), SEEK_SET) < 0 {
            failure = "seek failed: \(String(cString: strerror(errno)))"
        }
        var done = 0
        while failure == nil && done < bytes.count {
            let count = bytes.withUnsafeBytes { io.write(descriptor, UnsafeRawBufferPointer(rebasing: $0[done...])) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = "write failed: \(String(cString: strerror(errno)))"
            } else {
                done += count
            }
        }
        if failure == nil {
            whileSyncing()
            if io.fsync(descriptor) != 0 {
                failure = "fsync failed: \(String(cString: strerror(errno)))"
            }
        }
        guard let failure else {
            io.didSync()
            return
        }
        // The entry was not acknowledged: remove whatever part of it reached the file.
        if ftruncate(descriptor, off_t(originalSize)) != 0 || fsync(descriptor) != 0 {
            throw LedgerError(.io, "\(failure); and restoring the file failed too: run `emc verify` and `emc repair`", file: path)
        }
        throw LedgerError(.io, "\(failure); nothing was appended", file: path)
    }

    package static func syncDirectory(of path: String) throws(LedgerError) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LedgerError(.io, "cannot open its directory to fsync it", file: path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw LedgerError(.io, "fsync of its directory failed", file: path) }
    }

    /// Removes a torn tail after copying the whole file to `backupPath`; nil when there is none.
    /// Refuses (throws) when the ledger has any other damage, leaving the file untouched.
    public static func repair(path: String) throws(LedgerError) -> (removedBytes: Int, backupPath: String, entries: Int64)? {
        let descriptor = try Verifier.openLedger(path, flags: O_RDWR)
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw LedgerError(.io, "cannot lock the ledger", file: path) }
        let verified: VerifiedLedger
        do throws(LedgerError) {
            verified = try Verifier.verify(descriptor: descriptor, path: path, progress: nil)
        } catch {
            var refused = error
            refused.reason = "repair refused, file untouched: " + error.reason + " (only an interrupted final append can be repaired)"
            throw refused
        }
        guard let torn = verified.tornTail else { return nil }
        guard !verified.state.isEmpty else {
            throw LedgerError(.malformed, "repair refused: not even the genesis entry is complete", file: path)
        }
        let backupPath = try copyAside(descriptor: descriptor, path: path)
        guard ftruncate(descriptor, off_t(verified.validByteCount)) == 0, fsync(descriptor) == 0 else {
            throw LedgerError(.io, "truncating the torn tail failed; the original is kept at \(backupPath)", file: path)
        }
        return (torn.byteCount, backupPath, verified.entryCount)
    }

    /// Copies the file to the first free `PATH.torn-N` and fsyncs the copy and its directory.
    static func copyAside(descriptor: Int32, path: String) throws(LedgerError) -> String {
        var number = 1
        var backupPath = "\(path).torn-\(number)"
        var output = open(backupPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        while output < 0 && errno == EEXIST && number < 1000 {
            number += 1
            backupPath = "\(path).torn-\(number)"
            output = open(backupPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard output >= 0 else { throw LedgerError(.io, "cannot create a backup copy \(backupPath)", file: path) }
        defer { close(output) }
        do throws(LedgerError) {
            try copy(from: descriptor, to: output, backupPath: backupPath, path: path)
        } catch {
            // A partial copy is no backup: remove it, so a full disk leaves nothing behind.
            unlink(backupPath)
            throw error
        }
        try syncDirectory(of: backupPath)
        return backupPath
    }

    static func copy(from descriptor: Int32, to output: Int32, backupPath: String, path: String) throws(LedgerError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var position: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, position) }
            guard count >= 0 else { throw LedgerError(.io, "reading for the backup copy failed", file: path) }
            if count == 0 { break }
            guard RegularFile.writeAll(output, Array(buffer[0..<count])) else {
                throw LedgerError(.io, "writing the backup copy \(backupPath) failed: \(String(cString: strerror(errno))); the ledger is untouched", file: path)
            }
            position += off_t(count)
        }
        guard fsync(output) == 0 else { throw LedgerError(.io, "fsync of the backup copy failed", file: path) }
    }
}

extension LedgerError {
    /// The error with `file` set to `path` unless it names a file already.
    func located(_ path: String) -> LedgerError {
        var located = self
        located.file = located.file ?? path
        return located
    }
}
