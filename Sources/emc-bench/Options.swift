import Foundation

/// Command-line flags, parsed by hand (the benchmark has no dependencies beyond the project).
struct Options {
    var entries = 100_000
    var json = false
    var directory: String? = nil
    /// Internal: verify one file and print "entries seconds peak_rss_mb" (run as a child process).
    var verifyOnly: String? = nil
    /// Build the ledger in `--dir` and keep it, measuring nothing (for profiling a verify).
    var buildOnly = false
    /// Internal: one single durable append of a report to FILE (a ledger built by --build-only).
    var appendOnce: String? = nil
    /// Internal: one-shot `emc report` processes on FILE (a ledger built by --build-only); leaves
    /// the reporter's key and state cache next to it, for profiling `emc report` by hand.
    var oneShot: String? = nil
    /// Internal: 1,000 single appends to FILE through one open writer (to profile them).
    var appendSession: String? = nil
    /// Internal: time decode, apply and signature checks of FILE separately, on one core.
    var profileVerify: String? = nil
    /// Internal: only the settlement figures (settle_400x12 traced and untraced), for profiling.
    var settleOnly = false
    /// Fewer samples and smaller batches: a smoke run for tests, not figures to quote.
    var quick = false

    static let usage = """
    usage: emc-bench [--entries N] [--json] [--dir DIR]
      --entries N  size of the synthetic ledger (default 100000; at least 500)
      --json       print the figures as one JSON object on the last line
      --dir DIR    where to build the ledger (default: a new temporary directory, removed afterwards)
      --build-only only build DIR/bench-ledger.jsonl and keep it (needs --dir), for profiling:
      --verify-only FILE   one full verify of FILE; prints "entries seconds peak_rss_mb"
      --append-once FILE   one single durable append of a report to FILE (built by --build-only)
      --one-shot FILE      25 `emc report` processes on FILE, each against a bare `emc --help`
      --append-session FILE  1,000 single appends of a report to FILE through one open writer
      --profile-verify FILE   decode, apply and signature time per entry of FILE, each on one core
      --settle-only  only the settlement figures (400 contracts x 12 periods, traced and untraced)
      --quick      few samples and small batches, for smoke tests; not figures to quote
    """

    struct UsageError: Error { let message: String }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var index = 0
        func value(of flag: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(message: "\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--entries":
                let text = try value(of: argument).replacingUnderscores()
                guard let count = Int(text), (500...5_000_000).contains(count) else {
                    throw UsageError(message: "--entries must be a whole number from 500 to 5000000, got \"\(text)\"")
                }
                options.entries = count
            case "--json": options.json = true
            case "--dir": options.directory = try value(of: argument)
            case "--verify-only": options.verifyOnly = try value(of: argument)
            case "--build-only": options.buildOnly = true
            case "--append-once": options.appendOnce = try value(of: argument)
            case "--append-session": options.appendSession = try value(of: argument)
            case "--one-shot": options.oneShot = try value(of: argument)
            case "--profile-verify": options.profileVerify = try value(of: argument)
            case "--quick": options.quick = true
            case "--settle-only": options.settleOnly = true
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw UsageError(message: "unknown argument \"\(argument)\" (try --help)")
            }
            index += 1
        }
        if options.buildOnly && options.directory == nil { throw UsageError(message: "--build-only needs --dir DIR") }
        return options
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" && $0 != "," }) }
}
