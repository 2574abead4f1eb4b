import ArgumentParser
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerServer
import LedgerStoragePostgres
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

@main
struct EMCServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emc-server",
        abstract: "The EMC Ledger sequencing server (SPEC Part 5, the HTTP API v1).",
        subcommands: [Serve.self, Export.self, Import.self]
    )
}

/// `--data DIR` (the file store) or `--store postgres://…` (the PostgreSQL store), exactly one.
struct StoreOptions: ParsableArguments {
    @Option(help: "The file store: a data directory (one folder per ledger id; created if missing; one server at a time).")
    var data: String?

    @Option(help: ArgumentHelp("The PostgreSQL store, shared by any number of servers: postgres://USER[:PASSWORD]@HOST:PORT/DB[?sslmode=disable|prefer|require&pool=N].",
                               valueName: "url"))
    var store: String?

    func validate() throws {
        guard (data == nil) != (store == nil) else { throw ValidationError("give exactly one of --data DIR and --store postgres://USER@HOST:PORT/DB") }
        if let store { _ = try PostgresURL(parsing: store) }
    }

    /// Opens the store, runs `body` with it on a thread of its own, prints the line it returns.
    func withHost(_ body: @escaping @Sendable (any LedgerHost) throws(LedgerError) -> String) async throws {
        try await reportingErrors {
            let host = try await open()
            defer { host.shutdown() }
            writeLine(try await StoreThread.run { () throws(LedgerError) in try body(host) }, to: 1)
        }
    }

    /// Opens (and for PostgreSQL migrates) the store.
    func open() async throws(LedgerError) -> any LedgerHost {
        if let store { return try await PostgresLedgerHost.connect(try PostgresURL(parsing: store)) }
        return try FileLedgerHost(directory: data!)
    }
}

/// Runs `body` and turns the project's errors into one line and exit 2 (exit 1 for a ledger that
/// does not verify, as `emc verify`).
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as LedgerError {
        printError(error.description)
        throw ExitCode([.malformed, .rejected, .tornTail].contains(error.code) ? 1 : 2)
    } catch let error as CryptoError {
        printError(error.message)
        throw ExitCode(2)
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one hosted ledger as its canonical file (byte-identical to what `emc pull` gives).",
        discussion: "The file must not exist; it is written durably and then verified from genesis. Works while servers run on a PostgreSQL store; a file store's data directory must not be in use."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The ledger id (64 hex digits).")
    var ledgerID: String

    @Argument(help: "The file to write.")
    var file: String

    func run() async throws {
        guard APIRoute.isLedgerID(ledgerID) else { throw ValidationError("not a ledger id: \(ledgerID)") }
        let (ledgerID, file) = (ledgerID, file)
        try await storeOptions.withHost { host throws(LedgerError) in
            let count = try LedgerTransfer.export(host: host, ledgerID: ledgerID, to: file)
            return "exported \(entryCount(count)) of \(ledgerID) to \(file)"
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store a ledger file as a new hosted ledger.",
        discussion: "The file is verified from genesis (decode, limits, apply) first; a ledger with its id must not be hosted yet. A server serves it from its next request for it."
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The ledger file (.jsonl).")
    var file: String

    func run() async throws {
        let file = file
        try await storeOptions.withHost { host throws(LedgerError) in
            let (ledgerID, size) = try LedgerTransfer.importFile(file, into: host)
            return "imported \(entryCount(size)) as ledger \(ledgerID)"
        }
    }
}


struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the ledgers under a data directory over HTTP.",
        discussion: """
        Members create ledgers with POST /v1/ledgers and submit entries they signed themselves; the \
        server verifies every entry, appends it durably, and signs a checkpoint with SERVER.key \
        (make one with `emc keygen`). Prints `listening on HOST:PORT` once bound; stops cleanly \
        on SIGTERM or SIGINT. With --store, several servers (same key) may share one database.
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Address and port to listen on; port 0 picks a free port.")
    var listen = "127.0.0.1:8080"

    @Option(help: "The server's Ed25519 private key (PEM), which signs its checkpoints.")
    var key: String

    @Option(help: "The key name of the server's checkpoint signatures.")
    var name = "emc-server"

    @Option(name: .customLong("allow-create"), help: "Who may create ledgers: any, none, or a FILE of key ids (one per line).")
    var allowCreate = "any"

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds a request (from its header to the end of its body) may take to arrive; then 408.", valueName: "seconds"))
    var requestTimeout = APILimits.requestTimeoutSeconds

    func validate() throws {
        guard (1...3600).contains(requestTimeout) else { throw ValidationError("--request-timeout must be 1 to 3600 seconds") }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        // Swift concurrency's jobs run on NIO's event loops (the ones Hummingbird serves on), so a
        // request's task resumes on the thread that read it and its answer is written from there:
        // no wake-up of another thread between reading a request and running its handler, and none
        // back (issue 14). Handlers never block a thread of the concurrency pool for long (ledger
        // work runs on the ledgers' queues; only on an idle server does it run inline).
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--listen must be HOST:PORT, got \(listen)")
        }
        let host = String(listen[..<colon])
        try await reportingErrors {
            let serverKey = try KeyFiles.loadPrivateKey(path: key)
            let policy = try CreatePolicy.parse(allowCreate) { path in
                guard let text = readText(path) else { throw LedgerError(.io, "cannot read", file: path) }
                return text
            }
            let service = try LedgerService(host: try await storeOptions.open(), serverKey: serverKey, name: name,
                                            createPolicy: policy)
            printError("checkpoint verifier key: \(service.verifierKey)")
            try await LedgerHTTPServer.run(service: service, host: host, port: port, requestTimeoutSeconds: requestTimeout) { bound in
                writeLine("listening on \(host):\(bound)", to: 1)
            }
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

/// "1 entry", "2 entries".
func entryCount<Count: BinaryInteger>(_ count: Count) -> String {
    count == 1 ? "1 entry" : "\(count) entries"
}
