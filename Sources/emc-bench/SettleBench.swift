import ContractLanguage

/// Settlement cost of the contract language alone (no ledger, no I/O).
enum SettleBench {
    /// The metric values of period `periodIndex`, parsed as the ledger would.
    static func metrics(of synthetic: SyntheticContract, contract: Contract, periodIndex: Int) -> [String: Value] {
        var values: [String: Value] = [:]
        for metric in synthetic.metrics {
            let type = contract.metrics.first { $0.name == metric.name }!.type
            values[metric.name] = type.parseValue(synthetic.value(of: metric, periodIndex: periodIndex), currency: contract.currency)!
        }
        return values
    }

    static func checked(_ synthetic: SyntheticContract) throws -> Contract {
        let result = checkContract(source: synthetic.text)
        guard let contract = result.contract else {
            let first = result.diagnostics.first.map { "\($0.line):\($0.column): \($0.message)" } ?? "invalid"
            throw BenchError("the synthetic \(synthetic.memberCount)x\(synthetic.ruleCount) contract does not check: \(first)")
        }
        return contract
    }

    /// Median microseconds of one period's settlement of the 100-member, 50-rule contract, after
    /// 24 settled periods (so previous, total and growth have history).
    static func settleMicroseconds100x50(samples: Int = 400) throws -> Double {
        let synthetic = SyntheticContract(members: 100, rules: 50)
        let contract = try checked(synthetic)
        var state = ContractRunState()
        var period = Period("1970-01")!
        for index in 0..<24 {
            state = try settle(contract: contract, period: period, metrics: metrics(of: synthetic, contract: contract, periodIndex: index), state: state).nextState
            period = period.next
        }
        let current = metrics(of: synthetic, contract: contract, periodIndex: 24)
        var times = Samples()
        var payouts = 0
        for _ in 0..<samples {
            let (settlement, seconds) = try Clock.measure { try settle(contract: contract, period: period, metrics: current, state: state) }
            payouts += settlement.payouts.count
            times.add(seconds * 1e6)
        }
        precondition(payouts > 0, "the benchmark settlement pays nobody")
        return times.median
    }

    /// The 400 contracts of `settle400x12`: sizes cycle over 10/20/50/100 members and 5/10/25/50 rules.
    static func portfolio() throws -> [(SyntheticContract, Contract)] {
        let sizes = [(10, 5), (20, 10), (50, 25), (100, 50)]
        let distinct = try sizes.map { size -> (SyntheticContract, Contract) in
            let synthetic = SyntheticContract(members: size.0, rules: size.1, metrics: min(15, size.0 - 1))
            return (synthetic, try checked(synthetic))
        }
        return (0..<400).map { distinct[$0 % distinct.count] }
    }

    /// `settle400x12Milliseconds` traced and untraced, alternating: one warm-up of each (the first
    /// run also pays for the allocator growing its heap), then `rounds` of each; the medians,
    /// and every round for the notes.
    static func settle400x12Rounds(portfolio: [(SyntheticContract, Contract)], rounds: Int) throws
        -> (traced: Double, untraced: Double, roundsText: String) {
        _ = try settle400x12Milliseconds(portfolio: portfolio)
        _ = try settle400x12Milliseconds(portfolio: portfolio, tracing: false)
        var traced = Samples(), untraced = Samples()
        for _ in 0..<rounds {
            traced.add(try settle400x12Milliseconds(portfolio: portfolio))
            untraced.add(try settle400x12Milliseconds(portfolio: portfolio, tracing: false))
        }
        let text = { (samples: Samples) in samples.values.map { Report.number($0, decimals: 1) }.joined(separator: ", ") }
        return (traced.median, untraced.median, "traced \(text(traced)); untraced \(text(untraced))")
    }

    /// Milliseconds to simulate 12 periods of each of 400 contracts, on one core; with `tracing`
    /// false no explanations are built (as the verifier settles), the payouts are the same.
    static func settle400x12Milliseconds(portfolio: [(SyntheticContract, Contract)], tracing: Bool = true) throws -> Double {
        let inputs = portfolio.enumerated().map { index, pair -> (Contract, [(Period, [String: Value])]) in
            let start = Period("1970-01")!.monthIndex + index % 60
            let periods = (0..<12).map { month in
                (Period.of(monthIndex: start + month), metrics(of: pair.0, contract: pair.1, periodIndex: index + month))
            }
            return (pair.1, periods)
        }
        var settled = 0
        let (_, seconds) = try Clock.measure {
            for (contract, periods) in inputs {
                settled += try simulate(contract: contract, periods: periods, tracing: tracing).count
            }
        }
        precondition(settled == 400 * 12, "not every period settled")
        return seconds * 1e3
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Period {
    /// The period `monthIndex` months after January of year 0 (the inverse of `monthIndex`).
    static func of(monthIndex: Int) -> Period {
        Period("\(String(monthIndex / 12).leftZeroPadded(4))-\(String(monthIndex % 12 + 1).leftZeroPadded(2))")!
    }
}
