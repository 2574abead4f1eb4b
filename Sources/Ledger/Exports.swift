// The state machine's vocabulary is the log format's: whoever imports Ledger reads entries too.
@_exported import LedgerFormat
