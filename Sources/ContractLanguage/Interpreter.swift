/// Settles one period: checks the metrics, decides goals, then runs the rules in declaration order.
/// With `tracing` false the settlement's `trace` is empty (no definitions, goals or rules) and
/// everything else is identical: for callers that only need the payouts and the next state (a
/// verifier recomputing a settle entry), which then build no explanation nobody reads.
public func settle(contract: Contract, period: Period, metrics: [String: Value],
                   state: ContractRunState, tracing: Bool = true) throws(EvaluationError) -> PeriodSettlement {
    var interpreter = try Interpreter(contract: contract, period: period, metrics: metrics, state: state, tracing: tracing)
    return try interpreter.run()
}

/// Settles the periods in order, threading the run state from each to the next.
/// `tracing` as in `settle`.
public func simulate(contract: Contract, periods: [(Period, [String: Value])], tracing: Bool = true) throws(EvaluationError) -> [PeriodSettlement] {
    var state = ContractRunState()
    var settlements: [PeriodSettlement] = []
    settlements.reserveCapacity(periods.count)
    // What each member is paid over all the periods, and the sum of it, must fit too (SPEC 2.12).
    var paidByMember = [Int64](filled: 0, count: contract.members.count)
    var paidInAll: Int64 = 0
    for (period, metrics) in periods {
        // The state is handed over, not copied: it is replaced by the settlement's next state.
        var interpreter = try Interpreter(contract: contract, period: period, metrics: metrics, state: consume state, tracing: tracing)
        let settlement = try interpreter.run()
        for (payout, member) in zip(settlement.payouts, settlement.payoutMembers) {
            let (sum, overflow) = paidByMember[member].addingReportingOverflow(payout.amountMinor)
            let (all, overflowAll) = paidInAll.addingReportingOverflow(payout.amountMinor)
            if overflow || overflowAll {
                throw EvaluationError(code: .overflow, period: period, message: "the total paid over the simulated periods overflows")
            }
            (paidByMember[member], paidInAll) = (sum, all)
        }
        state = settlement.nextState
        settlements.append(settlement)
    }
    return settlements
}

struct Interpreter {
    let contract: Contract
    let period: Period
    /// False: no traces are built (see `settle`).
    let tracing: Bool
    var state: ContractRunState
    var current: [Value?]
    var previous: [Value?]
    var definitionValues: [Scalar?]
    var definitionTraces: [DefinitionTrace] = []
    var goalMetCounts: [Int]
    /// The payouts made so far, and the member index of each (see `PeriodSettlement.payoutMembers`).
    var payouts: [Payout] = []
    var payoutMembers: [Int] = []
    /// Traced settlements: the slots of every traced sub-condition (see `ConditionSlots`); the
    /// current goal's or rule's first slot, and how many it has (0: record none).
    /// The values are written to `slotValues` while the settlement runs and handed to the store at
    /// its end (a write through the class would be checked for exclusive access every time).
    let slotStore: ConditionSlots?
    var slotValues: [ConditionSlot?]
    var slotBase = 0, slotCount = 0
    /// Traced settlements: every fired rule's action traces, collected here and handed to the
    /// store at the end, as the slots are.
    let actionStore: ActionTraces?
    var actionValues: [ActionTrace] = []
    /// Where an error happened, for messages: the rule `bonus` gives "rule 'bonus'". Positions,
    /// not names: entering a rule copies no string.
    var context = Context.none

    enum Context {
        case none
        case goal(Int)
        case rule(Int)
        case definition(Int)
    }

    init(contract: Contract, period: Period, metrics: [String: Value], state: consuming ContractRunState,
         tracing: Bool = true) throws(EvaluationError) {
        if let last = state.lastSettled, period != last.next {
            throw EvaluationError(code: .periodOrder, period: period,
                                  message: "periods are settled in order without gaps; the next period is \(last.next)")
        }
        let current = try Self.reported(metrics, contract: contract, period: period)
        // A value carried under a metric's name counts only if its type is the metric's type now
        // (an amendment may change the type): otherwise the metric starts afresh (SPEC 2.10).
        var runState = consume state
        runState.previous.index(by: contract.metricLayout)
        runState.runningTotals.index(by: contract.metricLayout)
        var previous = [Value?](filled: nil, count: contract.metrics.count)
        for (index, value) in runState.previous.values.enumerated() where value?.type == contract.metrics[index].type {
            previous[index] = value
        }
        // Every stored property is set once, here, from locals: no copy of the whole interpreter.
        self.contract = contract
        self.period = period
        self.tracing = tracing
        self.state = runState
        self.current = current
        self.previous = previous
        slotStore = tracing ? ConditionSlots() : nil
        slotValues = tracing ? Array(filled: nil, count: contract.traceSlotCount) : []
        actionStore = tracing ? ActionTraces() : nil
        if tracing { actionValues.reserveCapacity(contract.rules.reduce(0) { $0 + $1.actions.count }) }
        definitionValues = Array(filled: nil, count: contract.definitions.count)
        goalMetCounts = contract.goals.isEmpty ? [] : contract.goals.map { runState.goalMetCounts[$0.name] ?? 0 }
    }

    /// The reported values by metric index; an error for a name the contract does not declare, a
    /// value of another type, or a metric the settlement reads that is not reported.
    private static func reported(_ metrics: [String: Value], contract: Contract, period: Period) throws(EvaluationError) -> [Value?] {
        var current = [Value?](filled: nil, count: contract.metrics.count)
        var bad: [String] = []
        for (name, value) in metrics {
            if let index = contract.metricNames.position(of: name), value.type == contract.metrics[index].type {
                current[index] = value
            } else {
                bad.append(name)
            }
        }
        // Of several bad names, the first in byte order is the one reported.
        if let name = bad.min(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let index = contract.metricNames.position(of: name) else {
                throw EvaluationError(code: .unknownMetric, period: period, message: "metric '\(name)' is not declared by the contract")
            }
            throw EvaluationError(code: .wrongMetricType, period: period,
                                  message: "metric '\(name)' is \(contract.metrics[index].type.rawValue), got a \(metrics[name]!.type.rawValue) value")
        }
        let missing = contract.requiredMetrics.filter { current[$0] == nil }
        if !missing.isEmpty {
            let list = missing.map { index in
                let metric = contract.metrics[index]
                return "'\(metric.name)' (reported by \(metric.reporters.joined(separator: ", ")))"
            }
            throw EvaluationError(code: .missingMetric, period: period, message: "missing metric \(list.joined(separator: ", "))")
        }
        return current
    }

    func failure(_ code: EvaluationError.Code, _ message: String) -> EvaluationError {
        let place: String? = switch context {
        case .none: nil
        case .goal(let index): "goal '\(contract.goals[index].name)'"
        case .rule(let index): "rule '\(contract.rules[index].name)'"
        case .definition(let index): "definition '\(contract.definitions[index].name)'"
        }
        return EvaluationError(code: code, period: period, message: place.map { "\($0): \(message)" } ?? message)
    }

    mutating func run() throws(EvaluationError) -> PeriodSettlement {
        var outcomes: [GoalOutcome] = []
        var goalTraces: [GoalTrace] = []
        goalTraces.reserveCapacity(contract.goals.count)
        // Slots are numbered over all goals, then all rules, whether each is evaluated or not.
        for index in contract.goals.indices {
            let (trace, outcome) = try decideGoal(index)
            slotBase += contract.goals[index].conditionTexts.count
            if tracing { goalTraces.append(trace) }
            if let outcome { outcomes.append(outcome) }
        }
        // Room for the usual payouts, not for the most there can be: a contract of 100 members
        // splitting in 25 rules could pay 2,500 lines, and reserving them all made each settlement
        // allocate past malloc's mmap threshold (page faults on every one).
        payouts.reserveCapacity(min(contract.payoutSlots, 256))
        payoutMembers.reserveCapacity(min(contract.payoutSlots, 256))
        var ruleTraces: [RuleTrace] = []
        if tracing { ruleTraces.reserveCapacity(contract.rules.count) }
        var paidTotal: Int64 = 0
        for (index, rule) in contract.rules.enumerated() {
            let trace = try runRule(rule, index, paidTotal: &paidTotal)
            slotBase += rule.conditionTexts.count
            if tracing { ruleTraces.append(trace) }
        }
        try updateHistory()
        slotStore?.values = slotValues
        actionStore?.values = actionValues
        let trace = Trace(period: period, definitions: definitionTraces, goals: goalTraces, rules: ruleTraces)
        return PeriodSettlement(period: period, payouts: payouts, goalOutcomes: outcomes, trace: trace, nextState: state,
                                payoutMembers: payoutMembers)
    }

    private mutating func decideGoal(_ index: Int) throws(EvaluationError) -> (GoalTrace, GoalOutcome?) {
        let goal = contract.goals[index]
        context = .goal(index)
        slotCount = tracing ? goal.conditionTexts.count : 0
        let holds = try evaluateCondition(goal.targetRoot)
        let conditions = tracing ? ConditionTraces(texts: goal.conditionTexts, slots: slotStore, base: slotBase) : .none
        slotCount = 0
        context = .none
        if holds {
            let (count, overflow) = goalMetCounts[index].addingReportingOverflow(1)
            if overflow { throw failure(.overflow, "the met count of goal '\(goal.name)' overflows") }
            goalMetCounts[index] = count
            state.goalMetCounts[goal.name] = count
        }
        var status: GoalTrace.Status
        var outcome: GoalOutcome?
        switch state.decidedGoals[goal.name] {
        case true?: status = .alreadyMet
        case false?: status = .alreadyMissed
        case nil:
            if holds {
                status = .metNow
                state.decidedGoals[goal.name] = true
                outcome = GoalOutcome(goal: goal.name, met: true, ratingChanges: [], forfeitedRules: [])
            } else if period >= goal.deadline {
                status = .missedNow
                state.decidedGoals[goal.name] = false
                let changes = goal.ratingChanges.map { RatingChange(member: contract.members[$0.member].name, delta: $0.delta) }
                for change in changes {
                    let (sum, overflow) = (state.ratingChanges[change.member] ?? 0).addingReportingOverflow(change.delta)
                    if overflow { throw failure(.overflow, "the rating change of '\(change.member)' overflows") }
                    state.ratingChanges[change.member] = sum
                }
                let forfeited = goal.forfeits.map { contract.rules[$0].name }
                state.forfeited.formUnion(forfeited)
                outcome = GoalOutcome(goal: goal.name, met: false, ratingChanges: changes, forfeitedRules: forfeited)
            } else {
                status = .pending
            }
        }
        let trace = GoalTrace(name: goal.name, deadline: goal.deadline, targetHolds: holds, status: status, conditionTraces: conditions)
        return (trace, outcome)
    }

    /// Rule `index` of the contract is `rule`.
    private mutating func runRule(_ rule: CheckedRule, _ index: Int, paidTotal: inout Int64) throws(EvaluationError) -> RuleTrace {
        let once = rule.schedule == .once
        // (An empty set is not hashed into: most periods forfeit nothing.)
        if !state.forfeited.isEmpty && state.forfeited.contains(rule.name) {
            return RuleTrace(name: rule.name, once: once, status: .forfeited, conditionTraces: unevaluated(rule), actionTraces: nil, actionRange: 0..<0)
        }
        if once && state.firedOnce.contains(rule.name) {
            return RuleTrace(name: rule.name, once: once, status: .alreadyFired, conditionTraces: unevaluated(rule), actionTraces: nil, actionRange: 0..<0)
        }
        context = .rule(index)
        defer { context = .none }
        // Without tracing no slot is kept (evaluation records a slot only where one exists).
        slotCount = tracing ? rule.conditionTexts.count : 0
        var holds = true
        if let root = rule.conditionRoot { holds = try evaluateCondition(root) }
        slotCount = 0
        let conditions = tracing ? ConditionTraces(texts: rule.conditionTexts, slots: slotStore, base: slotBase) : .none
        guard holds else {
            return RuleTrace(name: rule.name, once: once, status: .conditionFalse, conditionTraces: conditions, actionTraces: nil, actionRange: 0..<0)
        }
        let firstAction = actionValues.count
        for action in rule.actions.indices {
            let (sum, overflow) = paidTotal.addingReportingOverflow(try perform(rule, action))
            if overflow { throw failure(.overflow, "the period's payouts overflow") }
            paidTotal = sum
        }
        if once { state.firedOnce.insert(rule.name) }
        return RuleTrace(name: rule.name, once: once, status: .fired, conditionTraces: conditions, actionTraces: actionStore,
                         actionRange: firstAction..<actionValues.count)
    }

    /// The conditions of a rule that was not evaluated, none with a value.
    private func unevaluated(_ rule: CheckedRule) -> ConditionTraces {
        tracing ? ConditionTraces(texts: rule.conditionTexts, slots: nil, base: 0) : .none
    }

    private mutating func amount(_ root: Int, _ what: String) throws(EvaluationError) -> Int64 {
        guard case .money(let minor) = try evaluate(root) else { preconditionFailure("checker guarantees money") }
        if minor < 0 {
            throw failure(.negativeAmount, "\(what) is negative (\(formatMinorUnits(minor, currency: contract.currency)))")
        }
        return minor
    }

    /// Performs action `index` of `rule` and answers its amount: paid (pay, fee) or split. Its
    /// trace is kept only when tracing (a verifier's settlement builds none).
    private mutating func perform(_ rule: CheckedRule, _ index: Int) throws(EvaluationError) -> Int64 {
        let amountRoot = rule.amountRoots[index]
        switch rule.actions[index].action {
        case .pay(let member, _):
            let minor = try amount(amountRoot, "the amount to pay")
            if minor != 0 { pay(member, minor, rule.name) }
            if tracing {
                actionValues.append(ActionTrace(kind: .pay, text: rule.actions[index].text, amountMinor: minor, baseMinor: nil,
                                                member: contract.members[member].name, split: nil))
            }
            return minor
        case .fee(let percent, _, let member):
            let baseMinor = try amount(amountRoot, "the amount the fee is taken of")
            guard let minor = roundedQuotient(Int128(baseMinor) * Int128(percent.numerator), Int128(percent.denominator) * 100) else {
                throw failure(.overflow, "fee overflows")
            }
            if minor != 0 { pay(member, minor, rule.name) }
            if tracing {
                actionValues.append(ActionTrace(kind: .fee, text: rule.actions[index].text, amountMinor: minor, baseMinor: baseMinor,
                                                member: contract.members[member].name, split: nil))
            }
            return minor
        case .split(_, let receivers, let weights, _):
            let pool = try amount(amountRoot, "the amount to split")
            let parts = largestRemainderSplit(amountMinor: pool, weights: weights)
            for part in parts where part.amountMinor != 0 { pay(receivers[part.index], part.amountMinor, rule.name) }
            if tracing {
                let split = ActionTrace.Split(parts: parts, receivers: receivers, totalWeight: weights.reduce(0, +), members: contract.members)
                actionValues.append(ActionTrace(kind: .split, text: rule.actions[index].text, amountMinor: pool, baseMinor: nil,
                                                member: nil, split: split))
            }
            return pool
        }
    }

    private mutating func pay(_ member: Int, _ minor: Int64, _ rule: String) {
        payouts.append(Payout(member: contract.members[member].name, amountMinor: minor, rule: rule))
        payoutMembers.append(member)
    }

    /// Records this period's values for `previous`, `growth` and `total` in later periods.
    private mutating func updateHistory() throws(EvaluationError) {
        for (index, metric) in contract.metrics.enumerated() {
            switch current[index] {
            case .money(let minor)?, .count(let minor)?:
                let (sum, overflow) = runningTotal(index).addingReportingOverflow(minor)
                if overflow { throw failure(.overflow, "the running total of '\(metric.name)' overflows") }
                state.runningTotals.set(metric.type == .money ? .money(sum) : .count(sum), at: index)
            case .percent?, nil:
                break
            }
        }
        state.previous = MetricValues(layout: contract.metricLayout, values: current)
        state.lastSettled = period
    }

    /// The running total carried for a metric; a total of another type (the metric's type was
    /// changed by an amendment) is not carried. (`state.runningTotals` changes only in
    /// `updateHistory`, after every rule ran.)
    func runningTotal(_ metric: Int) -> Int64 {
        switch (state.runningTotals.values[metric], contract.metrics[metric].type) {
        case (.money(let minor)?, .money), (.count(let minor)?, .count): minor
        default: 0
        }
    }
}
