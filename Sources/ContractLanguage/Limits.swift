/// Every bound the checker and interpreter enforce (SPEC.md, Part 2, "Limits").
public enum Limits {
    public static let maxSourceBytes = 65_536
    public static let maxLineBytes = 1_000
    public static let maxNameLength = 64
    public static let maxStringLength = 200
    public static let maxNumberDigits = 18
    public static let maxNestingDepth = 32
    public static let maxOperatorsPerExpression = 256
    public static let maxMembers = 500
    public static let maxMetrics = 200
    public static let maxDefinitions = 200
    public static let maxGoals = 100
    public static let maxRules = 200
    public static let maxActionsPerRule = 50
    public static let maxWeight: Int64 = 1_000_000
    public static let maxMinorDigits = 6
    public static let maxMetricsFileBytes = 4_194_304
    public static let maxPeriodsPerFile = 1_200
}
