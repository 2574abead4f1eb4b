import NIOCore
import PostgresNIO

/// The store's prepared statements (prepared once per connection by postgres-nio). Each write is
/// one statement, so one implicit transaction: it commits before the server hears back, and with
/// the default `synchronous_commit = on` the commit is durable (in the WAL, fsync'd) when it does.
enum Statements {
    /// The compare-and-swap append of several ledgers at once (one batch of `AppendBatcher`, one
    /// transaction): each ledger row whose size is its request's expected size moves to the new
    /// size and head (the UPDATE locks it; a concurrent append waits and then finds the size
    /// changed), and only the lines of the moved ledgers are inserted. Answers the ids moved.
    /// (`id = ANY` lets the planner find the rows by the primary key: it knows nothing of the
    /// size of an `unnest`, and would otherwise scan every ledger row, dead versions included.)
    struct AppendBatch: PostgresPreparedStatement {
        static let sql = """
            WITH request AS (
                SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[], $4::bytea[]) AS r (id, expected, size, head)
            ), moved AS (
                UPDATE ledgers SET size = request.size, head = request.head FROM request
                WHERE ledgers.id = ANY ($1::text[]) AND ledgers.id = request.id AND ledgers.size = request.expected
                RETURNING ledgers.id
            ), added AS (
                INSERT INTO entries (ledger_id, seq, line, hash)
                SELECT t.ledger_id, t.seq, t.line, t.hash
                FROM unnest($5::text[], $6::int8[], $7::bytea[], $8::bytea[]) AS t (ledger_id, seq, line, hash)
                WHERE t.ledger_id IN (SELECT id FROM moved)
                RETURNING 1
            )
            SELECT id FROM moved
            """
        typealias Row = String
        var ledgerIDs: [String] = []
        var expectedSizes: [Int64] = []
        var newSizes: [Int64] = []
        var heads: [ByteBuffer] = []
        var lineLedgerIDs: [String] = []
        var seqs: [Int64] = []
        var lines: [ByteBuffer] = []
        var hashes: [ByteBuffer] = []

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(ledgerIDs)
            bindings.append(expectedSizes)
            bindings.append(newSizes)
            bindings.append(heads)
            bindings.append(lineLedgerIDs)
            bindings.append(seqs)
            bindings.append(lines)
            bindings.append(hashes)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Creates a ledger with its genesis line, unless the id exists. Answers the rows created (1 or 0).
    struct Create: PostgresPreparedStatement {
        static let sql = """
            WITH created AS (
                INSERT INTO ledgers (id, size, head) VALUES ($1, 1, $2) ON CONFLICT (id) DO NOTHING RETURNING id
            ), added AS (
                INSERT INTO entries (ledger_id, seq, line, hash) SELECT id, 1, $3, $2 FROM created RETURNING 1
            )
            SELECT (SELECT count(*) FROM created)::int8, (SELECT count(*) FROM added)::int8
            """
        typealias Row = (Int64, Int64)
        var ledgerID: String
        var hash: ByteBuffer
        var line: ByteBuffer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(ledgerID)
            bindings.append(hash)
            bindings.append(line)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The stored size of a ledger (no row: not hosted).
    struct Size: PostgresPreparedStatement {
        static let sql = "SELECT size FROM ledgers WHERE id = $1"
        typealias Row = Int64
        var ledgerID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ledgerID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
    }

    /// Lines `fromSeq` … `throughSeq`, in order.
    struct Lines: PostgresPreparedStatement {
        static let sql = "SELECT seq, line FROM entries WHERE ledger_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq"
        typealias Row = (Int64, ByteBuffer)
        var ledgerID: String
        var fromSeq: Int64
        var throughSeq: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(ledgerID)
            bindings.append(fromSeq)
            bindings.append(throughSeq)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Keeps the checkpoint of the largest size any process signed (every one is a prefix of the
    /// ledger: SPEC §5.6; a smaller one never replaces a larger one).
    struct SaveCheckpoint: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO checkpoints (ledger_id, size, note) VALUES ($1, $2, $3)
            ON CONFLICT (ledger_id) DO UPDATE SET size = excluded.size, note = excluded.note
            WHERE checkpoints.size <= excluded.size
            """
        typealias Row = ()
        var ledgerID: String
        var size: Int64
        var note: ByteBuffer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(ledgerID)
            bindings.append(size)
            bindings.append(note)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    struct LoadCheckpoint: PostgresPreparedStatement {
        static let sql = "SELECT note FROM checkpoints WHERE ledger_id = $1"
        typealias Row = ByteBuffer
        var ledgerID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ledgerID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(ByteBuffer.self) }
    }

    struct LoadCosignatures: PostgresPreparedStatement {
        static let sql = "SELECT member, size, key_id, signature FROM cosignatures WHERE ledger_id = $1 ORDER BY member"
        typealias Row = (String, Int64, Int64, ByteBuffer)
        var ledgerID: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ledgerID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// A member's cosignature, stored if and only if her stored record has size `oldSize` (no record
    /// counts as 0): the row lock of the upsert makes the check and the store one step, across
    /// processes. Answers one row when stored.
    struct StoreCosignature: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO cosignatures (ledger_id, member, size, key_id, signature)
            SELECT $1, $2, $3, $4, $5
            WHERE $6::int8 = 0 OR EXISTS (SELECT 1 FROM cosignatures WHERE ledger_id = $1 AND member = $2)
            ON CONFLICT (ledger_id, member) DO UPDATE
            SET size = excluded.size, key_id = excluded.key_id, signature = excluded.signature
            WHERE cosignatures.size = $6::int8
            RETURNING 1::int8
            """
        typealias Row = Int64
        var ledgerID: String
        var member: String
        var size: Int64
        var keyID: Int64
        var signature: ByteBuffer
        var oldSize: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.append(ledgerID)
            bindings.append(member)
            bindings.append(size)
            bindings.append(keyID)
            bindings.append(signature)
            bindings.append(oldSize)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
    }
}
