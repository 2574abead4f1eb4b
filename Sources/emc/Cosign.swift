import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerCrypto
import LedgerFormat
import LedgerTransparency
import LedgerWitness

struct Cosign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosign",
        abstract: "Check a checkpoint against your own verified copy and cosign it (C2SP tlog-cosignature, type 0x04).",
        discussion: """
        Your copy must have the checkpoint's root at its size, and the checkpoint must be consistent \
        with the last one you signed or cosigned (LEDGER.emc-witness-NAME, updated atomically under \
        the ledger's lock). Prints the checkpoint with your cosignature line added.
        Example: emc cosign duck-7.checkpoint --ledger duck.jsonl --key chef.key --out duck-7.checkpoint
        """
    )
    @Argument(help: "The signed checkpoint file.") var checkpoint: String
    @Option(help: "Your copy of the ledger.") var ledger: String
    @Option(help: "Your private ledger key (the one active for you at the checkpoint's size).") var key: String
    @Option(help: "The cosignature's time, RFC 3339 UTC or POSIX seconds. Default: now.") var time: String?
    @Option(help: "Write the cosigned checkpoint here (it may be the input file) instead of standard output.") var out: String?

    func run() throws {
        let privateKey = try KeyFiles.loadPrivateKey(path: key)
        let input = try readCheckpoint(checkpoint)
        let cosigned = try Witness.cosign(input.bytes, source: checkpoint, ledgerPath: ledger, key: privateKey,
                                          timestamp: try cosignatureTime(time))
        try emit(cosigned.checkpoint.encoded, out: out, what: "signed checkpoint", owns: isSignedCheckpoint)
        if let out { print("\(cosigned.member) cosigned the checkpoint of size \(cosigned.checkpoint.checkpoint.size): \(out)") }
    }
}

/// POSIX seconds from `--time` (RFC 3339 UTC or decimal seconds), or now.
func cosignatureTime(_ text: String?) throws -> UInt64 {
    guard let text else { return UInt64(max(0, Date().timeIntervalSince1970)) }
    if let seconds = UInt64(text), seconds <= UInt64(Int64.max) { return seconds }
    guard let time = Timestamp(text) else {
        throw CommandError(message: "--time \"\(text)\" is neither RFC 3339 UTC (e.g. 2020-09-30T18:00:00Z) nor POSIX seconds")
    }
    return UInt64(time.secondsSinceEpoch)
}
