import ArgumentParser
import LedgerCrypto
import LedgerFormat
import LedgerServer
#if canImport(Glibc)
import Glibc
#endif

@main
struct EMCServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emc-server",
        abstract: "The EMC Ledger sequencing server (SPEC Part 5, the HTTP API v1).",
        subcommands: [Serve.self]
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ledgers under a data directory over HTTP.",
        discussion: """
        Members create ledgers with POST /v1/ledgers and submit entries they signed themselves; the \
        server verifies every entry, appends it durably, and signs a checkpoint with SERVER.key \
        (make one with `emc keygen`). Prints `listening on HOST:PORT` once bound; stops cleanly \
        on SIGTERM or SIGINT.
        """
    )

    @Option(help: "The data directory (one folder per ledger id; created if missing).")
    var data: String

    @Option(help: "Address and port to listen on; port 0 picks a free port.")
    var listen = "127.0.0.1:8080"

    @Option(help: "The server's Ed25519 private key (PEM), which signs its checkpoints.")
    var key: String

    @Option(help: "The key name of the server's checkpoint signatures.")
    var name = "emc-server"

    @Option(name: .customLong("allow-create"), help: "Who may create ledgers: any, none, or a FILE of key ids (one per line).")
    var allowCreate = "any"

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, got \(listen)")
        }
        let host = String(listen[..<colon])
        do {
            let serverKey = try KeyFiles.loadPrivateKey(path: key)
            let policy = try CreatePolicy.parse(allowCreate) { path in
                guard let text = readText(path) else { throw LedgerError(.io, "cannot read", file: path) }
                return text
            }
            let service = try LedgerService(host: try FileLedgerHost(directory: data), serverKey: serverKey, name: name,
                                            createPolicy: policy)
            printError("checkpoint verifier key: \(service.verifierKey)")
            try await LedgerHTTPServer.run(service: service, host: host, port: port) { bound in
                writeLine("listening on \(host):\(bound)", to: 1)
            }
        } catch let error as LedgerError {
            printError(error.description)
            throw ExitCode(2)
        } catch let error as CryptoError {
            printError(error.message)
            throw ExitCode(2)
        }
    }
}

func printError(_ message: String) {
    writeLine("emc-server: \(message)", to: 2)
}

/// One unbuffered line on a standard stream (the tests read `listening on …` as soon as it is written).
func writeLine(_ line: String, to descriptor: Int32) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
}

/// A small text file (at most 1 MiB), or nil.
func readText(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while bytes.count <= 1 << 20 {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes.count <= 1 << 20 ? String(decoding: bytes, as: UTF8.self) : nil
}
