import LedgerCrypto

/// One signature on an entry: the algorithm, the signer's key id and the signature bytes.
public struct EntrySignature: Hashable, Sendable {
    public static let ed25519 = "ed25519"
    public var algorithm: String
    public var keyID: String
    public var signature: [UInt8]
    /// Set only by `Entry.sign(with:)`, in memory, never encoded: SHA-256 of the public key, the
    /// signature and the message, as libcrypto produced them in this process. A writer checks its
    /// own fresh signatures against this instead of re-running Ed25519 (SPEC.md §1.9); any later
    /// change to the key, the signature or the signed fields breaks the match.
    package var receipt: [UInt8]? = nil

    public init(keyID: String, signature: [UInt8]) {
        self.algorithm = Self.ed25519
        self.keyID = keyID
        self.signature = signature
    }

    public static func == (lhs: EntrySignature, rhs: EntrySignature) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.keyID == rhs.keyID && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(keyID)
        hasher.combine(signature)
    }

    /// The receipt of `signature` by `key` over `message` (see `receipt`).
    package static func receipt(key: PublicKey, signature: [UInt8], message: [UInt8]) -> [UInt8] {
        SHA256.hash(key.rawRepresentation + signature + message)
    }

    package var json: JSONValue {
        .object(["alg": .string(algorithm), "key": .string(keyID), "sig": .string(Hex.encode(signature))])
    }
}

/// An entry body: a JSON object, held either as a value or as the canonical bytes it was read from.
/// Bytes are parsed again on each read of the value, so decoding a line builds no values that
/// nobody reads (a verifier checks a settlement by comparing bytes; SPEC.md §3.5).
package enum EntryBody: Sendable {
    case value(JSONValue)
    /// Canonical JSON of an object, already validated.
    case canonical([UInt8])

    package var value: JSONValue {
        switch self {
        case .value(let value): return value
        case .canonical(let bytes):
            guard let value = try? JSONValue.parse(bytes) else { preconditionFailure("validated canonical body does not parse") }
            return value
        }
    }

    package var canonicalBytes: [UInt8] {
        switch self {
        case .value(let value): return value.canonicalBytes
        case .canonical(let bytes): return bytes
        }
    }
}

/// A ledger entry: one line of the log (SPEC.md, part 1).
public struct Entry: Hashable, Sendable {
    public static let formatVersion: Int64 = 1
    public static let zeroHash = String(repeating: "0", count: 64)
    /// Limits (SPEC.md §1.5): large enough for the worst-case settlement and a 12-period
    /// adjustment the language limits allow; checked by `checkLimits` on both directions.
    public static let maximumLineBytes = 4 * 1024 * 1024
    public static let maximumBodyBytes = 4 * 1024 * 1024 - 16 * 1024
    public static let maximumSignatures = 4

    /// The one size check of an entry, run by the reader on every line and by the writer on the
    /// exact bytes it is about to write. `bodyByteCount` is nil before the line is parsed.
    package static func checkLimits(lineByteCount: Int, bodyByteCount: Int?) throws(LedgerError) {
        guard lineByteCount <= maximumLineBytes else {
            throw malformed("entry is \(lineByteCount) bytes, the limit is \(maximumLineBytes)")
        }
        if let bodyByteCount, bodyByteCount > maximumBodyBytes {
            throw malformed("entry body is \(bodyByteCount) bytes, the limit is \(maximumBodyBytes)")
        }
    }

    public var version: Int64
    public var ledgerID: String
    public var seq: Int64
    public var previousHash: String
    public var kind: String
    public var time: Timestamp
    public var body: JSONValue {
        get { storedBody.value }
        set { storedBody = .value(newValue) }
    }
    package var storedBody: EntryBody
    public var signatures: [EntrySignature]

    public init(ledgerID: String, seq: Int64, previousHash: String, kind: String, time: Timestamp,
                body: JSONValue, signatures: [EntrySignature] = []) {
        self.init(ledgerID: ledgerID, seq: seq, previousHash: previousHash, kind: kind, time: time,
                  storedBody: .value(body), signatures: signatures)
    }

    package init(ledgerID: String, seq: Int64, previousHash: String, kind: String, time: Timestamp,
         storedBody: EntryBody, signatures: [EntrySignature]) {
        self.version = Self.formatVersion
        self.ledgerID = ledgerID
        self.seq = seq
        self.previousHash = previousHash
        self.kind = kind
        self.time = time
        self.storedBody = storedBody
        self.signatures = signatures
    }

    /// Equal entries encode to the same line (bodies are compared as canonical bytes).
    public static func == (lhs: Entry, rhs: Entry) -> Bool {
        lhs.version == rhs.version && lhs.ledgerID == rhs.ledgerID && lhs.seq == rhs.seq
            && lhs.previousHash == rhs.previousHash && lhs.kind == rhs.kind && lhs.time == rhs.time
            && lhs.signatures == rhs.signatures && lhs.storedBody.canonicalBytes == rhs.storedBody.canonicalBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ledgerID)
        hasher.combine(seq)
        hasher.combine(previousHash)
        hasher.combine(kind)
        hasher.combine(signatures)
    }

    // MARK: Bytes that are signed and hashed

    package static let signDomain: [UInt8] = Array("emc-v1/sign".utf8) + [0]
    package static let entryDomain: [UInt8] = Array("emc-v1/entry".utf8) + [0]
    package static let ledgerIDDomain: [UInt8] = Array("emc-v1/ledger-id".utf8) + [0]
    package static let contractDomain: [UInt8] = Array("emc-v1/contract".utf8) + [0]
    package static let renderingDomain: [UInt8] = Array("emc-v1/rendering".utf8) + [0]

    /// The entry as a JSON value (with `sigs` when `signed`): the definition the direct encoding
    /// below must match, byte for byte (checked by tests).
    package func jsonValue(signed: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "v": .integer(version), "ledger": .string(ledgerID), "seq": .integer(seq), "prev": .string(previousHash),
            "kind": .string(kind), "time": .string(time.text), "body": body]
        if signed { fields["sigs"] = .array(signatures.map(\.json)) }
        return .object(fields)
    }

    /// Writes the canonical JSON of the entry (§1.3, §1.4) directly: its members in sorted order,
    /// `body`, `kind`, `ledger`, `prev`, `seq`, `sigs` (when `signed`), `time`, `v`.
    package func encode(into out: inout [UInt8], body: [UInt8], signed: Bool) {
        out.appendLiteral(#"{"body":"#)
        out.append(contentsOf: body)
        out.appendLiteral(#","kind":"#)
        JSONValue.encodeString(kind, into: &out)
        out.appendLiteral(#","ledger":"#)
        JSONValue.encodeString(ledgerID, into: &out)
        out.appendLiteral(#","prev":"#)
        JSONValue.encodeString(previousHash, into: &out)
        out.appendLiteral(#","seq":"#)
        out.append(contentsOf: String(seq).utf8)
        if signed {
            out.appendLiteral(#","sigs":["#)
            for (index, signature) in signatures.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.appendLiteral(#"{"alg":"#)
                JSONValue.encodeString(signature.algorithm, into: &out)
                out.appendLiteral(#","key":"#)
                JSONValue.encodeString(signature.keyID, into: &out)
                out.appendLiteral(#","sig":""#)
                Hex.encode(signature.signature, into: &out)
                out.appendLiteral(#""}"#)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.appendLiteral(#","time":"#)
        JSONValue.encodeString(time.text, into: &out)
        out.appendLiteral(#","v":"#)
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
    }

    /// The canonical JSON of the entry without its `sigs` member.
    public var unsignedBytes: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out, body: storedBody.canonicalBytes, signed: false)
        return out
    }

    /// What every signer signs: "emc-v1/sign" 0x00 ‖ unsigned canonical JSON.
    public var signingMessage: [UInt8] {
        var out = Self.signDomain
        encode(into: &out, body: storedBody.canonicalBytes, signed: false)
        return out
    }

    /// The line as stored, without its newline.
    public var lineBytes: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out, body: storedBody.canonicalBytes, signed: true)
        return out
    }

    /// Entry hash: SHA-256("emc-v1/entry" 0x00 ‖ line bytes), lowercase hex.
    public static func hash(lineBytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(prefix: entryDomain, lineBytes))
    }

    /// Ledger id: SHA-256("emc-v1/ledger-id" 0x00 ‖ canonical genesis body), lowercase hex.
    public static func ledgerID(genesisBody: JSONValue) -> String {
        Hex.encode(SHA256.hash(prefix: ledgerIDDomain, genesisBody.canonicalBytes))
    }

    /// Contract hash: SHA-256("emc-v1/contract" 0x00 ‖ UTF-8 contract text), lowercase hex.
    public static func contractHash(_ text: String) -> String {
        Hex.encode(SHA256.hash(prefix: contractDomain, Array(text.utf8)))
    }

    /// Rendering hash: SHA-256("emc-v1/rendering" 0x00 ‖ UTF-8 plain-language text, SPEC §2.14), lowercase hex.
    public static func renderingHash(_ text: String) -> String {
        Hex.encode(SHA256.hash(prefix: renderingDomain, Array(text.utf8)))
    }

    /// Adds a signature by `key` over the signing message.
    public mutating func sign(with key: any EntrySigner) throws(CryptoError) {
        let message = signingMessage
        var signature = EntrySignature(keyID: key.publicKey.keyID, signature: try key.signature(for: message))
        signature.receipt = EntrySignature.receipt(key: key.publicKey, signature: signature.signature, message: message)
        signatures.append(signature)
    }
}

/// An entry as read from a line: decoded, with the bytes it was read from and its hash.
public struct DecodedEntry: Sendable {
    public let entry: Entry
    public let lineBytes: [UInt8]
    public let hash: String
    /// What the signers signed (§1.6), computed once.
    public let signingMessage: [UInt8]
    /// The canonical bytes of the body.
    public let bodyBytes: [UInt8]

    package init(entry: Entry, lineBytes: [UInt8], hash: String, signingMessage: [UInt8], bodyBytes: [UInt8]) {
        self.entry = entry
        self.lineBytes = lineBytes
        self.hash = hash
        self.signingMessage = signingMessage
        self.bodyBytes = bodyBytes
    }

    /// Decodes one line (without its newline). Checks structure and canonical form only, not meaning.
    /// Canonical lines take the one-pass `EntryScanner`; anything it does not accept is parsed in
    /// full, which either accepts it the same way or says exactly what is wrong.
    public init(line: [UInt8]) throws(LedgerError) {
        if let scanned = EntryScanner.decode(line) {
            self = scanned
        } else {
            try self.init(parsing: line)
        }
    }

    /// The general path: parse the JSON, read the fields, and require that encoding them again
    /// gives back the line exactly.
    package init(parsing line: [UInt8]) throws(LedgerError) {
        try Entry.checkLimits(lineByteCount: line.count, bodyByteCount: nil)
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            throw malformed("not valid JSON: \(error)")
        }
        let entry = try Entry(json: value)
        let bodyBytes = entry.storedBody.canonicalBytes
        var lineBytes: [UInt8] = []
        entry.encode(into: &lineBytes, body: bodyBytes, signed: true)
        guard lineBytes == line else {
            throw malformed("entry is not in canonical form (SPEC.md, canonical JSON)")
        }
        try Entry.checkLimits(lineByteCount: line.count, bodyByteCount: bodyBytes.count)
        var message = Entry.signDomain
        entry.encode(into: &message, body: bodyBytes, signed: false)
        self.init(entry: entry, lineBytes: line, hash: Entry.hash(lineBytes: line), signingMessage: message, bodyBytes: bodyBytes)
    }

    /// An entry made by this program, encoded and then decoded from the exact bytes that will be
    /// written by the same code a verifier reads them with (`init(line:)`: canonical form and
    /// limits), so nothing a writer appends can fail that step of verification (SPEC.md §1.7).
    /// The entry keeps its in-memory signature receipts.
    public init(entry: Entry) throws(LedgerError) {
        var line: [UInt8] = []
        entry.encode(into: &line, body: entry.storedBody.canonicalBytes, signed: true)
        let read = try DecodedEntry(line: line)
        assert(read.entry == entry, "an entry reads back differently from what was written")
        self.init(entry: entry, lineBytes: line, hash: read.hash, signingMessage: read.signingMessage, bodyBytes: read.bodyBytes)
    }
}

extension Entry {
    package static let fieldNames: Set<String> = ["v", "ledger", "seq", "prev", "kind", "time", "body", "sigs"]

    /// The fields of an entry; sizes are checked by the caller, on the line (`checkLimits`).
    package init(json: JSONValue) throws(LedgerError) {
        guard case .object(let fields) = json else { throw malformed("an entry must be a JSON object") }
        if let key = JSONReader.firstUnknownKey(of: fields, allowed: Self.fieldNames.contains) {
            throw malformed("unknown entry field \"\(key)\"")
        }
        let fieldReader = JSONReader(fields, context: "entry")
        let version = try fieldReader.integer("v")
        guard version == Self.formatVersion else {
            throw malformed("unsupported format version \(version) (this program reads version \(Self.formatVersion))")
        }
        let ledgerID = try fieldReader.hash("ledger")
        let seq = try fieldReader.integer("seq")
        guard seq >= 1 else { throw malformed("sequence number \(seq) must be at least 1") }
        let previousHash = try fieldReader.hash("prev")
        let kind = try fieldReader.string("kind")
        let timeText = try fieldReader.string("time")
        guard let time = Timestamp(timeText) else {
            throw malformed("time \"\(timeText)\" is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)")
        }
        guard let body = fields["body"], case .object = body else { throw malformed("entry body must be an object") }
        let signatureValues = try fieldReader.array("sigs")
        guard (1...Self.maximumSignatures).contains(signatureValues.count) else {
            throw malformed("an entry carries 1 to \(Self.maximumSignatures) signatures, this one has \(signatureValues.count)")
        }
        var signatures: [EntrySignature] = []
        for value in signatureValues {
            guard case .object(let sigFields) = value, sigFields.count == 3 else {
                throw malformed("a signature is an object with alg, key and sig")
            }
            let sigReader = JSONReader(sigFields, context: "signature")
            let algorithm = try sigReader.string("alg")
            guard algorithm == EntrySignature.ed25519 else { throw malformed("unsupported signature algorithm \"\(algorithm)\"") }
            let keyID = try sigReader.string("key")
            guard keyID.utf8.count == 16, Hex.decode(keyID) != nil else { throw malformed("key id \"\(keyID)\" is not 16 lowercase hex digits") }
            guard let signature = Hex.decode(try sigReader.string("sig")), signature.count == 64 else {
                throw malformed("signature is not 128 lowercase hex digits")
            }
            signatures.append(EntrySignature(keyID: keyID, signature: signature))
        }
        self.init(ledgerID: ledgerID, seq: seq, previousHash: previousHash, kind: kind, time: time,
                  body: body, signatures: signatures)
    }
}
