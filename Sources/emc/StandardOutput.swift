#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import LedgerStorage

/// Standard output, checked. A write error (a full disk, /dev/full) ends the command with exit 2
/// and one `emc: error:` line, so a truncated export never passes as success; a reader that went
/// away (`emc log | head -1`) ends it quietly with exit 0, as `git log | head` does. SIGPIPE is
/// ignored (see `EMC.main`), so a closed pipe shows up here as EPIPE.
enum StandardOutput {
    /// The C stream `print` writes to as well (one FILE, one buffer, one order).
    static var stream: UnsafeMutablePointer<FILE> { stdout }

    static func write(_ text: String) {
        if fputs(text, stream) < 0 || ferror(stream) != 0 { fail(errno) }
    }

    static func write(_ bytes: [UInt8]) {
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, stream) }
        if written != bytes.count || ferror(stream) != 0 { fail(errno) }
    }

    /// Flushes, and fails as `write` does if any write so far failed (also those made by `print`).
    static func finish() {
        errno = 0
        if fflush(stream) != 0 || ferror(stream) != 0 { fail(errno) }
    }

    static func fail(_ code: Int32) -> Never {
        if code == EPIPE { Glibc._exit(0) }
        let reason = code == 0 ? "write error" : String(cString: strerror(code))
        printError("cannot write to standard output: \(reason)")
        // _exit: stdio would try to flush the failed buffer again.
        Glibc._exit(2)
    }
}

/// Standard error, unbuffered: each message goes out whole, at once, in the order written.
/// A failed write is ignored (there is nowhere left to report it).
enum StandardError {
    static func write(_ text: String) {
        _ = RegularFile.writeAll(2, Array(text.utf8))
    }
}

/// The few file-system questions commands ask, answered by the system calls themselves.
enum FileSystem {
    /// True for a directory, false for anything else that exists (links followed), nil if nothing is there.
    static func isDirectory(_ path: String) -> Bool? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Why a file operation failed, in the system's words (`strerror`) where the error carries one.
    static func reason(_ error: any Error) -> String {
        if let posix = (error as? CocoaError)?.underlying as? POSIXError ?? error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return "\(error)"
    }
}
