import ArgumentParser
import Ledger
import LedgerStorage
import LedgerReports
import LedgerCrypto
import LedgerClient

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a ledger: the genesis entry with the contract and the member roster.",
        discussion: "Example: emc init duck.jsonl --contract duck.emc --key yu.key --member yu=micro-enterprise:yu.pub --member chef=external-partner:chef.pub"
    )
    @Argument(help: "The ledger file to create (refuses to overwrite).") var ledger: String
    @Option(help: "The contract text file.") var contract: String
    @Option(help: "The founder's private key (a .key file or ssh-agent:PUBFILE); the founder must be on the roster.") var key: String
    @OptionGroup var passphrase: PassphraseOptions
    @Option(name: .customLong("member"), help: "A roster member as NAME=ROLE:PUBFILE (repeat for each member).")
    var members: [String] = []
    @Option(help: .hidden) var nonce: String?
    @Option(help: "Create the ledger on this server (http://HOST:PORT) too: the local copy is kept only once the server acknowledged the genesis.")
    var remote: String?
    @OptionGroup var serverKey: ServerKeyOption
    @OptionGroup var append: AppendOptions

    func run() throws {
        guard !members.isEmpty else { throw CommandError(message: "give at least one --member NAME=ROLE:PUBFILE") }
        let founder = try passphrase.signer(key)
        let roster = try members.map(parseMemberSpec)
        guard roster.contains(where: { $0.key == founder.publicKey }) else {
            throw CommandError(message: "\(key): the founder's key is not on the roster (add it with --member)")
        }
        let text = try readTextFile(contract, what: "contract", limit: 64 * 1024)
        let nonceBytes: [UInt8]
        if let nonce {
            guard let bytes = Hex.decode(nonce), bytes.count == 16 else { throw CommandError(message: "--nonce must be 32 hex digits") }
            nonceBytes = bytes
        } else {
            nonceBytes = secureRandomBytes(16)
        }
        let genesis = try EntryBuilder.genesis(contract: text, members: roster, founder: founder,
                                               time: try append.timestamp(), nonce: nonceBytes)
        let decoded = try DecodedEntry(entry: genesis)
        if let remote {
            guard let founderKey = founder as? PrivateKey else {
                throw CommandError(message: "--remote needs a key file for --key (the server's requests are signed with it)")
            }
            let config = RemoteConfig(url: remote, ledgerID: genesis.ledgerID, serverKey: try serverKey.resolve(url: remote), keyPath: absolutePath(key))
            let result = try Clone.create(config: config, genesis: decoded, ledgerPath: ledger, key: founderKey, timestamp: try cosignatureTime(nil))
            print("created ledger \(genesis.ledgerID) on \(remote); server key \(config.serverKey.verifierKey) pinned in \(RemoteConfig.path(forLedger: ledger))")
            if let member = result.member, let size = result.cosignedSize { print("\(member) cosigned the checkpoint of size \(size)") }
        } else {
            try LedgerStore.create(path: ledger, genesis: decoded)
        }
        print("created \(ledger): ledger \(genesis.ledgerID), \(roster.count) members, contract \(Entry.contractHash(text).prefix(16))…")
    }
}
