import Dispatch
import Foundation
import ContractLanguage
import Ledger
import LedgerClient
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerStorage
import LedgerTransparency

// emc-server-bench: the server figures of issue 14, in one run (ratios on the same machine and
// load). Starts the `emc-server` beside this binary on 127.0.0.1:0 over a temporary folder,
// measures, prints JSON, stops it. Flags: --quick (fewer samples), --server PATH.

let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let serverPath = arguments.firstIndex(of: "--server").map { arguments[$0 + 1] }
    ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("emc-server").path

@Sendable func log(_ message: String) { FileHandle.standardError.write(Data("emc-server-bench: \(message)\n".utf8)) }
/// The server's process id once started, so that a failure stops it too.
nonisolated(unsafe) var serverProcessID: Int32 = 0
@Sendable func fail(_ message: String) -> Never {
    log(message)
    if serverProcessID > 0 { kill(serverProcessID, SIGTERM) }
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

@Sendable func key(_ name: String, _ ledger: Int) -> PrivateKey {
    try! PrivateKey(seed: SHA256.hash(Array("emc-server-bench/\(ledger)/\(name)".utf8)))
}

/// A ledger's genesis and accepts, and then `count` cost reports by yu, built and verified offline.
func chain(ledger: Int, reports count: Int) throws -> (setup: [[UInt8]], reports: [[UInt8]]) {
    let roster = ["yu", "farm"].map { EntryBuilder.RosterMember(name: $0, role: $0 == "yu" ? "micro-enterprise" : "external-partner", key: key($0, ledger).publicKey) }
    var nonce = [UInt8](repeating: 0, count: 16)
    nonce[0] = UInt8(ledger & 0xff); nonce[1] = UInt8(ledger >> 8)
    var state = LedgerState()
    var lines: [[UInt8]] = []
    func add(_ entry: Entry) throws {
        let decoded = try DecodedEntry(entry: entry)
        try state.apply(decoded)
        lines.append(decoded.lineBytes)
    }
    try add(EntryBuilder.genesis(contract: contract, members: roster, founder: key("yu", ledger), time: time, nonce: nonce))
    for name in ["yu", "farm"] { try add(EntryBuilder.accept(after: state, contractHash: Entry.contractHash(contract), time: time, key: key(name, ledger))) }
    for value in 0..<count {
        try add(EntryBuilder.report(after: state, period: period, metric: "cost", value: "\(value + 1).00", time: time, key: key("yu", ledger)))
    }
    return (Array(lines.prefix(3)), Array(lines.dropFirst(3)))
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
let samples = quick ? 100 : 400
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
let output = folder.appendingPathComponent("server.out")
_ = FileManager.default.createFile(atPath: output.path, contents: nil)
let process = Process()
process.executableURL = URL(fileURLWithPath: serverPath)
process.arguments = ["serve", "--data", folder.appendingPathComponent("data").path, "--key", folder.appendingPathComponent("server.key").path,
                     "--listen", "127.0.0.1:0"]
process.standardOutput = try! FileHandle(forWritingTo: output)
process.standardError = FileHandle.nullDevice
do { try process.run(); serverProcessID = process.processIdentifier } catch { fail("cannot start \(serverPath) (build it: swift build -c release --product emc-server): \(error)") }
defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
var port = 0
for _ in 0..<3000 where port == 0 {
    usleep(10_000)
    let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on 127.0.0.1:") }) {
        port = Int(line.dropFirst("listening on 127.0.0.1:".count)) ?? 0
    }
}
guard port > 0 else { fail("the server did not start") }

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

// 4. Throughput across 100 ledgers: client c submits to ledgers c, c + clients, …, one entry per
// request, each acknowledged only once durable.
var throughput: [String: Double] = [:]
let boundPort = port, ids = ledgerIDs, allChains = chains
for (round, clients) in clientCounts.enumerated() {
    log("throughput with \(clients) client(s)")
    let start = DispatchTime.now()
    DispatchQueue.concurrentPerform(iterations: clients) { client in
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
    "pull_new_entries": .integer(Int64(pullCount)),
    "pull_ms": rounded(pullMs, 1),
    "pull_entries_per_second": rounded(Double(pullCount) / (pullMs / 1000), 0),
    "verify_same_file_ms": rounded(verifyMs, 1),
    "pull_over_verify_ratio": rounded(pullMs / verifyMs, 2),
])
print(report.canonicalString)
