/// Everything carried from one settled period to the next, keyed by names so that it survives
/// an amendment of the contract (names that no longer exist are kept and ignored).
public struct ContractRunState: Hashable, Sendable, Codable {
    /// The last period settled, if any.
    public internal(set) var lastSettled: Period?
    /// Metric values reported for `lastSettled` (read by `previous` and `growth`).
    public internal(set) var previousValues: [String: Value] = [:]
    /// Running totals of money and count metrics over all settled periods (read by `total`).
    public internal(set) var totals: [String: Value] = [:]
    /// `once` rules that have fired.
    public internal(set) var firedOnce: Set<String> = []
    /// Rules forfeited by a missed goal; they never fire again.
    public internal(set) var forfeited: Set<String> = []
    /// Goals decided so far: true = met, false = missed.
    public internal(set) var decidedGoals: [String: Bool] = [:]
    /// For each goal, the number of settled periods in which its target held (read by `met`).
    public internal(set) var goalMetCounts: [String: Int] = [:]
    /// Sum of star-rating changes applied by missed goals, per member.
    public internal(set) var ratingChanges: [String: Int] = [:]

    public init() {}

    /// A run state read back from a cache (the caller checks the periods it holds).
    package init(lastSettled: Period?, previousValues: [String: Value], totals: [String: Value], firedOnce: Set<String>,
                 forfeited: Set<String>, decidedGoals: [String: Bool], goalMetCounts: [String: Int], ratingChanges: [String: Int]) {
        (self.lastSettled, self.previousValues, self.totals, self.firedOnce) = (lastSettled, previousValues, totals, firedOnce)
        (self.forfeited, self.decidedGoals, self.goalMetCounts, self.ratingChanges) = (forfeited, decidedGoals, goalMetCounts, ratingChanges)
    }

    /// A member's current star rating: initial rating plus changes, kept within 0...5.
    /// The sum is clamped once, when the rating is read: 5, +1, -1 gives 5 (SPEC 2.7).
    public func rating(of member: Member) -> Int {
        let change = ratingChanges[member.name] ?? 0
        let (sum, overflow) = member.initialRating.addingReportingOverflow(change)
        if overflow { return change > 0 ? 5 : 0 }
        return min(5, max(0, sum))
    }
}

/// A settlement was refused; nothing is paid for the period.
public struct EvaluationError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        case missingMetric, unknownMetric, wrongMetricType, periodOrder, overflow, divisionByZero, negativeAmount
    }
    public let code: Code
    public let period: Period
    public let message: String

    public var description: String { "cannot settle \(period): \(message)" }
}

public struct Payout: Hashable, Sendable, Codable {
    public let member: String
    public let amountMinor: Int64
    public let rule: String
}

public struct RatingChange: Hashable, Sendable, Codable {
    public let member: String
    public let delta: Int
}

/// A goal decided in a period: met, or missed with its consequences.
public struct GoalOutcome: Hashable, Sendable, Codable {
    public let goal: String
    public let met: Bool
    public let ratingChanges: [RatingChange]
    public let forfeitedRules: [String]
}

public struct PeriodSettlement: Sendable {
    public let period: Period
    /// Non-zero payouts in rule declaration order, then action order, then member declaration order.
    public let payouts: [Payout]
    public let goalOutcomes: [GoalOutcome]
    public let trace: Trace
    public let nextState: ContractRunState
    /// The index in `contract.members` of each payout's member (the contract settled), so that
    /// sums per member need no lookup by name.
    let payoutMembers: [Int]

    /// The sum paid to each member in this period, in member declaration order (zero sums omitted).
    public func totalsByMember(_ contract: Contract) -> [(member: String, amountMinor: Int64)] {
        var sums = [Int64](repeating: 0, count: contract.members.count)
        for (payout, member) in zip(payouts, payoutMembers) { sums[member] += payout.amountMinor }
        return contract.members.indices.compactMap { sums[$0] == 0 ? nil : (contract.members[$0].name, sums[$0]) }
    }
}
