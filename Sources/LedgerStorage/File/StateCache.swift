import Foundation
import Ledger
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// A verified state saved to a file, with where in the ledger it ends. Writers keep one next to the
/// ledger (`LEDGER.state`) so an append does not re-verify the whole log; a member can keep one to
/// verify only what was appended since (`emc verify --checkpoint`). It is only a cache: before use
/// its head hash is checked against the ledger's line at its offset, and any mismatch means
/// "verify from the start".
public enum Checkpoint {
    struct File: Codable {
        var format = 1
        var byteCount: Int64
        var lastLineOffset: Int64
        var state: StateSnapshot
    }

    public static func snapshotPath(forLedger path: String) -> String { path + ".state" }

    /// Writes `verified` to `path` atomically (temporary file, then rename). Not fsync'd: a lost or
    /// torn checkpoint only costs a full verification next time.
    public static func save(_ verified: VerifiedLedger, to path: String) {
        let file = File(byteCount: verified.validByteCount, lastLineOffset: verified.lastLineOffset, state: verified.state.snapshot)
        guard let data = try? JSONEncoder().encode(file) else { return }
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// The checkpoint in `path`, or nil when there is none or it cannot be read.
    public static func load(from path: String) -> VerifiedLedger? {
        guard let data = FileManager.default.contents(atPath: path),
              let file = try? JSONDecoder().decode(File.self, from: data), file.format == 1,
              let state = LedgerState(snapshot: file.state) else { return nil }
        return VerifiedLedger(state: state, validByteCount: file.byteCount, lastLineOffset: file.lastLineOffset, tornTail: nil)
    }

    /// Throws unless the ledger still holds, at the checkpoint's offset, the line whose hash is its head.
    static func checkHead(of checkpoint: VerifiedLedger, descriptor: Int32, path: String) throws(LedgerError) {
        let length = Int(checkpoint.validByteCount - checkpoint.lastLineOffset)
        var status = stat()
        guard !checkpoint.state.isEmpty, length > 1, length <= Entry.maximumLineBytes + 1,
              fstat(descriptor, &status) == 0, Int64(status.st_size) >= checkpoint.validByteCount else {
            throw LedgerError(.usage, "the checkpoint does not fit this ledger", file: path)
        }
        var line = [UInt8](repeating: 0, count: length)
        let count = line.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(checkpoint.lastLineOffset)) }
        guard count == length, line.last == 0x0a,
              Entry.hash(lineBytes: Array(line.dropLast())) == checkpoint.state.headHash else {
            throw LedgerError(.usage, "the checkpoint's head is not entry \(checkpoint.state.headSeq) of this ledger", file: path)
        }
    }
}

