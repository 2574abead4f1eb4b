import Ledger
import LedgerStorage
import LedgerReports
import LedgerStorage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a verification spends its time, phase by phase on one core: for `emc-bench --profile-verify`,
/// so that optimisation follows measurement. Not used by verification itself.
public struct VerifyProfile: Sendable {
    public var entries = 0
    public var bytes = 0
    public var readSeconds = 0.0
    public var decodeSeconds = 0.0
    public var applySeconds = 0.0
    public var signatureSeconds = 0.0
    public var signatureCount = 0
    /// Per entry kind: (entries, decode seconds, apply seconds).
    public var byKind: [String: (count: Int, decode: Double, apply: Double)] = [:]

    /// Reads the first `limit` entries of `path`, then times each phase over all of them on one core.
    public static func measure(path: String, limit: Int = 20_000) throws(LedgerError) -> VerifyProfile {
        var profile = VerifyProfile()
        let descriptor = try Verifier.openForReading(path)
        defer { close(descriptor) }
        var reader = LineReader(path: path, descriptor: descriptor)
        var lines: [[UInt8]] = []
        var start = now()
        while lines.count < limit, let line = try reader.nextLine() { lines.append(line) }
        profile.readSeconds = now() - start
        profile.entries = lines.count
        profile.bytes = lines.reduce(0) { $0 + $1.count + 1 }

        start = now()
        var decoded: [DecodedEntry] = []
        decoded.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            let entryStart = now()
            do throws(LedgerError) { decoded.append(try DecodedEntry(line: line)) } catch { throw error.at(seq: Int64(index + 1), line: index + 1) }
            profile.byKind[decoded[index].entry.kind, default: (0, 0, 0)].count += 1
            profile.byKind[decoded[index].entry.kind, default: (0, 0, 0)].decode += now() - entryStart
        }
        profile.decodeSeconds = now() - start

        start = now()
        var state = LedgerState()
        var jobs: [SignatureJob] = []
        jobs.reserveCapacity(lines.count)
        for entry in decoded {
            let entryStart = now()
            try state.apply(entry, deferringSignaturesInto: &jobs)
            profile.byKind[entry.entry.kind, default: (0, 0, 0)].apply += now() - entryStart
        }
        profile.applySeconds = now() - start

        start = now()
        for job in jobs where !job.isValid() { throw LedgerError(.rejected, "signature does not verify", seq: job.seq, line: Int(job.seq)) }
        profile.signatureSeconds = now() - start
        profile.signatureCount = jobs.count
        return profile
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// One line per phase: total seconds and microseconds per entry.
    public var lines: [String] {
        func row(_ name: String, _ seconds: Double) -> String {
            let perEntry = seconds / Double(max(entries, 1)) * 1e6
            return "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%8.3f", seconds)) s  \(String(format: "%8.1f", perEntry)) us/entry"
        }
        return ["\(entries) entries, \(bytes) bytes, \(signatureCount) signatures, one core",
                row("read", readSeconds), row("decode", decodeSeconds), row("apply", applySeconds),
                row("signatures", signatureSeconds)]
            + byKind.keys.sorted().map { kind in
                let figures = byKind[kind]!
                return "  \(kind.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%6d", figures.count)) entries: decode "
                    + "\(String(format: "%7.1f", figures.decode / Double(figures.count) * 1e6)) us, apply \(String(format: "%7.1f", figures.apply / Double(figures.count) * 1e6)) us each"
            }
    }
}
