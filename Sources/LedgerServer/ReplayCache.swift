import Synchronization
import LedgerHTTP

/// The nonces of accepted requests, each kept until its `created` + skew has passed (after which
/// the request would be refused as expired anyway). Bounded: when full of unexpired nonces it
/// refuses new ones (503) rather than forget one that could then be replayed.
final class ReplayCache: Sendable {
    enum Outcome: Equatable { case fresh, replayed, full }

    private struct State {
        var seen: Set<String> = []
        /// Nonces by the second after which they expire.
        var expiring: [Int64: [String]] = [:]
        var oldestBucket: Int64 = .max
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = APILimits.replayCacheCapacity) { self.capacity = capacity }

    /// Records (key id, nonce) if it is new; `created` has already been checked against `now`.
    func admit(keyID: String, nonce: String, created: Int64, now: Int64) -> Outcome {
        let key = keyID + nonce
        return state.withLock { state -> Outcome in
            Self.expire(&state, now: now)
            if state.seen.contains(key) { return .replayed }
            guard state.seen.count < capacity else { return .full }
            let expiry = created + APILimits.maximumClockSkewSeconds
            state.seen.insert(key)
            state.expiring[expiry, default: []].append(key)
            state.oldestBucket = min(state.oldestBucket, expiry)
            return .fresh
        }
    }

    var count: Int { state.withLock { $0.seen.count } }

    private static func expire(_ state: inout State, now: Int64) {
        guard state.oldestBucket < now else { return }
        // Buckets span at most 2 × skew seconds around the clock: a short walk.
        var second = state.oldestBucket
        while second < now {
            if let keys = state.expiring.removeValue(forKey: second) {
                for key in keys { state.seen.remove(key) }
            }
            second += 1
        }
        state.oldestBucket = state.expiring.keys.min() ?? .max
    }
}
