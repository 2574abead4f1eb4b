import Dispatch
import Foundation
import LedgerCrypto

/// Hardware baselines: the crypto primitives called directly, with no ledger code.
enum Baselines {
    static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Ed25519 verifications per second on every core (one worker per core), best of three rounds.
    /// Messages are the size of a typical signed report entry.
    static func ed25519VerificationsPerSecond(perWorker: Int = 4_000) throws -> Double {
        try ed25519VerificationsPerSecondAndCPU(perWorker: perWorker).perSecond
    }

    /// The same, with the CPU seconds (user + system, all workers) one verification took on average.
    static func ed25519VerificationsPerSecondAndCPU(perWorker: Int = 4_000) throws -> (perSecond: Double, cpuSecondsPerVerification: Double) {
        let (publicKey, messages, signatures) = try signedMessages()
        let cpuBefore = cpuSeconds()
        let workers = coreCount
        var best = 0.0
        for _ in 0..<3 {
            let failures = Counter()
            let (_, seconds) = Clock.measure {
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var bad = 0
                    for index in 0..<perWorker {
                        let slot = (index + worker) % messages.count
                        if !publicKey.isValidSignature(signatures[slot], for: messages[slot]) { bad += 1 }
                    }
                    failures.add(bad)
                }
            }
            precondition(failures.value == 0, "a baseline signature did not verify")
            best = max(best, Double(workers * perWorker) / seconds)
        }
        return (best, (cpuSeconds() - cpuBefore) / Double(3 * workers * perWorker))
    }

    /// SHA-256 throughput on one core over 1 MiB buffers, in MB/s (10^6 bytes), best of three rounds.
    static func sha256MegabytesPerSecond(megabytes: Int = 64) -> Double {
        let buffer = [UInt8](repeating: 0x5a, count: 1 << 20)
        var best = 0.0
        var sink: UInt8 = 0
        for _ in 0..<3 {
            let (_, seconds) = Clock.measure {
                for _ in 0..<megabytes { sink ^= SHA256.hash(buffer)[0] }
            }
            best = max(best, Double(megabytes * buffer.count) / 1e6 / seconds)
        }
        if sink == 0x42 { FileHandle.standardError.write(Data()) }   // keeps the hashing observable
        return best
    }
}

/// A thread-safe running sum for workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0
    func add(_ amount: Int) { lock.lock(); total += amount; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return total }
}

extension Baselines {
    static let baselineKeySeed = SHA256.hash(Array("emc-bench/baseline-key".utf8))

    /// 64 report-sized signed messages (342 bytes each, as signed entries begin) and their key.
    static func signedMessages() throws -> (PublicKey, [[UInt8]], [[UInt8]]) {
        let key = try PrivateKey(seed: baselineKeySeed)
        let messages: [[UInt8]] = (0..<64).map { index in
            Array("emc-v1/sign".utf8) + [0] + Array(repeating: UInt8(truncatingIfNeeded: index), count: 330)
        }
        return (key.publicKey, messages, try messages.map { try key.signature(for: $0) })
    }

    /// Microseconds per Ed25519 verification on one core, baseline-style (one key, 64 messages).
    static func ed25519MicrosecondsOneCore(count: Int = 4_000) throws -> Double {
        let (publicKey, messages, signatures) = try signedMessages()
        let (bad, seconds) = Clock.measure { (0..<count).filter { !publicKey.isValidSignature(signatures[$0 % 64], for: messages[$0 % 64]) }.count }
        precondition(bad == 0)
        return seconds / Double(count) * 1e6
    }
}

extension Baselines {
    /// Microseconds per Ed25519 signature of a report-sized message on one core.
    static func ed25519SignMicrosecondsOneCore(count: Int = 2_000) throws -> Double {
        let key = try PrivateKey(seed: baselineKeySeed)
        let message = Array("emc-v1/sign".utf8) + [0] + Array(repeating: 0x41, count: 330)
        let (_, seconds) = try Clock.measure { for _ in 0..<count { _ = try key.signature(for: message) } }
        return seconds / Double(count) * 1e6
    }
}
