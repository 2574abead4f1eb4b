import Ledger
import LedgerClient
import LedgerCrypto
import LedgerStorage

/// Plans `action` against the ledger's verified head and appends its entries in one durable write.
/// The claimed time is read from `--time` (or the clock) against the state the entries extend.
/// A ledger with a server (`LEDGER.emc-remote`, SPEC §5.12.5) is pulled first, the entries are
/// planned on the server's head and submitted, and only what the server acknowledged is appended
/// here (`--offline` appends here only, for `emc push` later).
func perform(_ action: Action, on ledger: String, signer: any EntrySigner, append: AppendOptions) throws -> PlannedAction {
    var planned: PlannedAction? = nil
    let make = { (state: LedgerState) throws -> [Entry] in
        let result = try state.plan(action, time: try append.timestamp(after: state), signer: signer)
        planned = result
        return result.entries
    }
    do {
        if !append.offline, let config = try RemoteConfig.load(forLedger: ledger) {
            guard let key = signer as? PrivateKey else {
                throw CommandError(message: "\(ledger): a ledger shared through a server needs a key file for --key (its requests are signed with it); an ssh-agent key can append with --offline and `emc push`")
            }
            _ = try Submit.append(ledgerPath: ledger, config: config, key: key, timestamp: { (try? cosignatureTime(nil)) ?? 0 }, plan: make)
        } else {
            try LedgerStore.append(path: ledger, key: signer, make: make)
        }
    } catch var error as LedgerError {
        error.file = error.file ?? ledger
        throw error
    }
    guard let planned else { throw LedgerError(.io, "nothing was appended", file: ledger) }
    return planned
}
