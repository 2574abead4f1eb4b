import ContractLanguage
import Ledger
@_spi(Testing) import LedgerFormat
import LedgerCrypto
import LedgerStorage
#if canImport(Glibc)
import Glibc
#endif

/// The bodies of the libFuzzer targets (FuzzTesting/), shared with the regression tests that
/// replay crashing inputs, so that both run exactly the same code. Each function must return
/// normally for every input: a trap, a crash or an address-sanitizer report is a bug.
public enum FuzzTargets {
    /// Fuzz target names, as used by `Scripts/fuzz.sh` and the regression corpus folders.
    public static let names = ["contract", "entry", "metrics", "pem", "cache"]

    /// Runs the target called `name` on `bytes`; false when there is no such target.
    @discardableResult
    public static func run(_ name: String, _ bytes: [UInt8]) -> Bool {
        switch name {
        case "contract": contract(bytes)
        case "entry": entry(bytes)
        case "metrics": metrics(bytes)
        case "pem": pem(bytes)
        case "cache": cache(bytes)
        default: return false
        }
        return true
    }

    /// Contract parser and checker: every input yields either a contract or diagnostics.
    public static func contract(_ bytes: [UInt8]) {
        let result = checkContract(source: String(decoding: bytes, as: UTF8.self))
        precondition((result.contract == nil) != result.diagnostics.isEmpty,
                     "a contract must come with no diagnostics, and no contract with at least one")
        if let contract = result.contract {
            _ = contract.formatted()
        }
    }

    /// Entry decoder and state machine: each input line is decoded, then applied to a state built
    /// from a fixed valid ledger prefix (and to an empty state, which exercises genesis).
    public static func entry(_ bytes: [UInt8]) {
        let prefix = FuzzFixture.prefixState
        var extended = prefix
        var fresh = LedgerState()
        var extendedIsValid = true, freshIsValid = true
        for line in bytes.split(separator: 0x0a, omittingEmptySubsequences: false).prefix(16) {
            precondition(DecodedEntry.scannerAgreesWithGeneralPath(Array(line)), "the one-pass scanner and the general decoder disagree")
            guard let decoded = try? DecodedEntry(line: Array(line)) else { continue }
            precondition(decoded.lineBytes == decoded.entry.lineBytes, "a decoded entry must re-encode to its bytes")
            if extendedIsValid {
                do { try extended.apply(decoded) } catch { extendedIsValid = false }
            }
            if freshIsValid {
                do { try fresh.apply(decoded) } catch { freshIsValid = false }
            }
            // `applying` must never change the state it is called on.
            _ = try? prefix.applying(decoded)
        }
        precondition(prefix.headSeq == FuzzFixture.prefixState.headSeq)
    }

    /// Metrics file reader, with a fixed valid contract.
    public static func metrics(_ bytes: [UInt8]) {
        _ = try? parseMetricsFile(String(decoding: bytes, as: UTF8.self), contract: FuzzFixture.contract)
    }

    /// PEM private and public key loading.
    public static func pem(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let key = try? KeyFiles.parsePrivateKey(pem: text, source: "fuzz") {
            let message: [UInt8] = Array("emc fuzz".utf8)
            if let signature = try? key.signature(for: message) {
                precondition(key.publicKey.isValidSignature(signature, for: message), "a loaded key must verify its own signature")
            }
        }
        if let key = try? KeyFiles.parsePublicKey(pem: text, source: "fuzz") {
            precondition(key.keyID.utf8.count == 16)
        }
    }

    /// State cache loader: `bytes` as member yu's cache next to the fixture ledger. Decoding never
    /// traps, and the writer that opens with it appends exactly the entry it appends with no cache.
    /// The bytes are also decoded as the binary state of an authentic cache (past the MAC and the
    /// base64), so that the snapshot decoder itself is fuzzed.
    public static func cache(_ bytes: [UInt8]) {
        _ = StateCache.decode(bytes, key: FuzzFixture.cacheKey)
        let header = StateCache.header(ledgerID: FuzzFixture.prefixState.ledgerID, keyID: FuzzFixture.cacheMember.publicKey.keyID,
                                       byteCount: Int64(FuzzFixture.prefixBytes.count), lastLineOffset: 0)
        let state = Array(Base64.encode(bytes).utf8)
        _ = StateCache.decode(StateCache.seal(Array(header.utf8) + Array("state ".utf8) + state + [0x0a], key: FuzzFixture.cacheKey),
                              key: FuzzFixture.cacheKey)
        CacheWorkspace.shared.appendThroughCache(bytes)
    }
}

/// A directory of this process where the cache target writes the fixture ledger and a cache.
final class CacheWorkspace: @unchecked Sendable {
    static let shared = CacheWorkspace()
    let directory: String
    let ledger: String
    let expected: [UInt8]

    init() {
        directory = "/tmp/emc-fuzz-cache-\(getpid())"
        ledger = directory + "/ledger.jsonl"
        do {
            let rotation = try FuzzFixture.nextRotation(after: FuzzFixture.prefixState)
            expected = FuzzFixture.prefixBytes + (try DecodedEntry(entry: rotation)).lineBytes + [0x0a]
        } catch {
            preconditionFailure("the fixture rotation must build: \(error)")
        }
    }

    func appendThroughCache(_ cacheBytes: [UInt8]) {
        let cachePath = StateCache.path(forLedger: ledger, keyID: FuzzFixture.cacheMember.publicKey.keyID)
        mkdir(directory, 0o700)
        defer {
            for path in [ledger, cachePath, StateCache.temporaryPath(for: cachePath)] { unlink(path) }
            rmdir(directory)
        }
        write(FuzzFixture.prefixBytes, to: ledger)
        write(cacheBytes, to: cachePath)
        do {
            let writer = try LedgerWriter(path: ledger, key: FuzzFixture.cacheMember, io: NoSyncIO())
            try writer.append { state in [try FuzzFixture.nextRotation(after: state)] }
            writer.close()
        } catch {
            preconditionFailure("a cache made a valid append fail: \(error)")
        }
        let descriptor = open(ledger, O_RDONLY)
        var written = [UInt8](repeating: 0, count: expected.count + 1)
        let count = written.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        precondition(count == expected.count && Array(written[0..<count]) == expected, "a cache changed what the writer appended")
    }

    private func write(_ bytes: [UInt8], to path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0, "cannot write \(path)")
        let count = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        precondition(count == bytes.count, "cannot write \(path)")
    }
}

/// Writes without fsync: durability is not what the cache target tests, and fsync would slow it a hundredfold.
struct NoSyncIO: FileIO {
    func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int { Glibc.write(descriptor, buffer.baseAddress, buffer.count) }
    func fsync(_ descriptor: Int32) -> Int32 { 0 }
    func didSync() {}
}
