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
    public internal(set) var receivedRemainderUnit: Bool
    public var amountMinor: Int64 { floorMinor + (receivedRemainderUnit ? 1 : 0) }
}

/// Splits a non-negative `amountMinor` in proportion to positive `weights` by largest remainder:
/// every part gets the floor of its exact quota, then the leftover units go one each to the parts
/// with the largest fractional remainders; equal remainders go to the lower index first.
/// The parts always sum to `amountMinor`.
public func largestRemainderSplit(amountMinor: Int64, weights: [Int64]) -> [SplitPart] {
    precondition(amountMinor >= 0 && !weights.isEmpty && weights.allSatisfy { $0 > 0 })
    let totalWeight = weights.reduce(Int128(0)) { $0 + Int128($1) }
    var parts: [SplitPart] = []
    var remainders: [Int128] = []
    parts.reserveCapacity(weights.count)
    remainders.reserveCapacity(weights.count)
    var handedOut: Int64 = 0
    for (index, weight) in weights.enumerated() {
        let numerator = Int128(amountMinor) * Int128(weight)
        let floor: Int128, remainder: Int128
        // The usual sizes divide in 64 bits; the quotient and remainder are the same.
        if let n = Int64(exactly: numerator), let d = Int64(exactly: totalWeight) {
            (floor, remainder) = (Int128(n / d), Int128(n % d))
        } else {
            (floor, remainder) = numerator.quotientAndRemainder(dividingBy: totalWeight)
        }
        parts.append(SplitPart(index: index, weight: weight, quotaNumerator: numerator,
                               floorMinor: Int64(floor), receivedRemainderUnit: false))  // floor <= amountMinor, fits
        remainders.append(remainder)
        handedOut += Int64(floor)
    }
    let leftover = Int(amountMinor - handedOut)
    precondition(leftover >= 0 && leftover < weights.count)
    if leftover > 0 {
        // The `leftover` largest remainders get a unit: every remainder above the leftover-th
        // largest, then, of those equal to it, the lowest indices.
        let threshold = remainders.sorted(by: >)[leftover - 1]
        var tiesLeft = leftover - remainders.count { $0 > threshold }
        for index in parts.indices where remainders[index] > threshold || (remainders[index] == threshold && tiesLeft > 0) {
            if remainders[index] == threshold { tiesLeft -= 1 }
            parts[index].receivedRemainderUnit = true
        }
    }
    precondition(parts.reduce(Int64(0)) { $0 + $1.amountMinor } == amountMinor, "split parts must sum to the amount")
    return parts
}
