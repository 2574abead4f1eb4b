import LedgerCrypto

/// What an entry kind decides about one entry: which keys must have signed it, and its effect.
struct Authorization {
    /// Exactly these keys, in this order, must have produced the entry's signatures.
    var signers: [PublicKey]
    /// The change to the state, run only after every check (signatures included) has passed.
    var commit: (inout LedgerState) -> Void
}

/// An entry kind: parses its body and judges it against the state. Pure: no I/O, no clock.
protocol EntryKind: Sendable {
    static var name: String { get }
    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization
}

/// A signature check postponed so that a verifier can run many at once on every core.
public struct SignatureJob: Sendable {
    public let seq: Int64
    public let key: PublicKey
    public let message: [UInt8]
    public let signature: [UInt8]
    /// The receipt of a signature made in this process (`EntrySignature.receipt`); nil for every
    /// signature read from a file or received from elsewhere.
    let receipt: [UInt8]?

    /// Ed25519 verification; a signature this process made itself is checked by its receipt.
    public func isValid() -> Bool {
        if let receipt, receipt == EntrySignature.receipt(key: key, signature: signature, message: message) { return true }
        return key.isValidSignature(signature, for: message)
    }
}

extension LedgerState {
    /// Every entry kind this version understands, by its `kind` string.
    static let kinds: [String: any EntryKind.Type] = {
        let all: [any EntryKind.Type] = [GenesisKind.self, AcceptKind.self, RotateKeyKind.self, ReportKind.self,
                                         ProposeKind.self, VoteKind.self, WithdrawKind.self, SettleKind.self,
                                         DisputeKind.self, AdjustKind.self]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
    }()

    /// The state machine (SPEC.md, "Applying an entry"): the next state, or why `entry` is rejected.
    /// Writers and verifiers both call this.
    public func applying(_ entry: DecodedEntry) throws(LedgerError) -> LedgerState {
        var next = self
        try next.apply(entry)
        return next
    }

    /// Applies `entry` in place, checking its signatures now. On error `self` must be discarded.
    public mutating func apply(_ entry: DecodedEntry) throws(LedgerError) {
        var jobs: [SignatureJob] = []
        try apply(entry, deferringSignaturesInto: &jobs)
        try Replay.checkSignatures(jobs)
    }

    /// Applies `entry` in place, appending its signature checks to `jobs` instead of running them.
    /// The caller must run every job before trusting the state; see `Verifier`.
    public mutating func apply(_ decoded: DecodedEntry, deferringSignaturesInto jobs: inout [SignatureJob]) throws(LedgerError) {
        let entry = decoded.entry
        // Errors name the entry by its position (expected sequence number), which is also its line.
        let position = headSeq + 1
        do throws(LedgerError) {
            try checkChain(decoded)
            guard let kind = Self.kinds[entry.kind] else { throw rejected("unknown entry kind \"\(entry.kind)\"") }
            let authorization = try kind.authorize(decoded, in: self)
            try checkSignatureShape(entry, signers: authorization.signers)
            let message = decoded.signingMessage
            for (signature, key) in zip(entry.signatures, authorization.signers) {
                jobs.append(SignatureJob(seq: entry.seq, key: key, message: message, signature: signature.signature,
                                         receipt: signature.receipt))
            }
            authorization.commit(&self)
        } catch {
            throw error.at(seq: position, line: nil)
        }
        headSeq = entry.seq
        headHash = decoded.hash
        lastTime = entry.time
        _checkInvariants()
    }

    private func checkChain(_ decoded: DecodedEntry) throws(LedgerError) {
        let entry = decoded.entry
        guard entry.seq == headSeq + 1 else {
            throw rejected("sequence number \(entry.seq), expected \(headSeq + 1) (entry out of order, duplicated or missing)")
        }
        if isEmpty {
            guard entry.kind == GenesisKind.name else { throw rejected("the first entry must be a genesis entry") }
        } else {
            guard entry.ledgerID == ledgerID else {
                throw rejected("entry belongs to ledger \(entry.ledgerID.prefix(16))…, not this ledger \(ledgerID.prefix(16))… (copied from another ledger)")
            }
            guard entry.kind != GenesisKind.name else { throw rejected("a genesis entry may only be the first entry") }
        }
        guard entry.previousHash == headHash else {
            throw rejected("previous-entry hash does not match entry \(headSeq) (an earlier entry was altered, or this one is out of place)")
        }
        if let lastTime, entry.time < lastTime {
            throw rejected("time \(entry.time) is before the previous entry's time \(lastTime)")
        }
    }

    private func checkSignatureShape(_ entry: Entry, signers: [PublicKey]) throws(LedgerError) {
        guard entry.signatures.count == signers.count else {
            throw rejected("\(entry.kind) needs \(signers.count) signature(s), the entry has \(entry.signatures.count)")
        }
        for (signature, key) in zip(entry.signatures, signers) where signature.keyID != key.keyID {
            throw rejected("signed by key \(signature.keyID), but \(entry.kind) must be signed by key \(key.keyID)")
        }
    }

    /// The member whose current key made the entry's only signature.
    func soleSigner(of entry: Entry) throws(LedgerError) -> MemberRecord {
        guard entry.signatures.count == 1 else {
            throw rejected("\(entry.kind) carries exactly one signature, found \(entry.signatures.count)")
        }
        let keyID = entry.signatures[0].keyID
        guard let name = memberName(forKeyID: keyID), let member = member(named: name) else {
            throw rejected("signed by key \(keyID), which is not the current key of any member")
        }
        return member
    }
}
