import Foundation

/// Every figure of one run, printed as a table or as the one-line JSON object of issue 7.
struct Report {
    /// The highest of the baselines taken before, between and after the full verifies.
    var rawVerifyPerSecond: Double { ledger.bestBaseline }
    var rawSHA256MegabytesPerSecond = 0.0
    var settleMicroseconds100x50 = 0.0
    var settle400x12Milliseconds = 0.0
    /// The same settlements without explanations (traces), as a verifier computes them.
    var settle400x12UntracedMilliseconds = 0.0
    /// Every round behind the two medians above, for the notes.
    var settle400x12Rounds = ""
    var ledger = LedgerFigures()

    var verifyEntriesPerSecond: Double { ledger.bestVerifyEntriesPerSecond }
    var verifyRatio: Double { verifyEntriesPerSecond / rawVerifyPerSecond }
    var appendRatio: Double { ledger.append.median / ledger.fsync.median }
    var bulkEntriesPerSecond: Double { Double(ledger.bulkEntries) / ledger.bulkSeconds }

    /// The keys, in order, with their values: exactly the set issue 7 names.
    var fields: [(key: String, value: Double, decimals: Int)] {
        [("raw_verify_per_s", rawVerifyPerSecond, 0),
         ("raw_sha256_mb_per_s", rawSHA256MegabytesPerSecond, 1),
         ("verify_entries_per_s", verifyEntriesPerSecond, 0),
         ("verify_ratio", verifyRatio, 3),
         ("verify_peak_rss_mb", ledger.verifyPeakResidentMegabytes, 1),
         ("incremental_verify_ms", ledger.incrementalVerifyMilliseconds, 1),
         ("append_p50_ms", ledger.append.median, 3),
         ("append_p99_ms", ledger.append.percentile(0.99), 3),
         ("fsync_p50_ms", ledger.fsync.median, 3),
         ("append_ratio", appendRatio, 2),
         ("bulk_append_entries_per_s", bulkEntriesPerSecond, 0),
         ("settle_us_100x50", settleMicroseconds100x50, 1),
         ("settle_400x12_ms", settle400x12Milliseconds, 1),
         ("verify_cpu_ratio", ledger.verifyCPURatio, 3),
         ("checkpoint_ms", ledger.transparency.checkpointMilliseconds, 3),
         ("inclusion_proof_ms", ledger.transparency.inclusionProofMilliseconds, 4),
         ("proof_verify_per_s", ledger.transparency.proofVerificationsPerSecond, 0),
         ("consistency_us_per_new_entry", ledger.transparency.consistencyMicrosecondsPerNewEntry, 2),
         ("verify_ratio_spread", ledger.verifyRatioSpread, 3),
         ("received_bulk_ratio", ledger.receivedBulkRatio, 3),
         ("one_shot_append_p50_ms", ledger.oneShot.append.median, 3),
         ("one_shot_bare_start_p50_ms", ledger.oneShot.bareStart.median, 3),
         ("settle_400x12_untraced_ms", settle400x12UntracedMilliseconds, 1)]
    }

    var json: String {
        "{" + fields.map { "\"\($0.key)\":\(Self.number($0.value, decimals: $0.decimals))" }.joined(separator: ",") + "}"
    }

    static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        return String(format: "%.\(decimals)f", value)
    }

    /// Issue 7's targets: (key, bound, true when the value must be at least the bound).
    static let targets: [String: (bound: Double, atLeast: Bool)] = [
        "verify_ratio": (0.80, true), "verify_peak_rss_mb": (128, false), "incremental_verify_ms": (1_000, false),
        "append_ratio": (2.0, false), "bulk_append_entries_per_s": (10_000, true),
        "settle_us_100x50": (1_000, false), "settle_400x12_ms": (1_000, false),
        "checkpoint_ms": (10, false), "inclusion_proof_ms": (1, false), "proof_verify_per_s": (50_000, true),
        // Issue 17.
        "verify_cpu_ratio": (0.95, true), "received_bulk_ratio": (0.9, true), "one_shot_append_p50_ms": (3, false),
    ]

    func table(cores: Int, quick: Bool) -> String {
        var lines = ["emc-bench: \(ledger.entries) entries (100 members, 50 rules, 15 reports + 1 settlement per period), "
            + "\(String(format: "%.1f", Double(ledger.fileBytes) / 1e6)) MB, built in \(String(format: "%.1f", ledger.buildSeconds)) s, \(cores) cores",
            "",
            "figure".padding(toLength: 30, withPad: " ", startingAt: 0) + "value".leftPadded(14) + "   target      ",
            String(repeating: "-", count: 63)]
        for field in fields {
            var target = ""
            if let goal = Self.targets[field.key] {
                let met = goal.atLeast ? field.value >= goal.bound : field.value <= goal.bound
                target = "\(goal.atLeast ? ">=" : "<=") \(Self.number(goal.bound, decimals: goal.bound < 10 ? 2 : 0))".padding(toLength: 12, withPad: " ", startingAt: 0)
                    + (met ? "met" : "MISSED")
            }
            lines.append(field.key.padding(toLength: 30, withPad: " ", startingAt: 0)
                + Self.number(field.value, decimals: field.decimals).leftPadded(14) + "   " + target)
        }
        lines.append("")
        let pairs = ledger.verifyRunSeconds.indices.map { run -> String in
            let pair = ledger.verifyPair(run)
            return "\(Self.number(pair.entriesPerSecond, decimals: 0))/\(Self.number(pair.baseline, decimals: 0)) = \(Self.number(pair.entriesPerSecond / pair.baseline, decimals: 3))"
        }
        lines.append("notes: raw_verify over \(cores) workers, best of three rounds, taken before and after each full verify: "
            + ledger.baselines.map { Self.number($0, decimals: 0) }.joined(separator: ", ") + ";")
        lines.append("  verify: the fastest of \(ledger.verifyRunSeconds.count) full verifies, each in a child process, against the highest baseline; "
            + "each against the higher baseline around it: " + pairs.joined(separator: "; ") + ";")
        lines.append("  raw_sha256 on one core, 1 MiB buffers;")
        lines.append("  settle_400x12: median of alternating rounds after one warm-up of each, ms: \(settle400x12Rounds);")
        lines.append("  append: \(ledger.append.count) single appends of a report, built and signed by this process just before, through one")
        lines.append("    open LedgerWriter (lock, check the head, validate, write, fsync, unlock); fsync: \(ledger.fsync.count) bare write+fsync")
        lines.append("    of one line, each just before an append; with building and signing included: p50 "
            + "\(Self.number(ledger.signedAppend.median, decimals: 3)) ms, p99 \(Self.number(ledger.signedAppend.percentile(0.99), decimals: 3)) ms "
            + "(ratio \(Self.number(ledger.signedAppend.median / ledger.fsync.median, decimals: 2)));")
        if ledger.processAppend.count > 0 {
            lines.append("  for comparison, \(ledger.processAppend.count) appends each by a new writer without a state cache (open and verify the whole file, append, close; `emc` commands resume from the member's state cache instead, see one-shot): "
                + "p50 \(Self.number(ledger.processAppend.median, decimals: 3)) ms, p99 \(Self.number(ledger.processAppend.percentile(0.99), decimals: 3)) ms;")
        }
        lines.append("  bulk: \(ledger.bulkEntries) entries signed in this process, one append call (\(String(format: "%.0f", ledger.bulkSeconds * 1e3)) ms); "
            + "the same batch as received from other members, every signature verified: "
            + "\(Self.number(Double(ledger.bulkEntries) / ledger.receivedBulkSeconds, decimals: 0)) entries/s;")
        lines.append("  settle_400x12: contracts of 10/20/50/100 members and 5/10/25/50 rules, 100 of each, one core, with explanations "
            + "(traces); settle_400x12_untraced_ms: the same without them, as a verifier settles.")
        if quick { lines.append("  QUICK RUN (--quick): few samples and small batches; not figures to quote.") }
        let transparency = ledger.transparency
        lines.append("  verify includes the Merkle tree (leaf hashes while verifying); verify_cpu_ratio: median baseline CPU per signature x entries / median verify CPU")
        lines.append("    (user + system of its child), rounds alternating baseline, verify, …; per pair (verify against the baseline just before it): "
            + ledger.verifyCPURatioPerPair.map { Self.number($0, decimals: 3) }.joined(separator: ", ") + "; verify_ratio_spread is their max - min;")
        lines.append("  instructions of a verify: \(ledger.verifyInstructions);")
        let oneShot = ledger.oneShot
        if oneShot.runs > 0 {
            lines.append("  one-shot: \(oneShot.runs) `emc report` processes (posix_spawn to waitpid, warm state cache, one durable entry each): p50 "
                + "\(Self.number(oneShot.append.median, decimals: 3)) ms (CPU p50 \(Self.number(oneShot.appendCPU.median, decimals: 3)) ms), p99 \(Self.number(oneShot.append.percentile(0.99), decimals: 3)) ms;")
            lines.append("    a bare start of the same binary (`emc --help`) just before each: p50 \(Self.number(oneShot.bareStart.median, decimals: 3)) ms; "
                + "difference of the medians \(Self.number(oneShot.append.median - oneShot.bareStart.median, decimals: 3)) ms;")
        }
        lines.append("  received_bulk_ratio: the received batch's entries/s / a 2-core baseline taken just before it (\(Self.number(ledger.receivedBulkBaseline, decimals: 0))/s);")
        lines.append("  checkpoint: root + Ed25519 note signature + read-back check, after a verify that computed the tree; inclusion proof: built from the tile hashes")
        lines.append("    and verified against the root (median); proof_verify on one thread; consistency: a member at size \(transparency.consistencyOldSize) hashes")
        lines.append("    the \(transparency.consistencyNewEntries) new lines into her tree and verifies the consistency proof to the new root (per new entry);")
        lines.append("  incremental: load a state cache file, then Verifier.verify(path:resumingFrom:) over \(ledger.incrementalEntries) new entries.")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
