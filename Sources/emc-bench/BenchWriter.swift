import Ledger
import LedgerStorage
import LedgerReports

/// The session the benchmark writes through: one lock, one state load, and one write plus one
/// fsync per `append`.
typealias BenchWriter = LedgerWriter
