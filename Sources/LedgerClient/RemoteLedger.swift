import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency
#if canImport(Glibc)
import Glibc
#endif

/// One ledger on a sequencing server, seen by one member: the routes of SPEC Part 5 as typed
/// calls over the blocking `HTTPClient`, every request signed with her ledger key. Answers are
/// read as if a stranger wrote them; every call is bounded (timeouts, at most `attempts` tries).
public final class RemoteLedger {
    public let config: RemoteConfig
    let key: PrivateKey
    let client: HTTPClient
    /// The file errors are about (the member's copy).
    let file: String
    /// Tries of one request when the answer is 503 or never arrived (POSTs are idempotent, §5.8).
    static let attempts = 5
    static let firstRetryDelayMs = 100

    public init(config: RemoteConfig, key: PrivateKey, file: String) throws(ClientError) {
        self.config = config
        self.key = key
        self.file = file
        do { client = try HTTPClient(url: config.url) } catch { throw ClientError(.usage, error.message, file: file) }
    }

    /// The server's checkpoint key as `GET /v1` announces it (trusted on first use, §5.12.2).
    public static func announcedServerKey(url: String) throws(ClientError) -> NoteVerifier {
        let response: HTTPResponseMessage
        do { response = try HTTPClient(url: url).send(HTTPRequestMessage(method: "GET", target: APIRoute.info.target)) } catch {
            throw ClientError(.io, "\(url): \(error.message)")
        }
        guard response.status == 200, let text = APIBody.parseCheckpointKey(info: response.body),
              let key = try? NoteVerifier(verifierKey: text), key.type == .ed25519 else {
            throw ClientError(.io, "\(url): not an EMC Ledger server of API v1 announcing its checkpoint key (GET /v1 answered \(response.status)); pass --server-key")
        }
        return key
    }

    /// Sends `route` signed, trying again after a short, doubling delay when the server is busy
    /// (503) or the answer was lost.
    func send(_ route: APIRoute, body: [UInt8] = []) throws(ClientError) -> HTTPResponseMessage {
        var delayMs = Self.firstRetryDelayMs
        var last = "no answer"
        for attempt in 1...Self.attempts {
            if attempt > 1 {
                usleep(useconds_t(delayMs * 1000))
                delayMs *= 2
            }
            let request: HTTPRequestMessage
            do { request = try .signed(method: route.method, target: route.target, body: body, key: key) } catch {
                throw ClientError(.usage, "cannot sign the request: \(error.message)", file: file)
            }
            do {
                let response = try client.send(request)
                guard response.status == 503 else { return response }
                last = "503 \(APIBody.errorMessage(response.body) ?? "busy")"
            } catch {
                last = error.message
            }
        }
        throw ClientError(.io, "\(config.url): \(last) (after \(Self.attempts) tries)", file: file)
    }

    /// A failure answer as one line: the status, the server's reason and what it means here.
    func unexpected(_ response: HTTPResponseMessage, _ what: String) -> ClientError {
        let reason = APIBody.errorMessage(response.body) ?? String(response.text.prefix(200))
        var hint = ""
        switch response.status {
        case 401: hint = " (is this machine's clock right?)"
        case 403: hint = " (this key is not a member's current key on this ledger there, or the server does not hold it)"
        default: break
        }
        return ClientError(.io, "\(config.url): \(what): the server answered \(response.status) \(reason)\(hint)", file: file)
    }

    /// The server's current checkpoint, which must be of this ledger and signed by its pinned key.
    public func checkpoint() throws(ClientError) -> (bytes: [UInt8], checkpoint: SignedCheckpoint) {
        let response = try send(.checkpoint(ledger: config.ledgerID))
        guard response.status == 200 else { throw unexpected(response, "reading the checkpoint") }
        let checkpoint: SignedCheckpoint
        do { checkpoint = try SignedCheckpoint(parsing: response.body) } catch {
            throw ClientError(.invalid, "the server's checkpoint does not parse: \(error.reason)", file: file)
        }
        guard checkpoint.checkpoint.origin == config.origin else {
            throw ClientError(.invalid, "the server's checkpoint is for \(checkpoint.checkpoint.origin), not this ledger", file: file)
        }
        guard checkpoint.checkpoint.size > 0 else { throw ClientError(.invalid, "the server's checkpoint is of the empty tree", file: file) }
        let signers = (try? checkpoint.note.verifiedSigners([config.serverKey])) ?? []
        guard !signers.isEmpty else {
            throw ClientError(.invalid, "the server's checkpoint carries no valid signature by the pinned server key \(config.serverKey)", file: file)
        }
        return (response.body, checkpoint)
    }

    /// One page of entry lines after `from` (at most 10,000), and the server's size and head.
    public func entries(from: Int64, limit: Int = APILimits.maximumReadEntries) throws(ClientError) -> (lines: [[UInt8]], size: Int64, head: String) {
        let response = try send(.readEntries(ledger: config.ledgerID, from: from, limit: limit))
        guard response.status == 200 else { throw unexpected(response, "reading entries") }
        guard let size = Int64(response.header("EMC-Size") ?? ""), size >= 0, let head = response.header("EMC-Head") else {
            throw ClientError(.io, "\(config.url): the entries answer has no EMC-Size and EMC-Head", file: file)
        }
        guard !response.body.isEmpty else { return ([], size, head) }
        do { return (try EntryBatch.parse(response.body, maximumLines: limit), size, head) } catch {
            throw ClientError(.invalid, "the server's entries answer is malformed: \(error.message)", file: file)
        }
    }

    /// `PROOF(old, size)` as the server serves it (hashes only: the caller verifies it).
    public func consistencyProof(old: UInt64, size: UInt64) throws(ClientError) -> ConsistencyProof {
        guard old > 0 && old < size else { return ConsistencyProof(oldSize: old, newSize: size, hashes: []) }
        let response = try send(.consistencyProof(ledger: config.ledgerID, old: Int64(old), size: Int64(size)))
        guard response.status == 200 else { throw unexpected(response, "reading a consistency proof") }
        var hashes: [MerkleHash] = []
        for line in response.body.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast() {
            guard hashes.count < ConsistencyProof.maximumHashes, let hash = MerkleHash(base64: String(decoding: line, as: UTF8.self)) else {
                throw ClientError(.invalid, "the server's consistency proof from \(old) to \(size) is malformed", file: file)
            }
            hashes.append(hash)
        }
        return ConsistencyProof(oldSize: old, newSize: size, hashes: hashes)
    }

    /// The server's tree of size `size`, from its entry lines (for a fork proof; the lines are
    /// only hashed). Its root must be `root`.
    func tree(size: UInt64, root: MerkleHash) throws(ClientError) -> TreeHashStore? {
        let tree = TreeHashStore(origin: config.origin)
        while tree.size < size {
            let page = try entries(from: Int64(tree.size), limit: Int(min(UInt64(APILimits.maximumReadEntries), size - tree.size)))
            guard !page.lines.isEmpty else { return nil }
            for line in page.lines { tree.append(line: line) }
        }
        return (try? tree.root(size: size)) == root ? tree : nil
    }

    public enum Submitted {
        case accepted(size: Int64, head: String)
        case stale(size: Int64, head: String)
    }

    /// `POST …/entries`: 200 accepted, 409 stale (nothing written); a rejected entry is an error.
    public func submit(_ lines: [[UInt8]]) throws(ClientError) -> Submitted {
        let response = try send(.appendEntries(ledger: config.ledgerID), body: EntryBatch.encode(lines))
        switch response.status {
        case 200, 409:
            guard let head = APIBody.parseHead(response.body) else { throw unexpected(response, "submitting entries") }
            return response.status == 200 ? .accepted(size: head.size, head: head.head) : .stale(size: head.size, head: head.head)
        case 422:
            let members = APIBody.parseObject(response.body) ?? [:]
            let reason: String = if case .string(let text)? = members["reason"] { text } else { "rejected" }
            let entry: String = if case .integer(let seq)? = members["entry"] { "entry \(seq)" } else { "an entry" }
            throw ClientError(.invalid, "the server rejected \(entry): \(reason); nothing was appended", file: file)
        default:
            throw unexpected(response, "submitting entries")
        }
    }

    /// `POST /v1/ledgers` with the genesis line; true when created (201), false on a retry (200).
    public func create(genesisLine: [UInt8]) throws(ClientError) -> Bool {
        let response = try send(.createLedger, body: EntryBatch.encode([genesisLine]))
        switch response.status {
        case 200, 201: return response.status == 201
        case 409: throw ClientError(.invalid, "\(config.url): the server holds another ledger with this id", file: file)
        case 422: throw ClientError(.invalid, "the server rejected the genesis: \(response.text.prefix(300))", file: file)
        default: throw unexpected(response, "creating the ledger")
        }
    }

    /// `POST …/cosignature` of `cosigned` (size n) from `old`, the size the server holds as this
    /// member's last cosigned one; when it holds another (409), once more from that one.
    public func postCosignature(_ cosigned: SignedCheckpoint, old: UInt64) throws(ClientError) {
        let size = cosigned.checkpoint.size
        var from = min(old, size)
        for attempt in 1...2 {
            let update = CheckpointUpdate(try consistencyProof(old: from, size: size), checkpoint: cosigned)
            let response = try send(.cosign(ledger: config.ledgerID), body: update.encoded)
            if response.status == 200 { return }
            guard response.status == 409, let held = UInt64(response.text.trimmingSuffix("\n")) else {
                throw unexpected(response, "posting the cosignature")
            }
            if held == size { return }  // a retry of a cosignature already stored
            guard held < size, attempt == 1 else {
                throw ClientError(.invalid, "the server holds a cosignature of size \(held) by you, larger than \(size): it lost entries (rollback)", file: file)
            }
            from = held
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> Substring { hasSuffix(suffix) ? dropLast(suffix.count) : self[...] }
}
