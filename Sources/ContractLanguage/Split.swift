/// One part of a largest-remainder (Hamilton) split.
public struct SplitPart: Hashable, Sendable {
    /// Position of the receiver in the weights given (member declaration order).
    public let index: Int
    public let weight: Int64
    /// The exact quota is `quotaNumerator / totalWeight` minor units.
    public let quotaNumerator: Int128
    /// The quota rounded down.
    public let floorMinor: Int64
    /// True if this part received one of the leftover minor units.
    public let receivedRemainderUnit: Bool
    public var amountMinor: Int64 { floorMinor + (receivedRemainderUnit ? 1 : 0) }
}

/// Splits a non-negative `amountMinor` in proportion to positive `weights` by largest remainder:
/// every part gets the floor of its exact quota, then the leftover units go one each to the parts
/// with the largest fractional remainders; equal remainders go to the lower index first.
/// The parts always sum to `amountMinor`.
public func largestRemainderSplit(amountMinor: Int64, weights: [Int64]) -> [SplitPart] {
    precondition(amountMinor >= 0 && !weights.isEmpty && weights.allSatisfy { $0 > 0 })
    let totalWeight = weights.reduce(Int128(0)) { $0 + Int128($1) }
    var floors: [Int64] = []
    var remainders: [Int128] = []
    floors.reserveCapacity(weights.count)
    remainders.reserveCapacity(weights.count)
    var handedOut: Int64 = 0
    for weight in weights {
        let numerator = Int128(amountMinor) * Int128(weight)
        let floor = Int64(numerator / totalWeight)  // <= amountMinor, fits
        floors.append(floor)
        remainders.append(numerator % totalWeight)
        handedOut += floor
    }
    let leftover = Int(amountMinor - handedOut)
    precondition(leftover >= 0 && leftover < weights.count)
    var extra = [Bool](repeating: false, count: weights.count)
    if leftover > 0 {
        let order = weights.indices.sorted { a, b in
            remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b
        }
        for index in order.prefix(leftover) { extra[index] = true }
    }
    var parts: [SplitPart] = []
    parts.reserveCapacity(weights.count)
    var sum: Int64 = 0
    for index in weights.indices {
        let part = SplitPart(index: index, weight: weights[index],
                             quotaNumerator: Int128(amountMinor) * Int128(weights[index]),
                             floorMinor: floors[index], receivedRemainderUnit: extra[index])
        sum += part.amountMinor
        parts.append(part)
    }
    precondition(sum == amountMinor, "split parts must sum to the amount")
    return parts
}
