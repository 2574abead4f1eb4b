#if canImport(Glibc)
@preconcurrency import Glibc
#endif

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
