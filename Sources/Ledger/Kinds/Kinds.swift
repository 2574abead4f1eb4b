import ContractLanguage
import LedgerCrypto

/// Member roles on the roster (the same words as the contract language).
public let memberRoles: Set<String> = ["micro-enterprise", "external-partner", "platform"]

/// `genesis`: the first entry. Carries the contract text and the roster; signed by the founder.
package enum GenesisKind: EntryKind {
    package static let name = "genesis"
    static let maximumContractBytes = 64 * 1024
    static let maximumMembers = 200

    package struct Body {
        package var contract: String
        var contractHash: String
        package var members: [MemberRecord]
        var nonce: String
    }

    /// Checks a contract text with the language checker; the first diagnostic explains a failure.
    static func checkedContract(_ text: String, context: String) throws(LedgerError) -> Contract {
        let result = checkContract(source: text)
        guard let contract = result.contract else {
            let first = result.diagnostics.first.map { "\($0.line):\($0.column): \($0.message)" } ?? "invalid"
            let more = result.diagnostics.count > 1 ? " (and \(result.diagnostics.count - 1) more; run `emc check`)" : ""
            throw rejected("\(context) does not pass the contract checker: \(first)\(more)")
        }
        return contract
    }

    /// The roster must list exactly the contract's members, with the same roles.
    static func checkRoster(_ roster: [MemberRecord], matches contract: Contract) throws(LedgerError) {
        let contractRoles = Dictionary(uniqueKeysWithValues: contract.members.map { ($0.name, $0.role.rawValue) })
        for member in roster {
            guard let role = contractRoles[member.name] else {
                throw rejected("roster member \"\(member.name)\" is not a member of the contract")
            }
            guard role == member.role else {
                throw rejected("roster gives \"\(member.name)\" the role \(member.role), the contract says \(role)")
            }
        }
        let rosterNames = Set(roster.map(\.name))
        for member in contract.members where !rosterNames.contains(member.name) {
            throw rejected("contract member \"\(member.name)\" is missing from the roster (every member needs a key)")
        }
    }

    package static func parse(_ value: JSONValue) throws(LedgerError) -> Body {
        let reader = try JSONReader(value, context: "genesis body", allowed: ["contract", "contract_hash", "members", "nonce"])
        let contract = try reader.string("contract")
        guard contract.utf8.count <= maximumContractBytes else {
            throw rejected("contract text is \(contract.utf8.count) bytes, the limit is \(maximumContractBytes)")
        }
        let contractHash = try reader.hash("contract_hash")
        guard contractHash == Entry.contractHash(contract) else {
            throw rejected("contract_hash does not match the contract text")
        }
        let nonce = try reader.string("nonce")
        guard nonce.utf8.count == 32, Hex.decode(nonce) != nil else { throw malformed("genesis nonce must be 32 lowercase hex digits") }
        let members = try parseRoster(reader.array("members"))
        return Body(contract: contract, contractHash: contractHash, members: members, nonce: nonce)
    }

    static func parseRoster(_ values: [JSONValue]) throws(LedgerError) -> [MemberRecord] {
        guard (1...maximumMembers).contains(values.count) else {
            throw rejected("a roster has 1 to \(maximumMembers) members, this one has \(values.count)")
        }
        var members: [MemberRecord] = []
        var names: Set<String> = [], keys: Set<String> = []
        for value in values {
            let member = try parseMember(value)
            guard names.insert(member.name).inserted else { throw rejected("member \"\(member.name)\" is listed twice") }
            guard keys.insert(member.key.keyID).inserted else { throw rejected("two members share key \(member.key.keyID)") }
            members.append(member)
        }
        return members
    }

    static func parseMember(_ value: JSONValue) throws(LedgerError) -> MemberRecord {
        let reader = try JSONReader(value, context: "member", allowed: ["name", "role", "key"])
        let name = try reader.string("name")
        guard isValidMemberName(name) else {
            throw rejected("member name \"\(name)\" must be 1-64 letters, digits, '_' or '-', starting with a letter")
        }
        let role = try reader.string("role")
        guard memberRoles.contains(role) else {
            throw rejected("member \"\(name)\" has unknown role \"\(role)\" (micro-enterprise, external-partner or platform)")
        }
        return MemberRecord(name: name, role: role, key: try reader.publicKey("key"))
    }

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let body = try parse(entry.body)
        guard entry.ledgerID == Entry.ledgerID(genesisBody: entry.body) else {
            throw rejected("ledger id does not match the genesis body")
        }
        guard entry.signatures.count == 1,
              let founder = body.members.first(where: { $0.key.keyID == entry.signatures[0].keyID }) else {
            throw rejected("genesis must carry one signature, by a member on its roster")
        }
        let contract = try checkedContract(body.contract, context: "the genesis contract")
        try checkRoster(body.members, matches: contract)
        return Authorization(signers: [founder.key]) { state in
            state.ledgerID = entry.ledgerID
            state.founder = founder.name
            for member in body.members { state.addMember(member) }
            state.addContract(ContractVersion(number: 1, text: body.contract, hash: body.contractHash, contract: contract,
                                              introducedAt: entry.seq, acceptedBy: [], status: .genesis))
        }
    }
}

func isValidMemberName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard (1...64).contains(bytes.count), let first = bytes.first,
          (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first | 0x20) else { return false }
    return bytes.allSatisfy { byte in
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}

/// `accept`: consent to a contract version, named by its hash. Every genesis member accepts the
/// genesis contract (the contract is active once all have); a member joining through an amendment
/// accepts that proposal. At most once per member per version.
package enum AcceptKind: EntryKind {
    package static let name = "accept"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "accept body", allowed: ["contract_hash", "rendering"])
        let hash = try reader.hash("contract_hash")
        guard let version = state.contract(withHash: hash) else {
            throw rejected("accepts contract \(hash.prefix(16))…, which is not a version on this ledger")
        }
        try RenderingBinding.check(reader, contract: version.contract, what: "contract version \(version.number)")
        switch version.status {
        case .genesis:
            let signer = try state.activeMember(signing: entry)
            guard version.contract.members.contains(where: { $0.name == signer.name }) else {
                throw rejected("\"\(signer.name)\" is not a member of contract version 1")
            }
            guard !version.acceptedBy.contains(signer.name) else {
                throw rejected("member \"\(signer.name)\" already accepted contract version \(version.number)")
            }
            let completes = version.acceptedBy.count + 1 == version.contract.members.count
            return Authorization(signers: [signer.key]) { state in
                state.recordAcceptance(of: hash, by: signer.name)
                if completes { state.activationPeriod = entry.time.period }
            }
        case .pending:
            guard entry.signatures.count == 1,
                  let joiner = version.joiners.first(where: { $0.key.keyID == entry.signatures[0].keyID }) else {
                throw rejected("only members joining with proposal \(version.introducedAt) accept it; members of the version in force vote on it")
            }
            guard !version.acceptedBy.contains(joiner.name) else {
                throw rejected("member \"\(joiner.name)\" already accepted contract version \(version.number)")
            }
            try ProposalRules.requireNotLapsed(version, in: state)
            return Authorization(signers: [joiner.key]) { state in
                state.recordAcceptance(of: hash, by: joiner.name)
                ProposalRules.adoptIfComplete(versionNumber: version.number, at: entry.seq, in: &state)
            }
        case .adopted, .rejected, .withdrawn:
            throw rejected("contract version \(version.number) is \(version.status.rawValue); it can no longer be accepted")
        }
    }
}

/// `rotate-key`: a member replaces its key; signed by the current key, then by the new key.
package enum RotateKeyKind: EntryKind {
    package static let name = "rotate-key"

    static func authorize(_ decoded: DecodedEntry, in state: LedgerState) throws(LedgerError) -> Authorization {
        let entry = decoded.entry
        let reader = try JSONReader(entry.body, context: "rotate-key body", allowed: ["member", "new_key"])
        let name = try reader.string("member")
        let newKey = try reader.publicKey("new_key")
        guard let member = state.member(named: name) else { throw rejected("\"\(name)\" is not a member") }
        guard !state.registeredKeyIDs.contains(newKey.keyID) else {
            throw rejected("key \(newKey.keyID) has already been registered on this ledger; a new key must be fresh")
        }
        return Authorization(signers: [member.key, newKey]) { state in
            state.replaceKey(ofMember: name, with: newKey)
        }
    }
}
