import Dispatch
import Synchronization
import Ledger
import LedgerCrypto
import LedgerFormat
import LedgerHTTP
import LedgerTransparency

/// A request as the service sees it: no HTTP library types.
public struct APIRequest: Sendable {
    public var method: String
    /// Path and query, exactly as on the request line.
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The values of the field `name` (`sameFieldName`: no lowercased copy of every name per lookup).
    func values(_ name: String) -> [String] {
        headers.filter { sameFieldName($0.name, name) }.map(\.value)
    }
}

public struct APIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, contentType: String = APIBody.jsonType, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A 503 carries `Retry-After: 1` (SPEC §5.9): busy, or the store unreachable for a moment.
    init(_ error: APIError) {
        self.init(status: error.status, headers: error.status == 503 ? [(name: "Retry-After", value: "1")] : [], body: error.body)
    }
}

/// The HTTP API of SPEC Part 5 as a function from requests to responses: authentication, the
/// route table and the ledger operations, with no HTTP library underneath (the Hummingbird
/// adapter is `LedgerHTTPServer`). Holds the open ledgers, the replay cache and the limits.
public final class LedgerService: Sendable {
    let host: any LedgerHost
    let signer: NoteSigner
    let createPolicy: CreatePolicy
    let clock: @Sendable () -> Int64
    let replayCache: ReplayCache
    private let registry = LedgerRegistry()
    private let inFlight = Mutex(0)

    public init(host: any LedgerHost, serverKey: PrivateKey, name: String = "emc-server", createPolicy: CreatePolicy = .anyKey,
                replayCapacity: Int = APILimits.replayCacheCapacity,
                clock: @escaping @Sendable () -> Int64 = { HTTPClient.now() }) throws(LedgerError) {
        do {
            self.signer = try NoteSigner(name: name, privateKey: serverKey)
        } catch {
            throw LedgerError(.usage, "server name \"\(name)\" cannot name a note key: \(error)")
        }
        self.host = host
        self.createPolicy = createPolicy
        self.clock = clock
        self.replayCache = ReplayCache(capacity: replayCapacity)
    }

    /// The verifier key of the server's checkpoints (`name+id+key`), for members to trust.
    public var verifierKey: String { signer.verifier.verifierKey }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let admitted = inFlight.withLock { count -> Bool in
            guard count < APILimits.maximumConcurrentRequests else { return false }
            count += 1
            return true
        }
        guard admitted else { return APIResponse(APIError(503, "busy")) }
        defer { inFlight.withLock { $0 -= 1 } }
        do {
            return try await route(request)
        } catch {
            return APIResponse(error)
        }
    }

    private func route(_ request: APIRequest) async throws(APIError) -> APIResponse {
        let route = try APIRoute(method: request.method, target: request.target)
        guard request.body.count <= APILimits.maximumRequestBodyBytes else { throw .tooLarge("request body too large") }
        if route == .info { return APIResponse(status: 200, body: APIBody.info(checkpointKey: verifierKey)) }
        let signed = try SignedRequest(method: request.method, target: request.target, body: request.body, now: clock(),
                                       fields: request.values)
        if route == .createLedger { return try await create(request, signed) }
        guard let ledgerID = route.ledger, let ledger = await registry.ledger(ledgerID, host: host, signer: signer) else {
            throw .forbidden
        }
        let service = self
        let body = request.body
        let idle = hasIdleCore
        return try await ledger.run(catchingUp: false, inline: idle) { ledger throws(APIError) -> APIResponse in
            let caughtUp = try ledger.catchUpIfNeeded(before: route)
            var found = ledger.member(keyID: signed.keyID)
            if found == nil && !caughtUp {
                try ledger.catchUp()  // a key rotated or a member added through another server
                found = ledger.member(keyID: signed.keyID)
            }
            guard let member = found else { throw .forbidden }
            if case .appendEntries = route, idle, let lines = try? EntryBatch.parse(body), lines.count == 1 {
                return try service.appendOverlapped(lines, on: ledger, signed: signed, member: member)
            }
            guard signed.isSigned(by: member.key) else { throw .unauthorized("the signature does not verify") }
            try service.admitNonce(signed)
            return try service.perform(route, on: ledger, member: member, body: body)
        }
    }

    /// Whether a core is idle: fewer requests in flight (this one included) than cores.
    var hasIdleCore: Bool { inFlight.withLock { $0 } < max(1, Replay.activeProcessorCount) }

    /// A single entry's submission while a core is idle: the request's signature is checked on
    /// that core while the entry is decoded, applied and its own signature checked here; nothing
    /// is written before both verified. The answers are those of checking one after the other:
    /// a request that does not verify gets its 401 whatever its entry (SPEC §5.3), a replayed one
    /// its 401 before the entry's answer (an idempotent retry included). One entry only, so a
    /// request that turns out unauthenticated has cost at most one more verification.
    func appendOverlapped(_ lines: [[UInt8]], on ledger: HostedLedger, signed: SignedRequest, member: MemberRecord) throws(APIError) -> APIResponse {
        let authentic = Overlapped { signed.isSigned(by: member.key) }
        let prepared = Result { () throws(APIError) in try ledger.prepareAppend(lines: lines) }
        guard authentic.wait() else { throw .unauthorized("the signature does not verify") }
        try admitNonce(signed)
        return APIResponse(status: 200, body: try ledger.commit(try prepared.get(), signingWhileSyncing: true))
    }

    func admitNonce(_ signed: SignedRequest) throws(APIError) {
        switch replayCache.admit(keyID: signed.keyID, nonce: signed.parameters.nonce, created: signed.parameters.created, now: clock()) {
        case .fresh: return
        case .replayed: throw .unauthorized("replayed request")
        case .full: throw APIError(503, "busy: too many recent requests")
        }
    }

    /// A ledger route's own work, on the ledger's queue, after authentication.
    private func perform(_ route: APIRoute, on ledger: HostedLedger, member: MemberRecord, body: [UInt8]) throws(APIError) -> APIResponse {
        let headHeaders = [(name: "EMC-Size", value: String(ledger.size)), (name: "EMC-Head", value: ledger.head)]
        switch route {
        case .readEntries(_, let from, let limit):
            return APIResponse(status: 200, contentType: APIBody.entriesType, headers: headHeaders,
                               body: try ledger.entries(from: from, limit: limit))
        case .appendEntries:
            let lines = try EntryBatch.parse(body)
            return APIResponse(status: 200, body: try ledger.append(lines: lines))
        case .checkpoint:
            return APIResponse(status: 200, contentType: APIBody.textType, headers: headHeaders, body: ledger.checkpointNote)
        case .cosign:
            return try ledger.cosign(body: body, member: member, serverVerifier: signer.verifier)
        case .inclusionProof(_, let index, let size):
            return APIResponse(status: 200, contentType: APIBody.textType, body: try ledger.inclusionProof(index: index, size: size))
        case .consistencyProof(_, let old, let size):
            return APIResponse(status: 200, contentType: APIBody.textType, body: try ledger.consistencyProof(old: old, size: size))
        case .info, .createLedger:
            preconditionFailure("handled before")
        }
    }

    /// SPEC §5.4.
    private func create(_ request: APIRequest, _ signed: SignedRequest) async throws(APIError) -> APIResponse {
        let lines = try EntryBatch.parse(request.body)
        guard lines.count == 1 else { throw .badRequest("send exactly the genesis line") }
        var state = LedgerState()
        do throws(LedgerError) {
            try state.apply(try DecodedEntry(line: lines[0]))
        } catch {
            throw APIBody.rejected(entry: 1, reason: error.reason)
        }
        guard let founder = state.member(named: state.founder), founder.key.keyID == signed.keyID else { throw .forbidden }
        guard createPolicy.allows(keyID: signed.keyID) else { throw APIError(403, "creating ledgers is not allowed for this key") }
        guard signed.isSigned(by: founder.key) else { throw .unauthorized("the signature does not verify") }
        try admitNonce(signed)
        let ledgerID = state.ledgerID
        let created = try await registry.create(ledgerID, genesisLine: lines[0], host: host, signer: signer)
        guard let ledger = await registry.ledger(ledgerID, host: host, signer: signer) else {
            throw APIError(500, "the ledger could not be opened after creating it")
        }
        let genesis = lines[0]
        return try await ledger.run { ledger throws(APIError) -> APIResponse in
            let body = APIBody.created(ledger: ledgerID, size: ledger.size, head: ledger.head)
            if created { return APIResponse(status: 201, body: body) }
            guard try ledger.firstLine() == genesis else { throw APIError(409, "ledger exists") }
            return APIResponse(status: 200, body: body)
        }
    }

    /// Saves every open ledger's caches and closes the stores (at a clean stop).
    public func shutdown() async {
        await registry.closeAll()
        host.shutdown()
    }
}

/// The open ledgers, each opened (verified) once, on first use.
actor LedgerRegistry {
    private var ledgers: [String: Task<HostedLedger?, Never>] = [:]

    func ledger(_ id: String, host: any LedgerHost, signer: NoteSigner) async -> HostedLedger? {
        if let task = ledgers[id] {
            if let ledger = await task.value { return ledger }
        }
        let task = Task<HostedLedger?, Never> {
            await Self.blocking { () -> HostedLedger? in
                do throws(LedgerError) {
                    guard let store = try host.open(ledgerID: id) else { return nil }
                    return try HostedLedger(store: store, signer: signer)
                } catch {
                    FileHandleOutput.standardError("emc-server: ledger \(id) cannot be served: \(error)")
                    return nil
                }
            }
        }
        ledgers[id] = task
        let ledger = await task.value
        // Not found or broken: forget it, so a later create or repair is seen.
        if ledger == nil, ledgers[id] == task { ledgers[id] = nil }
        return ledger
    }

    /// True when this call created the ledger; false when it existed.
    func create(_ id: String, genesisLine: [UInt8], host: any LedgerHost, signer: NoteSigner) async throws(APIError) -> Bool {
        let result: Result<Bool, LedgerError> = await Self.blocking {
            Result { () throws(LedgerError) -> Bool in
                guard let store = try host.create(ledgerID: id, genesisLine: genesisLine) else { return false }
                store.close()
                return true
            }
        }
        do { return try result.get() } catch { throw APIError(500, "the ledger could not be created: \(error.reason)") }
    }

    func closeAll() async {
        for task in ledgers.values {
            if let ledger = await task.value { await ledger.close() }
        }
        ledgers = [:]
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await StoreThread.run(body)
    }
}
