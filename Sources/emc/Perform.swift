import Ledger
import LedgerCrypto
import LedgerStorage

/// Plans `action` against the ledger's verified head and appends its entries in one durable write.
/// The claimed time is read from `--time` (or the clock) against the state the entries extend.
func perform(_ action: Action, on ledger: String, signer: any EntrySigner, append: AppendOptions) throws -> PlannedAction {
    var planned: PlannedAction? = nil
    do {
        try LedgerStore.append(path: ledger, key: signer) { state in
            let result = try state.plan(action, time: try append.timestamp(after: state), signer: signer)
            planned = result
            return result.entries
        }
    } catch var error as LedgerError {
        error.file = error.file ?? ledger
        throw error
    }
    guard let planned else { throw LedgerError(.io, "nothing was appended", file: ledger) }
    return planned
}
