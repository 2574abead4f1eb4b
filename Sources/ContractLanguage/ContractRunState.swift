/// Everything carried from one settled period to the next, keyed by names so that it survives
/// an amendment of the contract (names that no longer exist are kept and ignored).
public struct ContractRunState: Hashable, Sendable, Codable {
    /// The last period settled, if any.
    public internal(set) var lastSettled: Period?
    /// Metric values reported for `lastSettled` (read by `previous` and `growth`).
    public internal(set) var previousValues: [String: Value] {
        get { previous.dictionary }
        set { previous = MetricValues(newValue) }
    }
    /// Running totals of money and count metrics over all settled periods (read by `total`).
    public internal(set) var totals: [String: Value] {
        get { runningTotals.dictionary }
        set { runningTotals = MetricValues(newValue) }
    }
    /// `previousValues` and `totals` as settling reads and writes them (by metric index).
    var previous = MetricValues(), runningTotals = MetricValues()
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
        (self.lastSettled, self.previous, self.runningTotals, self.firedOnce) = (lastSettled, MetricValues(previousValues), MetricValues(totals), firedOnce)
        (self.forfeited, self.decidedGoals, self.goalMetCounts, self.ratingChanges) = (forfeited, decidedGoals, goalMetCounts, ratingChanges)
    }

    private enum CodingKeys: String, CodingKey {
        case lastSettled, previousValues, totals, firedOnce, forfeited, decidedGoals, goalMetCounts, ratingChanges
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(lastSettled: try c.decodeIfPresent(Period.self, forKey: .lastSettled),
                  previousValues: try c.decode([String: Value].self, forKey: .previousValues),
                  totals: try c.decode([String: Value].self, forKey: .totals),
                  firedOnce: try c.decode(Set<String>.self, forKey: .firedOnce),
                  forfeited: try c.decode(Set<String>.self, forKey: .forfeited),
                  decidedGoals: try c.decode([String: Bool].self, forKey: .decidedGoals),
                  goalMetCounts: try c.decode([String: Int].self, forKey: .goalMetCounts),
                  ratingChanges: try c.decode([String: Int].self, forKey: .ratingChanges))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(lastSettled, forKey: .lastSettled)
        try c.encode(previousValues, forKey: .previousValues)
        try c.encode(totals, forKey: .totals)
        try c.encode(firedOnce, forKey: .firedOnce)
        try c.encode(forfeited, forKey: .forfeited)
        try c.encode(decidedGoals, forKey: .decidedGoals)
        try c.encode(goalMetCounts, forKey: .goalMetCounts)
        try c.encode(ratingChanges, forKey: .ratingChanges)
    }

    /// Equal when every field is equal by name, however the values are stored.
    public static func == (a: ContractRunState, b: ContractRunState) -> Bool {
        a.lastSettled == b.lastSettled && a.previousValues == b.previousValues && a.totals == b.totals
            && a.firedOnce == b.firedOnce && a.forfeited == b.forfeited && a.decidedGoals == b.decidedGoals
            && a.goalMetCounts == b.goalMetCounts && a.ratingChanges == b.ratingChanges
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lastSettled)
        hasher.combine(previousValues)
        hasher.combine(totals)
        hasher.combine(firedOnce)
        hasher.combine(forfeited)
        hasher.combine(decidedGoals)
        hasher.combine(goalMetCounts)
        hasher.combine(ratingChanges)
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

/// The metric names of one checked contract, in declaration order. Its identity stands for the
/// contract: values written under a layout are read by index by a contract with the same one.
final class MetricLayout: Sendable {
    let names: [String]
    init(names: [String]) { self.names = names }
}

/// Values keyed by metric name, stored by index of the layout of the contract that last wrote them
/// (the next period is almost always settled by the same contract, which then reads and writes
/// them without hashing a name), with the names outside that layout kept beside.
struct MetricValues: Sendable {
    /// The layout `values` is indexed by; nil: every entry is in `others`.
    private(set) var layout: MetricLayout?
    /// By index in `layout`; nil where the name has no value.
    private(set) var values: [Value?] = []
    /// The entries whose names are not in `layout`.
    private var others: [String: Value] = [:]

    init() {}
    init(_ dictionary: [String: Value]) { others = dictionary }
    /// `values` by index of `layout`, nothing else.
    init(layout: MetricLayout, values: [Value?]) { (self.layout, self.values) = (layout, values) }

    var dictionary: [String: Value] {
        guard let layout else { return others }
        var all = others
        for (name, value) in zip(layout.names, values) where value != nil { all[name] = value }
        return all
    }

    /// Stores the values by index of `layout` (moving them there by name if another layout wrote them).
    mutating func index(by layout: MetricLayout) {
        guard self.layout !== layout else { return }
        var all = dictionary
        values = layout.names.map { all.removeValue(forKey: $0) }
        others = all
        self.layout = layout
    }

    /// Sets the value of metric `index` of the current layout.
    mutating func set(_ value: Value, at index: Int) { values[index] = value }
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
        var sums = [Int64](filled: 0, count: contract.members.count)
        for (payout, member) in zip(payouts, payoutMembers) { sums[member] += payout.amountMinor }
        return contract.members.indices.compactMap { sums[$0] == 0 ? nil : (contract.members[$0].name, sums[$0]) }
    }
}
