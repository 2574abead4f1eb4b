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
    // The usual sizes divide in 64 bits (a contract's weights sum to at most 10^9, SPEC 2.11); the
    // quotients and remainders are the same.
    if let total = Int64(exactly: totalWeight), !amountMinor.multipliedReportingOverflow(by: weights.max()!).overflow {
        return split(amountMinor, weights) { numerator in
            let n = Int64(numerator)
            return (n / total, n % total)
        }
    }
    return split(amountMinor, weights) { numerator in
        let (floor, remainder) = numerator.quotientAndRemainder(dividingBy: totalWeight)
        return (Int64(floor), remainder)
    }
}

/// The split with quotas divided by `divide` (floor, remainder), remainders of type `R`.
private func split<R: BinaryInteger>(_ amountMinor: Int64, _ weights: [Int64], _ divide: (Int128) -> (Int64, R)) -> [SplitPart] {
    let count = weights.count
    // The remainders, then a copy of them for selecting the threshold: on the stack for the usual sizes.
    return withUnsafeTemporaryAllocation(of: R.self, capacity: 2 * count) { scratch in
        let remainders = scratch.baseAddress!, copies = scratch.baseAddress! + count
        var handedOut: Int64 = 0
        // Reserve and append: `Array(unsafeUninitializedCapacity:)` allocates through an
        // unspecialised runtime path that costs more than the appends.
        var parts: [SplitPart] = []
        parts.reserveCapacity(count)
        weights.withUnsafeBufferPointer { weights in
            for index in 0..<count {
                let numerator = Int128(amountMinor) * Int128(weights[index])
                let (floor, remainder) = divide(numerator)  // floor <= amountMinor, fits
                parts.append(SplitPart(index: index, weight: weights[index], quotaNumerator: numerator,
                                       floorMinor: floor, receivedRemainderUnit: false))
                (remainders + index).initialize(to: remainder)
                (copies + index).initialize(to: remainder)
                handedOut += floor
            }
        }
        defer { scratch.baseAddress!.deinitialize(count: 2 * count) }
        let leftover = Int(amountMinor - handedOut)
        precondition(leftover >= 0 && leftover < count)
        guard leftover > 0 else { return parts }
        // The `leftover` largest remainders get a unit: every remainder above the leftover-th
        // largest, then, of those equal to it, the lowest indices.
        let threshold = kthLargest(in: UnsafeMutableBufferPointer(start: copies, count: count), leftover)
        var tiesLeft = leftover
        for index in 0..<count where remainders[index] > threshold { tiesLeft -= 1 }
        parts.withUnsafeMutableBufferPointer { parts in
            for index in 0..<count where remainders[index] > threshold || (remainders[index] == threshold && tiesLeft > 0) {
                if remainders[index] == threshold { tiesLeft -= 1 }
                parts[index].receivedRemainderUnit = true
            }
        }
        precondition(parts.reduce(Int64(0)) { $0 + $1.amountMinor } == amountMinor, "split parts must sum to the amount")
        return parts
    }
}

/// The `k`-th largest of `values` (k from 1), by quickselect around the middle element: the value
/// is the same whatever the pivots (only the work depends on them).
func kthLargest<T: Comparable>(_ values: [T], _ k: Int) -> T {
    precondition(k >= 1 && k <= values.count)
    var copy = values
    return copy.withUnsafeMutableBufferPointer { kthLargest(in: $0, k) }
}

/// `kthLargest` on `a`, reordering it.
func kthLargest<T: Comparable>(in a: UnsafeMutableBufferPointer<T>, _ k: Int) -> T {
    precondition(k >= 1 && k <= a.count)
    let target = k - 1  // its index once `a` is in descending order
    var low = 0, high = a.count - 1
    while low < high {
        let pivot = a[low + (high - low) / 2]
        var i = low, j = high
        while i <= j {
            while a[i] > pivot { i += 1 }
            while a[j] < pivot { j -= 1 }
            if i <= j {
                a.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        // Now a[low...j] >= pivot, a[i...high] <= pivot, and anything strictly between is the pivot.
        if target <= j { high = j } else if target >= i { low = i } else { return a[target] }
    }
    return a[target]
}
