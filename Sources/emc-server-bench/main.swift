import Dispatch
import Foundation
import Synchronization
import ContractLanguage
import Ledger
import LedgerClient
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerStorage
import LedgerTransparency

// emc-server-bench: the server figures of issues 14 and 15, in one run (ratios on the same machine
// and load). Starts the `emc-server` beside this binary on 127.0.0.1:0 over a temporary folder (and,
// with --postgres, over a PostgreSQL database), measures, prints JSON, stops them. Flags: --quick
// (fewer samples), --server PATH, --postgres URL (an empty database: the portfolio figures of
// issue 15 for the PostgreSQL store beside the file store's), --single-only (only the single
// submissions and checkpoint reads, to compare two servers quickly: `--server` each in turn),
// --samples N (single submissions; 400, or 100 with --quick).

let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let singleOnly = arguments.contains("--single-only")
let serverPath = arguments.firstIndex(of: "--server").map { arguments[$0 + 1] }
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emc-server").path
let postgresURL = arguments.firstIndex(of: "--postgres").map { arguments[$0 + 1] }

@Sendable func log(_ message: String) { FileHandle.standardError.write(Data("emc-server-bench: \(message)\n".utf8)) }
/// The servers' process ids once started, so that a failure stops them too.
nonisolated(unsafe) var serverProcessIDs: [Int32] = []
@Sendable func fail(_ message: String) -> Never {
    log(message)
    for id in serverProcessIDs { kill(id, SIGTERM) }
    exit(2)
}

let contract = """
contract "Bench EMC"
currency CNY 2
settlement monthly
member yu   "Yu"   micro-enterprise
member farm "Farm" external-partner
share yu 60%
share farm 40%
metric cost money reported by yu, farm
rule cost_sharing every period
  when cost > 0
  then
    split 10% of cost by shares
"""
let time = Timestamp("2020-05-10T09:00:00Z")!
let period = Period("2020-05")!

/// Member `name`'s key in ledger `ledger`, derived once (a derivation costs a scalar multiplication,
/// which the clients would otherwise pay on every signed request and charge to the server's figures).
@Sendable func key(_ name: String, _ ledger: Int) -> PrivateKey {
    let label = "emc-server-bench/\(ledger)/\(name)"
    if let known = derivedKeys.withLock({ $0[label] }) { return known }
    let derived = try! PrivateKey(seed: SHA256.hash(Array(label.utf8)))
    derivedKeys.withLock { $0[label] = derived }
    return derived
}
let derivedKeys = Mutex<[String: PrivateKey]>([:])

/// Runs `body(0) … body(count - 1)` on `count` threads of their own, all at once, and waits for them.
/// (`DispatchQueue.concurrentPerform` runs at most one iteration per core: "16 clients" would be 2.)
func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread { body(index); group.leave() }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// CPU time (user + system) a process has used so far, in milliseconds, from /proc/PID/stat.
func cpuMilliseconds(of process: Process) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return .nan }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // After the command name: state is field 3, utime field 14, stime field 15 (proc(5)).
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// A ledger built and verified offline: yu and farm, founded by yu (nonce from `ledger` and `tag`),
/// both accepts; then whatever `add` appends.
struct OfflineLedger {
    var state = LedgerState()
    var lines: [[UInt8]] = []

    init(ledger: Int, tag: UInt8 = 0, time: Timestamp, acceptTime: Timestamp) throws {
        let roster = ["yu", "farm"].map { EntryBuilder.RosterMember(name: $0, role: $0 == "yu" ? "micro-enterprise" : "external-partner", key: key($0, ledger).publicKey) }
        var nonce = [UInt8](repeating: 0, count: 16)
        nonce[0] = UInt8(ledger & 0xff); nonce[1] = UInt8(ledger >> 8); nonce[2] = tag
        try add(EntryBuilder.genesis(contract: contract, members: roster, founder: key("yu", ledger), time: time, nonce: nonce))
        for name in ["yu", "farm"] {
            try add(EntryBuilder.accept(after: state, contractHash: Entry.contractHash(contract), time: acceptTime, key: key(name, ledger)))
        }
    }

    mutating func add(_ entry: Entry) throws {
        let decoded = try DecodedEntry(entry: entry)
        try state.apply(decoded)
        lines.append(decoded.lineBytes)
    }
}

/// A ledger's genesis and accepts, and then `count` cost reports by yu, built and verified offline.
func chain(ledger: Int, reports count: Int) throws -> (setup: [[UInt8]], reports: [[UInt8]]) {
    var built = try OfflineLedger(ledger: ledger, time: time, acceptTime: time)
    for value in 0..<count {
        try built.add(EntryBuilder.report(after: built.state, period: period, metric: "cost", value: "\(value + 1).00", time: time, key: key("yu", ledger)))
    }
    return (Array(built.lines.prefix(3)), Array(built.lines.dropFirst(3)))
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

func milliseconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6 }

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("emc-server-bench-\(UUID().uuidString)")
try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

// 1. The in-process baseline: a writer's durable append of one entry at a time (apply + one fsync).
let samples = arguments.firstIndex(of: "--samples").flatMap { Int(arguments[$0 + 1]) } ?? (quick ? 100 : 400)
let ledgerCount = 100
let perLedgerPerRound = quick ? 4 : 10
let clientCounts = [1, 4, 16]
log("building \(ledgerCount) ledgers offline")
let chains = (0...ledgerCount).map { index in
    try! chain(ledger: index, reports: index == 0 ? samples : perLedgerPerRound * clientCounts.count)
}
let localPath = folder.appendingPathComponent("local.jsonl").path
try! LedgerStore.create(path: localPath, genesis: try! DecodedEntry(line: chains[0].setup[0]))
let writer = try! LedgerWriter(path: localPath)
_ = try! writer.append(chains[0].setup.dropFirst().map { try! DecodedEntry(line: $0).entry })

// 2. The server.
let serverKey = try! PrivateKey(seed: Array(repeating: 9, count: 32))
_ = try! KeyFiles.write(serverKey, name: "server", directory: folder.path)

/// Starts `emc-server serve` over `store` (`--data DIR` or `--store URL`); returns it and its port.
func startServer(_ store: [String]) -> (process: Process, port: Int) {
    let output = folder.appendingPathComponent("server-\(UUID().uuidString.prefix(8)).out")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: serverPath)
    process.arguments = ["serve"] + store + ["--key", folder.appendingPathComponent("server.key").path, "--listen", "127.0.0.1:0"]
    process.standardOutput = try! FileHandle(forWritingTo: output)
    process.standardError = FileHandle.nullDevice
    do { try process.run(); serverProcessIDs.append(process.processIdentifier) } catch {
        fail("cannot start \(serverPath) (build it: swift build -c release --product emc-server): \(error)")
    }
    var port = 0
    for _ in 0..<3000 where port == 0 && process.isRunning {
        usleep(10_000)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on 127.0.0.1:") }) {
            port = Int(line.dropFirst("listening on 127.0.0.1:".count)) ?? 0
        }
    }
    guard port > 0 else { fail("the server over \(store.joined(separator: " ")) did not start") }
    return (process, port)
}

func stopServer(_ process: Process) {
    if process.isRunning { process.terminate(); process.waitUntilExit() }
}

let (process, port) = startServer(["--data", folder.appendingPathComponent("data").path])
defer { stopServer(process) }

@Sendable func submit(_ client: HTTPClient, ledger: Int, target: String, lines: [[UInt8]], expect status: Int) {
    let request = try! HTTPRequestMessage.signed(method: "POST", target: target, body: EntryBatch.encode(lines), key: key("yu", ledger))
    let response: HTTPResponseMessage
    do { response = try client.send(request) } catch { fail("ledger \(ledger): \(error)") }
    guard response.status == status else { fail("ledger \(ledger): \(response.status) \(response.text)") }
}

log("creating the ledgers on the server")
let setupClient = HTTPClient(port: port)
var ledgerIDs: [String] = []
for (index, chain) in chains.enumerated() {
    let id = try! DecodedEntry(line: chain.setup[0]).entry.ledgerID
    ledgerIDs.append(id)
    submit(setupClient, ledger: index, target: "/v1/ledgers", lines: [chain.setup[0]], expect: 201)
    submit(setupClient, ledger: index, target: "/v1/ledgers/\(id)/entries", lines: Array(chain.setup.dropFirst()), expect: 200)
}

// 3. Single submissions over HTTP of the same entries, one at a time, each right after the local
// append of that entry, so that both see the disk in the same state.
log("single submissions, local and over HTTP, interleaved")
var localTimes: [Double] = []
var httpTimes: [Double] = []
for line in chains[0].reports.prefix(samples) {
    let entry = try! DecodedEntry(line: line).entry
    let localStart = DispatchTime.now()
    _ = try! writer.append([entry])
    localTimes.append(milliseconds(since: localStart))
    let request = try! HTTPRequestMessage.signed(method: "POST", target: "/v1/ledgers/\(ledgerIDs[0])/entries", body: EntryBatch.encode([line]), key: key("yu", 0))
    let start = DispatchTime.now()
    let response = try! setupClient.send(request)
    httpTimes.append(milliseconds(since: start))
    guard response.status == 200 else { fail("single: \(response.status) \(response.text)") }
}
writer.close()
// The same round trip without an append: a signed GET of the checkpoint (authentication included).
var readTimes: [Double] = []
for _ in 0..<samples {
    let request = try! HTTPRequestMessage.signed(method: "GET", target: "/v1/ledgers/\(ledgerIDs[0])/checkpoint", key: key("yu", 0))
    let start = DispatchTime.now()
    let response = try! setupClient.send(request)
    readTimes.append(milliseconds(since: start))
    guard response.status == 200 else { fail("checkpoint: \(response.status) \(response.text)") }
}

if singleOnly {
    // The bare round trip: an unsigned request, answered 401 before any signature is checked.
    var bareTimes: [Double] = []
    for _ in 0..<samples {
        let request = HTTPRequestMessage(method: "GET", target: "/v1/ledgers/\(ledgerIDs[0])/checkpoint")
        let start = DispatchTime.now()
        let response = try! setupClient.send(request)
        bareTimes.append(milliseconds(since: start))
        guard response.status == 401 else { fail("unsigned: \(response.status) \(response.text)") }
    }
    print(JSONValue.object([
        "http_unsigned_401_p50_ms": rounded(percentile(bareTimes, 0.5)),
        "samples": .integer(Int64(samples)),
        "local_append_p50_ms": rounded(percentile(localTimes, 0.5)),
        "http_submit_p50_ms": rounded(percentile(httpTimes, 0.5)),
        "http_submit_p99_ms": rounded(percentile(httpTimes, 0.99)),
        "http_checkpoint_get_p50_ms": rounded(percentile(readTimes, 0.5)),
        "http_over_local_p50_ratio": rounded(percentile(httpTimes, 0.5) / percentile(localTimes, 0.5), 2),
    ]).canonicalString)
    stopServer(process)
    try? FileManager.default.removeItem(at: folder)
    exit(0)
}

// 4. Throughput across 100 ledgers: client c submits to ledgers c, c + clients, …, one entry per
// request, each acknowledged only once durable.
var throughput: [String: Double] = [:]
var throughputCPU: [String: Double] = [:]
let boundPort = port, ids = ledgerIDs, allChains = chains
for (round, clients) in clientCounts.enumerated() {
    log("throughput with \(clients) client(s)")
    let start = DispatchTime.now(), cpuStart = cpuMilliseconds(of: process)
    concurrently(clients) { client in
        let http = HTTPClient(port: boundPort)
        for step in 0..<perLedgerPerRound {
            for ledger in stride(from: 1 + client, through: ledgerCount, by: clients) {
                let line = allChains[ledger].reports[round * perLedgerPerRound + step]
                submit(http, ledger: ledger, target: "/v1/ledgers/\(ids[ledger])/entries", lines: [line], expect: 200)
            }
        }
    }
    let seconds = milliseconds(since: start) / 1000
    throughput["\(clients)"] = Double(ledgerCount * perLedgerPerRound) / seconds
    throughputCPU["\(clients)"] = (cpuMilliseconds(of: process) - cpuStart) * 1000 / Double(ledgerCount * perLedgerPerRound)
}

// 5. `emc pull` of many new entries (LedgerClient's pull, in process) against a local verify of
// the same file: a member's copy made at size 3 catches up with entries others submitted.
let pullCount = quick ? 2_000 : 10_000
log("pull of \(pullCount) new entries")
let pullLedger = ledgerCount + 1
let pullChain = try! chain(ledger: pullLedger, reports: pullCount)
let pullID = try! DecodedEntry(line: pullChain.setup[0]).entry.ledgerID
submit(setupClient, ledger: pullLedger, target: "/v1/ledgers", lines: [pullChain.setup[0]], expect: 201)
submit(setupClient, ledger: pullLedger, target: "/v1/ledgers/\(pullID)/entries", lines: Array(pullChain.setup.dropFirst()), expect: 200)
let pullPath = folder.appendingPathComponent("pull.jsonl").path
let pullConfig = RemoteConfig(url: "http://127.0.0.1:\(port)", ledgerID: pullID,
                              serverKey: try! NoteVerifier(name: "emc-server", publicKey: serverKey.publicKey), keyPath: "/dev/null")
do { _ = try Clone.clone(config: pullConfig, ledgerPath: pullPath, key: key("farm", pullLedger), timestamp: 1_700_000_000) } catch {
    fail("clone: \(error)")
}
for start in stride(from: 0, to: pullCount, by: APILimits.maximumBatchEntries) {
    submit(setupClient, ledger: pullLedger, target: "/v1/ledgers/\(pullID)/entries",
           lines: Array(pullChain.reports[start..<min(start + APILimits.maximumBatchEntries, pullCount)]), expect: 200)
}
let pullStart = DispatchTime.now()
do {
    let pulled = try Pull.run(ledgerPath: pullPath, config: pullConfig, key: key("farm", pullLedger), timestamp: 1_700_000_000)
    guard pulled.fetched == pullCount, pulled.cosignedSize == UInt64(pullCount + 3) else { fail("pull: \(pulled)") }
} catch {
    fail("pull: \(error)")
}
let pullMs = milliseconds(since: pullStart)
let verifyStart = DispatchTime.now()
guard (try? Verifier.verify(path: pullPath))?.entryCount == Int64(pullCount + 3) else { fail("verify of the pulled copy") }
let verifyMs = milliseconds(since: verifyStart)
// 6. The portfolio of issue 15: 400 ledgers × 12 monthly periods, each period two reports (yu's and
// farm's) and yu's settlement, loaded by 16 clients (client c owns ledgers c, c + 16, …, and sends
// their periods in order, one entry per request); then the read path: every ledger's entries and
// inclusion proofs. On the file store and, with --postgres, on PostgreSQL, in the same run.
let portfolioLedgers = quick ? 80 : 400
let portfolioClients = 16

/// A ledger's genesis and accepts, and its 12 periods (reports by both reporters, then the settlement).
func portfolioChain(ledger: Int) throws -> (setup: [[UInt8]], periods: [[UInt8]]) {
    let index = 1000 + ledger
    var built = try OfflineLedger(ledger: index, tag: 15, time: Timestamp("2021-01-01T09:00:00Z")!, acceptTime: Timestamp("2021-01-01T10:00:00Z")!)
    for month in 1...12 {
        let period = Period(String(format: "2021-%02d", month))!
        let after = Timestamp(month == 12 ? "2022-01-02T09:00:00Z" : String(format: "2021-%02d-02T09:00:00Z", month + 1))!
        for (offset, name) in ["yu", "farm"].enumerated() {
            try built.add(EntryBuilder.report(after: built.state, period: period, metric: "cost", value: "\(100 * month + offset + ledger % 7).00",
                                              time: after, key: key(name, index)))
        }
        try built.add(EntryBuilder.settle(after: built.state, period: period, time: after, key: key("yu", index)))
    }
    return (Array(built.lines.prefix(3)), Array(built.lines.dropFirst(3)))
}

log("building the portfolio: \(portfolioLedgers) ledgers × 12 periods, offline")
let portfolio = (0..<portfolioLedgers).map { try! portfolioChain(ledger: $0) }
let portfolioIDs = portfolio.map { try! DecodedEntry(line: $0.setup[0]).entry.ledgerID }

/// The portfolio's figures on one server: load entries/s, then read entries/s and proofs/s.
func portfolioFigures(server: Process, port: Int, store: String) -> JSONValue {
    log("portfolio on the \(store) store: creating \(portfolioLedgers) ledgers")
    let setup = HTTPClient(port: port)
    for (index, chain) in portfolio.enumerated() {
        submit(setup, ledger: 1000 + index, target: "/v1/ledgers", lines: [chain.setup[0]], expect: 201)
        submit(setup, ledger: 1000 + index, target: "/v1/ledgers/\(portfolioIDs[index])/entries", lines: Array(chain.setup.dropFirst()), expect: 200)
    }
    log("portfolio on the \(store) store: \(portfolioClients) clients load 12 periods")
    let entryCount = portfolio.reduce(0) { $0 + $1.periods.count }
    let loadStart = DispatchTime.now(), loadCPUStart = cpuMilliseconds(of: server)
    concurrently(portfolioClients) { client in
        let http = HTTPClient(port: port)
        let owned = Array(stride(from: client, to: portfolioLedgers, by: portfolioClients))
        for step in 0..<36 {
            for ledger in owned {
                submit(http, ledger: 1000 + ledger, target: "/v1/ledgers/\(portfolioIDs[ledger])/entries", lines: [portfolio[ledger].periods[step]], expect: 200)
            }
        }
    }
    let loadSeconds = milliseconds(since: loadStart) / 1000
    let loadCPU = cpuMilliseconds(of: server) - loadCPUStart
    log("portfolio on the \(store) store: reading entries and proofs")
    @Sendable func get(_ http: HTTPClient, ledger: Int, _ target: String) -> HTTPResponseMessage {
        let request = try! HTTPRequestMessage.signed(method: "GET", target: target, key: key("farm", 1000 + ledger))
        guard let response = try? http.send(request), response.status == 200 else { fail("read \(target) failed") }
        return response
    }
    let readStart = DispatchTime.now()
    concurrently(portfolioClients) { client in
        let http = HTTPClient(port: port)
        for ledger in stride(from: client, to: portfolioLedgers, by: portfolioClients) {
            let body = get(http, ledger: ledger, "/v1/ledgers/\(portfolioIDs[ledger])/entries?from=0").body
            guard body.count(where: { $0 == 0x0a }) == 39 else { fail("ledger \(ledger): not 39 entries") }
        }
    }
    let readSeconds = milliseconds(since: readStart) / 1000
    let proofsPerLedger = 10
    let proofStart = DispatchTime.now()
    concurrently(portfolioClients) { client in
        let http = HTTPClient(port: port)
        for ledger in stride(from: client, to: portfolioLedgers, by: portfolioClients) {
            for proof in 0..<proofsPerLedger {
                _ = get(http, ledger: ledger, "/v1/ledgers/\(portfolioIDs[ledger])/proof/inclusion?index=\(proof * 3)&size=39")
            }
        }
    }
    let proofSeconds = milliseconds(since: proofStart) / 1000
    return .object([
        "load_entries": .integer(Int64(entryCount)),
        "load_entries_per_second": rounded(Double(entryCount) / loadSeconds, 0),
        "load_server_cpu_us_per_entry": rounded(loadCPU * 1000 / Double(entryCount), 0),
        "read_entries_per_second": rounded(Double(portfolioLedgers * 39) / readSeconds, 0),
        "inclusion_proofs_per_second": rounded(Double(portfolioLedgers * proofsPerLedger) / proofSeconds, 0),
    ])
}

var portfolioReport: [String: JSONValue] = [:]
do {
    let server = startServer(["--data", folder.appendingPathComponent("portfolio-data").path])
    portfolioReport["file"] = portfolioFigures(server: server.process, port: server.port, store: "file")
    stopServer(server.process)
}
if let postgresURL {
    let server = startServer(["--store", postgresURL])
    portfolioReport["postgres"] = portfolioFigures(server: server.process, port: server.port, store: "postgres")
    stopServer(server.process)
}

func rounded(_ value: Double, _ decimals: Int = 3) -> JSONValue {
    // Canonical JSON has integers only: figures are given in thousandths as strings.
    .string(String(format: "%.\(decimals)f", value))
}
let report: JSONValue = .object([
    "machine_cores": .integer(Int64(ProcessInfo.processInfo.activeProcessorCount)),
    "samples": .integer(Int64(samples)),
    "local_append_p50_ms": rounded(percentile(localTimes, 0.5)),
    "local_append_p99_ms": rounded(percentile(localTimes, 0.99)),
    "http_submit_p50_ms": rounded(percentile(httpTimes, 0.5)),
    "http_submit_p99_ms": rounded(percentile(httpTimes, 0.99)),
    "http_checkpoint_get_p50_ms": rounded(percentile(readTimes, 0.5)),
    "http_over_local_p50_ratio": rounded(percentile(httpTimes, 0.5) / percentile(localTimes, 0.5), 2),
    "throughput_ledgers": .integer(Int64(ledgerCount)),
    "throughput_entries_per_client_count": .integer(Int64(ledgerCount * perLedgerPerRound)),
    "throughput_entries_per_second": .object(throughput.mapValues { rounded($0, 0) }),
    "throughput_server_cpu_us_per_entry": .object(throughputCPU.mapValues { rounded($0, 0) }),
    "pull_new_entries": .integer(Int64(pullCount)),
    "pull_ms": rounded(pullMs, 1),
    "pull_entries_per_second": rounded(Double(pullCount) / (pullMs / 1000), 0),
    "verify_same_file_ms": rounded(verifyMs, 1),
    "pull_over_verify_ratio": rounded(pullMs / verifyMs, 2),
    "portfolio_ledgers": .integer(Int64(portfolioLedgers)),
    "portfolio_clients": .integer(Int64(portfolioClients)),
    "portfolio": .object(portfolioReport),
])
print(report.canonicalString)
