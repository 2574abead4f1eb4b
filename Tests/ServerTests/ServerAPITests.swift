import Foundation
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerStorage
import LedgerTransparency
import Testing

/// SPEC Part 5 against a real `emc-server` on 127.0.0.1, one server per test.
@Suite(.serialized, .timeLimit(.minutes(5)))
final class ServerAPITests {
    let folder: TemporaryFolder
    let server: RunningServer
    var data: URL { folder.url.appendingPathComponent("data") }

    init() throws {
        folder = try TemporaryFolder()
        server = try RunningServer(data: folder.url.appendingPathComponent("data"),
                                   serverKey: try PrivateKey(seed: Array(repeating: 42, count: 32)), folder: folder.url)
    }

    deinit { server.stop() }

    @Test func infoNeedsNoAuthentication() throws {
        let response = try server.client().send(HTTPRequestMessage(method: "GET", target: "/v1"))
        #expect(response.status == 200)
        #expect(response.text == #"{"api":"emc-ledger","checkpoint_key":""# + server.verifier.verifierKey
                + #"","origin_prefix":"emc.ledger/v1/","version":1}"# + "\n")
    }

    @Test func createAppendAndReadBackByteIdentical() throws {
        let yu = try createActiveLedger(server)
        var acknowledged = try yu.submit(yu.report(10))
        acknowledged += try yu.submit(yu.report(11))
        #expect(acknowledged.count == 2)
        let response = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/entries?from=0")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == APIBody.entriesType)
        #expect(response.header("EMC-Size") == "6")
        #expect(response.header("EMC-Head") == yu.state.headHash)
        #expect(response.body == EntryBatch.encode(yu.lines))
        let file = data.appendingPathComponent(yu.ledgerID).appendingPathComponent("ledger.jsonl")
        #expect([UInt8](try Data(contentsOf: file)) == response.body, "the server's file is what it serves")
        #expect(try Verifier.verify(path: file.path).entryCount == 6)
        let limited = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/entries?from=2&limit=2")
        #expect(limited.body == EntryBatch.encode(Array(yu.lines[2..<4])))
        let beyond = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/entries?from=99")
        #expect(beyond.status == 200 && beyond.body.isEmpty && beyond.header("EMC-Size") == "6")
    }

    @Test func retriesAreIdempotent() throws {
        let yu = try createActiveLedger(server)
        let before = yu.state
        let entry = try DecodedEntry(entry: yu.report(5)(before)[0])
        let target = APIRoute.appendEntries(ledger: yu.ledgerID).target
        let first = try yu.send("POST", target, body: EntryBatch.encode([entry.lineBytes]))
        let again = try yu.send("POST", target, body: EntryBatch.encode([entry.lineBytes]))
        #expect(first.status == 200 && again.status == 200)
        #expect(APIBody.parseHead(first.body) == APIBody.parseHead(again.body))
        try yu.pull()
        #expect(yu.state.headSeq == before.headSeq + 1, "the retry appended nothing")
        let genesis = try Members.genesis()
        let recreate = try yu.send("POST", "/v1/ledgers", body: EntryBatch.encode([genesis.lineBytes]))
        #expect(recreate.status == 200)
        #expect(APIBody.parseHead(recreate.body)?.size == yu.state.headSeq)
    }

    @Test func staleHeadGets409WithTheCurrentHead() throws {
        let yu = try createActiveLedger(server)
        let old = yu.state
        _ = try yu.submit(yu.report(1))
        let stale = try DecodedEntry(entry: yu.report(2)(old)[0])
        let response = try yu.send("POST", APIRoute.appendEntries(ledger: yu.ledgerID).target, body: EntryBatch.encode([stale.lineBytes]))
        #expect(response.status == 409)
        #expect(APIBody.errorMessage(response.body) == "stale head")
        #expect(APIBody.parseHead(response.body) == APIBody.Head(size: yu.state.headSeq, head: yu.state.headHash))
    }

    @Test func rejectedEntryGets422AndNothingOfTheBatchIsWritten() throws {
        let yu = try createActiveLedger(server)
        let good = try DecodedEntry(entry: yu.report(1)(yu.state)[0])
        let afterGood = try yu.state.applying(good)
        let chef = Members.key("chef")
        let bad = try DecodedEntry(entry: EntryBuilder.report(after: afterGood, period: Members.period, metric: "revenue", value: "1.00",
                                                              time: Members.time, key: chef))
        let response = try yu.send("POST", APIRoute.appendEntries(ledger: yu.ledgerID).target,
                                   body: EntryBatch.encode([good.lineBytes, bad.lineBytes]))
        #expect(response.status == 422)
        let body = try #require(APIBody.parseObject(response.body))
        #expect(body["error"] == .string("rejected"))
        #expect(body["entry"] == .integer(yu.state.headSeq + 2))
        guard case .string(let reason)? = body["reason"] else { Issue.record("no reason"); return }
        #expect(reason.contains("may not report revenue"))
        let garbage = try yu.send("POST", APIRoute.appendEntries(ledger: yu.ledgerID).target, body: Array("{\"v\":1}\n".utf8))
        #expect(garbage.status == 422)
        let size = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/entries?from=0").header("EMC-Size")
        #expect(size == String(yu.state.headSeq), "nothing was written")
    }

    @Test func unauthenticatedRequestsGet401() throws {
        let yu = try createActiveLedger(server)
        let client = server.client()
        let target = "/v1/ledgers/\(yu.ledgerID)/checkpoint"
        func status(_ request: HTTPRequestMessage) throws -> (Int, String?) {
            let response = try client.send(request)
            return (response.status, APIBody.errorMessage(response.body))
        }
        #expect(try status(HTTPRequestMessage(method: "GET", target: target)).0 == 401)
        // A signature by another key under yu's key id.
        var forged = try HTTPRequestMessage.signed(method: "GET", target: target, key: Members.key("mallory"))
        let honest = try HTTPRequestMessage.signed(method: "GET", target: target, key: yu.key)
        forged.headers[1] = honest.headers[1]
        #expect(try status(forged) == (401, "the signature does not verify"))
        let expired = try HTTPRequestMessage.signed(method: "GET", target: target, key: yu.key, now: HTTPClient.now() - 301)
        #expect(try status(expired) == (401, "signature expired or from the future"))
        let once = try HTTPRequestMessage.signed(method: "GET", target: target, key: yu.key)
        #expect(try status(once).0 == 200)
        #expect(try status(once) == (401, "replayed request"))
        var mismatched = try HTTPRequestMessage.signed(method: "POST", target: "/v1/ledgers/\(yu.ledgerID)/entries", body: [0x7b, 0x0a], key: yu.key)
        mismatched.body = [0x5b, 0x0a]
        #expect(try status(mismatched) == (401, "Content-Digest does not match the body"))
        var twice = try HTTPRequestMessage.signed(method: "GET", target: target, key: yu.key)
        twice.headers.append(twice.headers[2])
        #expect(try status(twice).0 == 401)
    }

    /// A single entry's request signature is checked on another core beside the entry's own
    /// checks (`LedgerService.appendOverlapped`); the answers stay authentication first, and a
    /// request that fails it writes nothing, whatever its entry.
    @Test func singleEntrySubmissionsAreAuthenticatedFirst() throws {
        let yu = try createActiveLedger(server)
        let client = server.client()
        let target = APIRoute.appendEntries(ledger: yu.ledgerID).target
        func answer(_ request: HTTPRequestMessage) throws -> (Int, String?) {
            let response = try client.send(request)
            return (response.status, APIBody.errorMessage(response.body))
        }
        func size() throws -> String? { try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/entries?from=0").header("EMC-Size") }
        let before = try size()
        let valid = EntryBatch.encode([try DecodedEntry(entry: yu.report(7)(yu.state)[0]).lineBytes])
        for body in [valid, Array("{\"v\":1}\n".utf8)] {
            var forged = try HTTPRequestMessage.signed(method: "POST", target: target, body: body, key: Members.key("mallory"))
            forged.headers[1] = try HTTPRequestMessage.signed(method: "POST", target: target, body: body, key: yu.key).headers[1]
            #expect(try answer(forged) == (401, "the signature does not verify"))
        }
        #expect(try size() == before, "nothing was written")
        let once = try HTTPRequestMessage.signed(method: "POST", target: target, body: valid, key: yu.key)
        #expect(try answer(once).0 == 200)
        #expect(try answer(once) == (401, "replayed request"), "not the idempotent 200 of a retry")
        #expect(try size() == before.map { String(Int($0)! + 1) })
    }

    @Test func nonMembersAndUnknownLedgersGetTheSame403() throws {
        let yu = try createActiveLedger(server, ledger: 0)
        let other = try createActiveLedger(server, ledger: 1)
        let target = "/v1/ledgers/\(yu.ledgerID)/entries?from=0"
        let outsider = try yu.send("GET", target, key: Members.key("mallory"))
        let foreignMember = try yu.send("GET", target, key: other.key)
        let unknown = try yu.send("GET", "/v1/ledgers/\(String(repeating: "ab", count: 32))/entries?from=0")
        for response in [outsider, foreignMember, unknown] {
            #expect(response.status == 403)
            #expect(response.body == Array("{\"error\":\"forbidden\"}\n".utf8))
        }
        // A former member's or a non-founder's create is refused too.
        let genesis = try Members.genesis(ledger: 2)
        let byChef = try yu.send("POST", "/v1/ledgers", body: EntryBatch.encode([genesis.lineBytes]), key: Members.key("chef", ledger: 2))
        #expect(byChef.status == 403)
    }

    @Test func malformedOversizedAndUnknownRequests() throws {
        let yu = try createActiveLedger(server)
        let base = "/v1/ledgers/\(yu.ledgerID)"
        #expect(try yu.send("GET", base + "/entries?from=abc").status == 400)
        #expect(try yu.send("GET", base + "/entries?from=1&limit=0").status == 400)
        #expect(try yu.send("GET", base + "/entries?from=1&from=2").status == 400)
        #expect(try yu.send("GET", base + "/entries").status == 400)
        #expect(try yu.send("POST", base + "/entries").status == 400)
        #expect(try yu.send("POST", base + "/entries", body: Array("{}".utf8)).status == 400)
        #expect(try yu.send("POST", base + "/entries", body: Array("{}\n\n".utf8)).status == 400)
        let tooMany = EntryBatch.encode(Array(repeating: Array("{}".utf8), count: APILimits.maximumBatchEntries + 1))
        #expect(try yu.send("POST", base + "/entries", body: tooMany).status == 413)
        let longLine = [UInt8](repeating: 0x61, count: Entry.maximumLineBytes + 1) + [0x0a]
        #expect(try yu.send("POST", base + "/entries", body: longLine).status == 413)
        let huge = [UInt8](repeating: 0x61, count: APILimits.maximumRequestBodyBytes + 1)
        let tooLarge = try server.client().send(.signed(method: "POST", target: base + "/entries", body: huge, key: yu.key))
        #expect(tooLarge.status == 413)
        #expect(APIBody.errorMessage(tooLarge.body) != nil)
        #expect(try yu.send("GET", "/v2").status == 404)
        #expect(try yu.send("GET", base + "/nothing").status == 404)
        #expect(try yu.send("GET", "/v1/ledgers/ABC/entries?from=0").status == 404)
        #expect(try yu.send("DELETE", base + "/entries").status == 405)
        #expect(try yu.send("GET", base + "/proof/inclusion?index=9&size=3").status == 400)
        #expect(try yu.send("GET", base + "/proof/consistency?old=1&size=99").status == 400)
        #expect(try yu.send("POST", base + "/cosignature", body: Array("old x\n".utf8)).status == 400)
        // The server is still serving, and nothing was written.
        try yu.pull()
        #expect(yu.state.headSeq == 4)
    }

    /// A body sent chunked (no Content-Length) is read as the same bytes: the server waits for a
    /// body when either header says there is one (bodiless requests skip the body's deadline).
    @Test func aChunkedBodyIsReadLikeAnyOther() throws {
        let yu = try createActiveLedger(server)
        let entry = try DecodedEntry(entry: try yu.report(7)(yu.state)[0])
        let body = EntryBatch.encode([entry.lineBytes])
        let target = APIRoute.appendEntries(ledger: yu.ledgerID).target
        let signed = try HTTPRequestMessage.signed(method: "POST", target: target, body: body, key: yu.key)
        var request = "POST \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
        for (name, value) in signed.headers { request += "\(name): \(value)\r\n" }
        let half = body.count / 2
        var bytes = Array((request + "\r\n").utf8)
        for chunk in [body[..<half], body[half...]] {
            bytes += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + Array("\r\n".utf8)
        }
        bytes += Array("0\r\n\r\n".utf8)
        let answer = try rawExchange(port: server.port, bytes)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(200))")
        try yu.pull()
        let stored = yu.lines.last == entry.lineBytes
        #expect(stored, "the entry is stored byte for byte")
    }

    /// SPEC §5.8: a request whose body has not arrived within the request timeout (here
    /// `--request-timeout 1`) gets 408 and its connection is closed; the cut request changed
    /// nothing (sent whole afterwards, the same signed request creates the ledger).
    @Test func aBodyThatDoesNotArriveInTimeGets408() throws {
        let slow = try RunningServer(data: folder.url.appendingPathComponent("slow"), serverKey: server.serverKey, folder: folder.url,
                                     extraArguments: ["--request-timeout", "1"])
        defer { slow.stop() }
        let genesis = try Members.genesis(ledger: 7)
        let body = EntryBatch.encode([genesis.lineBytes])
        let signed = try HTTPRequestMessage.signed(method: "POST", target: "/v1/ledgers", body: body, key: Members.key("yu", ledger: 7))
        var head = "POST /v1/ledgers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in signed.headers { head += "\(name): \(value)\r\n" }
        let started = Date()
        let answer = try rawExchange(port: slow.port, Array((head + "\r\n").utf8) + body.prefix(body.count / 2))
        let seconds = Date().timeIntervalSince(started)
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        #expect(answer.contains(#"{"error":"request timeout"}"#))
        #expect(seconds >= 0.9 && seconds < 4.5, "answered after \(seconds) s")
        #expect(try slow.client().send(signed).status == 201)
    }

    /// Writes `bytes` to a new loopback connection and reads until the server closes it (5 s at most).
    func rawExchange(port: Int, _ bytes: [UInt8]) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        try #require(bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) } == bytes.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func proofsVerifyAgainstTheCheckpoint() throws {
        let yu = try createActiveLedger(server)
        for value in 1...5 { _ = try yu.submit(yu.report(value)) }
        let note = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/checkpoint")
        #expect(note.status == 200)
        let checkpoint = try SignedCheckpoint(parsing: note.body)
        #expect(try checkpoint.note.verifiedSigners([server.verifier]) == [server.verifier])
        #expect(checkpoint.checkpoint.size == UInt64(yu.state.headSeq))
        #expect(checkpoint.checkpoint.origin == Checkpoint.origin(ledgerID: yu.ledgerID))
        let size = checkpoint.checkpoint.size
        for index in [0, 3, Int(size) - 1] {
            let response = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/proof/inclusion?index=\(index)&size=\(size)")
            #expect(response.status == 200)
            let proof = InclusionProof(index: UInt64(index), treeSize: size, hashes: try hashes(response.body))
            try proof.verify(leafHash: MerkleTree.leafHash(yu.lines[index]), root: checkpoint.checkpoint.root)
        }
        var frontier = MerkleFrontier()
        for line in yu.lines.prefix(4) { frontier.append(line: line) }
        let response = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/proof/consistency?old=4&size=\(size)")
        try ConsistencyProof(oldSize: 4, newSize: size, hashes: try hashes(response.body))
            .verify(oldRoot: frontier.root, newRoot: checkpoint.checkpoint.root)
    }

    @Test func membersCosignAsWitnesses() throws {
        let yu = try createActiveLedger(server)
        let target = "/v1/ledgers/\(yu.ledgerID)/cosignature"
        let cosigner = try NoteSigner(name: "yu", privateKey: yu.key, type: .cosignatureV1)
        func cosign(old: UInt64) throws -> (HTTPResponseMessage, UInt64) {
            var checkpoint = try SignedCheckpoint(parsing: try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/checkpoint").body)
            let size = checkpoint.checkpoint.size
            let proofBody = try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/proof/consistency?old=\(old)&size=\(size)").body
            try checkpoint.cosign(with: cosigner, timestamp: UInt64(HTTPClient.now()))
            let update = CheckpointUpdate(ConsistencyProof(oldSize: old, newSize: size, hashes: try hashes(proofBody)), checkpoint: checkpoint)
            return (try yu.send("POST", target, body: update.encoded), size)
        }
        let (first, size4) = try cosign(old: 0)
        #expect(first.status == 200)
        #expect(APIBody.parseObject(first.body)?["size"] == .integer(Int64(size4)))
        let held = try SignedCheckpoint(parsing: try yu.send("GET", "/v1/ledgers/\(yu.ledgerID)/checkpoint").body)
        #expect(held.note.signatures.count == 2, "the server's signature and yu's cosignature")
        let yuVerifier = try NoteVerifier(name: "yu", publicKey: yu.key.publicKey, type: .cosignatureV1)
        #expect(try held.note.verifiedSigners([yuVerifier, server.verifier]).count == 2)
        _ = try yu.submit(yu.report(3))
        let (stale, _) = try cosign(old: 0)
        #expect(stale.status == 409)
        #expect(stale.text == "\(size4)\n")
        #expect(stale.header("Content-Type") == APIBody.sizeType)
        let (next, size5) = try cosign(old: size4)
        #expect(next.status == 200 && size5 == size4 + 1)
        // A checkpoint the server never signed (another root) is refused; so is a cosignature by
        // a member for a name that is not hers.
        var foreign = try SignedCheckpoint(Checkpoint(origin: Checkpoint.origin(ledgerID: yu.ledgerID), size: size5,
                                                      root: MerkleTree.leafHash([1])), signer: try NoteSigner(name: "emc-server", privateKey: yu.key))
        try foreign.cosign(with: cosigner, timestamp: 1)
        let refused = try yu.send("POST", target, body: CheckpointUpdate(ConsistencyProof(oldSize: size5, newSize: size5, hashes: []), checkpoint: foreign).encoded)
        #expect(refused.status == 403)
        let chef = MemberSession(client: server.client(), key: Members.key("chef"), ledgerID: yu.ledgerID)
        var checkpoint = try SignedCheckpoint(parsing: try chef.send("GET", "/v1/ledgers/\(yu.ledgerID)/checkpoint").body)
        try checkpoint.cosign(with: cosigner, timestamp: 1)
        let notHers = try chef.send("POST", target, body: CheckpointUpdate(ConsistencyProof(oldSize: 0, newSize: size5, hashes: []), checkpoint: checkpoint).encoded)
        #expect(notHers.status == 403)
    }

    @Test func createIsTheOperatorsSetting() throws {
        let closed = try RunningServer(data: folder.url.appendingPathComponent("closed"), serverKey: server.serverKey, folder: folder.url,
                                       extraArguments: ["--allow-create", "none"])
        defer { closed.stop() }
        let genesis = try Members.genesis(ledger: 5)
        let request = try HTTPRequestMessage.signed(method: "POST", target: "/v1/ledgers", body: EntryBatch.encode([genesis.lineBytes]),
                                                    key: Members.key("yu", ledger: 5))
        #expect(try closed.client().send(request).status == 403)
        let allowFile = folder.url.appendingPathComponent("allowed.txt")
        try (Members.key("yu", ledger: 5).publicKey.keyID + "\n").write(to: allowFile, atomically: true, encoding: .utf8)
        let listed = try RunningServer(data: folder.url.appendingPathComponent("listed"), serverKey: server.serverKey, folder: folder.url,
                                       extraArguments: ["--allow-create", allowFile.path])
        defer { listed.stop() }
        #expect(try listed.client().send(request).status == 201)
        let other = try Members.genesis(ledger: 6)
        let refused = try HTTPRequestMessage.signed(method: "POST", target: "/v1/ledgers", body: EntryBatch.encode([other.lineBytes]),
                                                    key: Members.key("yu", ledger: 6))
        #expect(try listed.client().send(refused).status == 403)
    }
}

func hashes(_ body: [UInt8]) throws -> [MerkleHash] {
    try body.split(separator: 0x0a).map { try #require(MerkleHash(base64: String(decoding: $0, as: UTF8.self))) }
}
