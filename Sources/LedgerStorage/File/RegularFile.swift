import Ledger
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening files that must be regular files, without ever blocking on a FIFO or a device.
package enum RegularFile {
    /// Opens `path` with `flags` plus O_NONBLOCK (so a FIFO cannot hang the open), requires a regular
    /// file, then clears O_NONBLOCK again. With `followLinks` false a symbolic link is refused.
    /// Returns the descriptor, or the errno and whether the file exists but is not regular.
    package static func open(_ path: String, flags: Int32, mode: mode_t = 0, followLinks: Bool = true) -> Result<Int32, OpenFailure> {
        let descriptor = Glibc.open(path, flags | O_NONBLOCK | O_CLOEXEC | (followLinks ? 0 : O_NOFOLLOW), mode)
        guard descriptor >= 0 else {
            return .failure(errno == ELOOP && !followLinks ? .notRegular : .errno(errno))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let saved = errno
            close(descriptor)
            return .failure(.errno(saved))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return .failure(.notRegular)
        }
        let current = fcntl(descriptor, F_GETFL)
        guard current >= 0, fcntl(descriptor, F_SETFL, current & ~O_NONBLOCK) == 0 else {
            let saved = errno
            close(descriptor)
            return .failure(.errno(saved))
        }
        return .success(descriptor)
    }

    package enum OpenFailure: Error {
        case errno(Int32)
        case notRegular

        package var reason: String {
            switch self {
            case .notRegular: "not a regular file"
            case .errno(let code) where code == ENOENT: "no such file"
            case .errno(let code): String(cString: strerror(code))
            }
        }
    }

    /// Reads at most `limit` bytes from the start of `descriptor`; nil on a read error or when the
    /// file holds more than `limit` bytes.
    package static func readAll(_ descriptor: Int32, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var position: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, position) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            guard bytes.count + count <= limit else { return nil }
            bytes += chunk[0..<count]
            position += off_t(count)
        }
    }

    /// Writes all of `bytes` at the descriptor's position; false on any error.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            done += count
        }
        return true
    }
}
