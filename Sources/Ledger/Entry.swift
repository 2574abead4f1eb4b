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
    var receipt: [UInt8]? = nil

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
    static func receipt(key: PublicKey, signature: [UInt8], message: [UInt8]) -> [UInt8] {
        SHA256.hash(key.rawRepresentation + signature + message)
    }

    var json: JSONValue {
        .object(["alg": .string(algorithm), "key": .string(keyID), "sig": .string(Hex.encode(signature))])
    }
}

/// A ledger entry: one line of the log (SPEC.md, part 1).
public struct Entry: Hashable, Sendable {
    public static let formatVersion: Int64 = 1
    public static let zeroHash = String(repeating: "0", count: 64)
    /// Limits (SPEC.md, "Limits").
    public static let maximumLineBytes = 256 * 1024
    public static let maximumBodyBytes = 240 * 1024
    public static let maximumSignatures = 4

    public var version: Int64
    public var ledgerID: String
    public var seq: Int64
    public var previousHash: String
    public var kind: String
    public var time: Timestamp
    public var body: JSONValue
    public var signatures: [EntrySignature]

    public init(ledgerID: String, seq: Int64, previousHash: String, kind: String, time: Timestamp,
                body: JSONValue, signatures: [EntrySignature] = []) {
        self.version = Self.formatVersion
        self.ledgerID = ledgerID
        self.seq = seq
        self.previousHash = previousHash
        self.kind = kind
        self.time = time
        self.body = body
        self.signatures = signatures
    }

    // MARK: Bytes that are signed and hashed

    static let signDomain: [UInt8] = Array("emc-v1/sign".utf8) + [0]
    static let entryDomain: [UInt8] = Array("emc-v1/entry".utf8) + [0]
    static let ledgerIDDomain: [UInt8] = Array("emc-v1/ledger-id".utf8) + [0]
    static let contractDomain: [UInt8] = Array("emc-v1/contract".utf8) + [0]

    var unsignedFields: [String: JSONValue] {
        ["v": .integer(version), "ledger": .string(ledgerID), "seq": .integer(seq), "prev": .string(previousHash),
         "kind": .string(kind), "time": .string(time.text), "body": body]
    }

    /// The canonical JSON of the entry without its `sigs` member.
    public var unsignedBytes: [UInt8] { JSONValue.object(unsignedFields).canonicalBytes }

    /// What every signer signs: "emc-v1/sign" 0x00 ‖ unsigned canonical JSON.
    public var signingMessage: [UInt8] { Self.signDomain + unsignedBytes }

    /// The line as stored, without its newline.
    public var lineBytes: [UInt8] {
        var fields = unsignedFields
        fields["sigs"] = .array(signatures.map(\.json))
        return JSONValue.object(fields).canonicalBytes
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

    /// Adds a signature by `key` over the signing message.
    public mutating func sign(with key: PrivateKey) throws(CryptoError) {
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

    /// Decodes one line (without its newline). Checks structure and canonical form only, not meaning.
    public init(line: [UInt8]) throws(LedgerError) {
        guard line.count <= Entry.maximumLineBytes else {
            throw malformed("entry is \(line.count) bytes, the limit is \(Entry.maximumLineBytes)")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            throw malformed("not valid JSON: \(error)")
        }
        let entry = try Entry(json: value, checkBodySize: false)
        guard entry.lineBytes == line else {
            throw malformed("entry is not in canonical form (SPEC.md, canonical JSON)")
        }
        // The line is canonical, so the body is the slice between `{"body":` and the last
        // `,"kind":"` (nothing after the body can contain that sequence outside a string).
        let bodyEnd = Self.lastIndex(of: Array(",\"kind\":\"".utf8), in: line)!
        let bodyBytes = Array(line[8..<bodyEnd])
        assert(bodyBytes == entry.body.canonicalBytes, "body sliced wrongly")
        guard bodyBytes.count <= Entry.maximumBodyBytes else {
            throw malformed("entry body is \(bodyBytes.count) bytes, the limit is \(Entry.maximumBodyBytes)")
        }
        self.entry = entry
        self.lineBytes = line
        self.bodyBytes = bodyBytes
        self.hash = Entry.hash(lineBytes: line)
        self.signingMessage = Entry.signDomain + Self.unsignedBytes(ofCanonicalLine: line)
        assert(signingMessage == entry.signingMessage, "unsigned form sliced wrongly")
    }

    /// The canonical line without its `"sigs"` member. Keys are sorted, so `sigs` is the last
    /// member before `time`, and its array holds only signature objects: removing
    /// `,"sigs":[` … `]` leaves exactly the canonical unsigned form.
    static func unsignedBytes(ofCanonicalLine line: [UInt8]) -> [UInt8] {
        let marker = Array(",\"sigs\":[".utf8), closing = Array("],\"time\":".utf8)
        guard let start = lastIndex(of: marker, in: line),
              let end = firstIndex(of: closing, in: line, from: start) else { preconditionFailure("canonical entry without sigs") }
        return Array(line[..<start]) + Array(line[(end + 1)...])
    }

    static func lastIndex(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        var index = bytes.count - needle.count
        while index >= 0 {
            if bytes[index] == needle[0] && Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index -= 1
        }
        return nil
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        var index = from
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0] && Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }

    /// An entry made by this program: encoded, and hashed.
    public init(entry: Entry) {
        self.entry = entry
        let line = entry.lineBytes
        self.lineBytes = line
        // One encode; the body and the signed form are slices of the canonical line.
        self.bodyBytes = Array(line[8..<Self.lastIndex(of: Array(",\"kind\":\"".utf8), in: line)!])
        self.hash = Entry.hash(lineBytes: line)
        self.signingMessage = Entry.signDomain + Self.unsignedBytes(ofCanonicalLine: line)
        assert(signingMessage == entry.signingMessage && bodyBytes == entry.body.canonicalBytes, "sliced wrongly")
    }
}

extension Entry {
    static let fieldNames: Set<String> = ["v", "ledger", "seq", "prev", "kind", "time", "body", "sigs"]

    /// `checkBodySize: false` when the caller measures the body itself (from the line).
    init(json: JSONValue, checkBodySize: Bool = true) throws(LedgerError) {
        guard case .object(let fields) = json else { throw malformed("an entry must be a JSON object") }
        for key in fields.keys where !Self.fieldNames.contains(key) {
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
        let bodySize = checkBodySize ? body.canonicalBytes.count : 0
        guard bodySize <= Self.maximumBodyBytes else {
            throw malformed("entry body is \(bodySize) bytes, the limit is \(Self.maximumBodyBytes)")
        }
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
