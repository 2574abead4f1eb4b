import ArgumentParser
import ContractLanguage
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
import LedgerTransparency
import LedgerWitness
import LedgerClient
#if canImport(Glibc)
import Glibc
#endif

/// Every subcommand names itself (`commandName:`): without it ArgumentParser derives the name from
/// `String(describing:)` of the type, a protocol-conformance scan per command type at every process
/// start (34 M of the 136 M instructions of a one-shot `emc report`, issue 17).
@main
struct EMC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emc",
        abstract: "EMC Ledger: EMC contracts as exact rules on a signed, hash-linked, append-only log.",
        discussion: """
        Start with `emc demo`, which writes a sample ledger into ./emc-demo and verifies it.
        Exit codes: 0 success, 1 the ledger or contract is invalid (the message names the entry \
        or line:column), 2 usage or I/O error (bad flags, missing or unreadable file, bad key).
        """,
        version: emcVersion,
        subcommands: [Keygen.self, KeyID.self, Init.self, Accept.self, RotateKey.self, Report.self, Propose.self, Vote.self, Withdraw.self,
                      Settle.self, Dispute.self, Adjust.self, Status.self, Replay.self, Explain.self, Show.self, Preview.self, Page.self, Diff.self, Audit.self, Check.self, Simulate.self, Log.self, Verify.self, Repair.self, Demo.self,
                      SignCheckpoint.self, Cosign.self, Prove.self, VerifyProof.self, VerifyFork.self, Vkey.self, MakeBundle.self, VerifyBundle.self, Serve.self,
                      CloneLedger.self, PullLedger.self, PushLedger.self]
    )

    /// Runs the command; every error becomes one line on stderr and a documented exit code.
    static func main() {
        // A closed pipe is an EPIPE write error that `StandardOutput` handles, not a silent death.
        signal(SIGPIPE, SIG_IGN)
        var ledgerFile: String? = nil
        do {
            var command = try parseAsRoot()
            ledgerFile = (command as? LedgerCommand)?.ledgerFile
            try command.run()
            StandardOutput.finish()
        } catch {
            exit(reporting: error, ledgerFile: ledgerFile)
        }
    }

    /// `ledgerFile` names the ledger a refusal that names no file is about (`FILE: entry N: …`).
    static func exit(reporting error: Error, ledgerFile: String? = nil) -> Never {
        let code: Int32
        switch error {
        case var error as LedgerError:
            if error.file == nil { error.file = ledgerFile }
            printError(error.description)
            code = error.exitCode
        case let error as CryptoError:
            printError(error.message)
            code = 2
        case let error as WitnessError:
            printError(error.description)
            code = error.exitCode
        case let error as ClientError:
            if let path = error.forkProofPath { StandardOutput.write("fork proof: \(path)\n"); StandardOutput.finish() }
            printError(error.description)
            code = error.exitCode
        case let error as TransparencyError:
            printError(error.reason)
            code = 1
        case let error as CommandError:
            printError(error.message)
            code = error.exitCode
        case let error as ExitCode:
            code = error.rawValue
        default:
            let parserCode = exitCode(for: error)
            if parserCode == .success {
                self.exit(withError: error)  // --help and friends
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError("\(message) (see `emc help`)")
            code = parserCode.rawValue == 64 ? 2 : parserCode.rawValue
        }
        Glibc.exit(code)
    }
}

/// A one-line failure from a command, with its exit code (1 invalid input, 2 usage or I/O).
/// The version `emc --version` prints: the program's, and the ledger format it reads and writes.
let emcVersion = "emc 0.16.0 (ledger format \(Entry.formatVersion))"

struct CommandError: Error {
    var message: String
    var exitCode: Int32 = 2
}

func printError(_ message: String) {
    let line = "emc: " + (message.hasPrefix("error:") ? message : "error: " + message) + "\n"
    StandardError.write(line)
}

/// A command about one ledger file: its refusals are prefixed with that file, as SPEC §1.11 asks.
protocol LedgerCommand {
    var ledgerFile: String? { get }
}

extension Accept: LedgerCommand { var ledgerFile: String? { ledger } }
extension Adjust: LedgerCommand { var ledgerFile: String? { ledger } }
extension Audit: LedgerCommand { var ledgerFile: String? { ledger } }
extension CloneLedger: LedgerCommand { var ledgerFile: String? { local } }
extension Cosign: LedgerCommand { var ledgerFile: String? { ledger } }
extension Diff: LedgerCommand { var ledgerFile: String? { ledger } }
extension Dispute: LedgerCommand { var ledgerFile: String? { ledger } }
extension Explain: LedgerCommand { var ledgerFile: String? { ledger } }
extension Init: LedgerCommand { var ledgerFile: String? { ledger } }
extension Log: LedgerCommand { var ledgerFile: String? { ledger } }
extension MakeBundle: LedgerCommand { var ledgerFile: String? { ledger } }
extension Page: LedgerCommand { var ledgerFile: String? { ledger } }
extension Preview: LedgerCommand { var ledgerFile: String? { ledger } }
extension PullLedger: LedgerCommand { var ledgerFile: String? { copy.ledger } }
extension PushLedger: LedgerCommand { var ledgerFile: String? { copy.ledger } }
extension Propose: LedgerCommand { var ledgerFile: String? { ledger } }
extension Prove: LedgerCommand { var ledgerFile: String? { ledger } }
extension Repair: LedgerCommand { var ledgerFile: String? { ledger } }
extension Replay: LedgerCommand { var ledgerFile: String? { ledger } }
extension Report: LedgerCommand { var ledgerFile: String? { ledger } }
extension RotateKey: LedgerCommand { var ledgerFile: String? { ledger } }
extension Settle: LedgerCommand { var ledgerFile: String? { ledger } }
extension SignCheckpoint: LedgerCommand { var ledgerFile: String? { ledger } }
extension Show: LedgerCommand { var ledgerFile: String? { file } }
extension Simulate: LedgerCommand { var ledgerFile: String? { ledger } }
extension Status: LedgerCommand { var ledgerFile: String? { ledger } }
extension Verify: LedgerCommand { var ledgerFile: String? { ledger } }
extension Vote: LedgerCommand { var ledgerFile: String? { ledger } }
extension Withdraw: LedgerCommand { var ledgerFile: String? { ledger } }
