import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Options shared by every command that appends an entry.
struct AppendOptions: ParsableArguments {
    @Option(help: "Claimed time of the entry, RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ). Default: now.")
    var time: String?

    @Flag(help: "On a ledger shared through a server, append to this copy only; send it later with `emc push`.")
    var offline = false

    func timestamp(after state: LedgerState? = nil) throws -> Timestamp {
        if let time {
            guard let stamp = Timestamp(time) else {
                throw CommandError(message: "--time \"\(time)\" is not RFC 3339 UTC (e.g. 2020-09-30T18:00:00Z)")
            }
            return stamp
        }
        let now = Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
        if let last = state?.lastTime, now < last {
            throw CommandError(message: "this machine's clock (\(now)) is behind the ledger's last entry (\(last)); pass --time")
        }
        return now
    }
}

func readTextFile(_ path: String, what: String, limit: Int = 1 << 20) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CommandError(message: "\(path): no such \(what) file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandError(message: "\(path): cannot read \(what) file")
    }
    guard data.count <= limit else { throw CommandError(message: "\(path): \(what) file is larger than \(limit) bytes") }
    guard let text = String(data: data, encoding: .utf8) else {
        throw CommandError(message: "\(path): \(what) file is not UTF-8 text", exitCode: 1)
    }
    return text
}

/// Parses `NAME=ROLE:PUBFILE` and loads the public key.
func parseMemberSpec(_ spec: String) throws -> EntryBuilder.RosterMember {
    guard let equals = spec.firstIndex(of: "="), let colon = spec[equals...].firstIndex(of: ":") else {
        throw CommandError(message: "--member \"\(spec)\" must be NAME=ROLE:PUBFILE")
    }
    let name = String(spec[..<equals])
    let role = String(spec[spec.index(after: equals)..<colon])
    let file = String(spec[spec.index(after: colon)...])
    guard memberRoles.contains(role) else {
        throw CommandError(message: "--member \(name): unknown role \"\(role)\" (micro-enterprise, external-partner or platform)")
    }
    return EntryBuilder.RosterMember(name: name, role: role, key: try KeyFiles.loadPublicKey(path: file))
}

/// Prints JSON built from `JSONValue` on one line.
func printJSON(_ value: JSONValue) {
    StandardOutput.write(value.canonicalString + "\n")
}

/// Shows progress of long reads on stderr when it is a terminal, throttled to a few updates a second.
final class ProgressReporter {
    private let enabled: Bool
    private let label: String
    private let totalBytes: Int64
    private let start = Date()
    private var lastUpdate = Date.distantPast
    private var shown = false

    init(label: String, path: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(2) == 1
        var status = stat()
        self.totalBytes = stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Entries done, rate, and time left estimated from the bytes read so far.
    func update(_ entries: Int64, _ bytes: Int64) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastUpdate) >= 0.2 else { return }
        lastUpdate = now
        let elapsedMs = max(Int64(now.timeIntervalSince(start) * 1000), 1)
        let rate = entries * 1000 / elapsedMs
        var line = "\r\(label): \(entries) entries, \(rate) entries/s"
        if bytes > 0, totalBytes > bytes {
            let leftSeconds = (totalBytes - bytes) * elapsedMs / bytes / 1000
            line += ", \(bytes * 100 / totalBytes)%, about \(leftSeconds)s left"
        }
        StandardError.write(line + "\u{1B}[K")
        shown = true
    }

    func finish() {
        guard enabled, shown else { return }
        StandardError.write("\r\u{1B}[K")
    }
}
