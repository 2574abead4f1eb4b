/// Every bound the checker and interpreter enforce (SPEC.md, Part 2, "Limits").
public enum Limits {
    public static let maxSourceBytes = 65_536
    public static let maxLineBytes = 1_000
    public static let maxNameLength = 64
    public static let maxStringLength = 200
    public static let maxNumberDigits = 18
    public static let maxNestingDepth = 32
    public static let maxOperatorsPerExpression = 256
    /// The ledger's roster cap (SPEC 1.5) and the language's member limit are one limit.
    public static let maxMembers = 200
    public static let maxMetrics = 200
    public static let maxDefinitions = 200
    public static let maxGoals = 100
    public static let maxRules = 200
    public static let maxActionsPerRule = 50
    /// Payout lines one settlement can produce at most: over all rules and actions, 1 per `pay`
    /// and `fee`, the number of listed members per `split by weights`, the number of members with
    /// a share above 0% per `split by shares` (so that the worst-case settlement fits one entry).
    public static let maxPayoutSlots = 1_000
    /// `rating` and `forfeit` lines over all goals.
    public static let maxGoalOutcomes = 1_000
    public static let maxWeight: Int64 = 1_000_000
    public static let maxMinorDigits = 6
    public static let maxMetricsFileBytes = 4_194_304
    public static let maxPeriodsPerFile = 1_200
}
