import LedgerFormat
#if canImport(Glibc)
import Glibc
#endif

/// The files witness commands read and write next to a ledger. A command overwrites only a file it
/// owns (its format tag checked first), writes with write-temp, fsync, rename, fsync the
/// directory, and reads every file as if a stranger wrote it (bounded, regular files only).
enum OwnedFile {
    /// The bytes of `path`, or nil when it does not exist; refuses more than `limit` bytes.
    static func read(_ path: String, limit: Int, what: String) throws(WitnessError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw WitnessError(.io, "cannot open the \(what): \(String(cString: strerror(errno)))", file: path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw WitnessError(.io, "the \(what) is not a regular file", file: path)
        }
        guard status.st_size <= limit else {
            throw WitnessError(.invalid, "the \(what) is \(status.st_size) bytes, at most \(limit) are allowed", file: path)
        }
        var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
        var total = 0
        while total < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + total, $0.count - total) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw WitnessError(.io, "cannot read the \(what)", file: path) }
            total += count
        }
        return bytes
    }

    /// Reads a file that must exist.
    static func require(_ path: String, limit: Int, what: String) throws(WitnessError) -> [UInt8] {
        guard let bytes = try read(path, limit: limit, what: what) else {
            throw WitnessError(.io, "no such \(what) file", file: path)
        }
        return bytes
    }

    /// Replaces (or creates) `path` with `bytes` durably. With `exclusive`, refuses an existing file.
    static func write(_ bytes: [UInt8], to path: String, exclusive: Bool = false) throws(WitnessError) {
        let temporary = "\(path).tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WitnessError(.io, "cannot create \(temporary): \(String(cString: strerror(errno)))", file: path) }
        var written = 0
        var failed = false
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { failed = true; break }
            written += count
        }
        if !failed && fsync(descriptor) != 0 { failed = true }
        close(descriptor)
        if failed {
            unlink(temporary)
            throw WitnessError(.io, "cannot write \(temporary)", file: path)
        }
        if exclusive {
            // link(2) fails when the name exists: never replaces a file someone else made.
            defer { unlink(temporary) }
            guard link(temporary, path) == 0 else {
                let reason = errno == EEXIST ? "already exists; refusing to overwrite it" : "cannot create: \(String(cString: strerror(errno)))"
                throw WitnessError(errno == EEXIST ? .usage : .io, reason, file: path)
            }
        } else if rename(temporary, path) != 0 {
            unlink(temporary)
            throw WitnessError(.io, "cannot rename \(temporary) into place", file: path)
        }
        syncDirectory(of: path)
    }

    /// Creates the first free `base-1`, `base-2`, … with `bytes`; returns its path.
    static func writeNew(_ bytes: [UInt8], base: String) throws(WitnessError) -> String {
        for number in 1...1_000 {
            let path = "\(base)-\(number)"
            do throws(WitnessError) {
                try write(bytes, to: path, exclusive: true)
                return path
            } catch where error.kind == .usage {
                continue
            }
        }
        throw WitnessError(.io, "1,000 files of this name exist already", file: base)
    }

    static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Runs `body` holding the ledger's exclusive lock (the lock writers take): no entry is appended
    /// and no other witness action runs on this ledger meanwhile.
    static func withLedgerLock<T>(_ ledgerPath: String, _ body: () throws -> T) throws -> T {
        let descriptor = open(ledgerPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw WitnessError(.io, errno == ENOENT ? "no such ledger file" : "cannot open: \(String(cString: strerror(errno)))", file: ledgerPath)
        }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw WitnessError(.io, "cannot lock the ledger", file: ledgerPath) }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

/// Output files of witness commands (checkpoints, proofs, cosigned notes): written durably, and
/// only over a file that `owns` recognises as one of its kind.
public enum OutputFile {
    public static func write(_ bytes: [UInt8], to path: String, what: String, owns: ([UInt8]) -> Bool) throws {
        if let existing = try OwnedFile.read(path, limit: 1 << 20, what: what), !owns(existing) {
            throw WitnessError(.usage, "exists and is not a \(what); refusing to overwrite it", file: path)
        }
        try OwnedFile.write(bytes, to: path)
    }

    /// Reads an input file of at most `limit` bytes that must exist.
    public static func read(_ path: String, limit: Int, what: String) throws -> [UInt8] {
        try OwnedFile.require(path, limit: limit, what: what)
    }
}
