import Logging
import LedgerFormat
import PostgresNIO

/// The database schema of the PostgreSQL store (SPEC §5.10), as versioned migrations. At start the
/// server applies, in one transaction under an advisory lock (several processes may start at
/// once), every migration newer than the version recorded in `emc_schema`, and refuses to run
/// against a database whose version is newer than the last one it knows.
enum Schema {
    struct Migration {
        var version: Int
        var description: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, description: "ledgers, entries, checkpoints, cosignatures", statements: [
            """
            CREATE TABLE ledgers (
                id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
                size bigint NOT NULL CHECK (size >= 1),
                head bytea NOT NULL CHECK (octet_length(head) = 32)
            )
            """,
            """
            CREATE TABLE entries (
                ledger_id text NOT NULL REFERENCES ledgers (id),
                seq bigint NOT NULL CHECK (seq >= 1),
                line bytea NOT NULL,
                hash bytea NOT NULL CHECK (octet_length(hash) = 32),
                PRIMARY KEY (ledger_id, seq)
            )
            """,
            """
            CREATE TABLE checkpoints (
                ledger_id text PRIMARY KEY REFERENCES ledgers (id),
                size bigint NOT NULL,
                note bytea NOT NULL
            )
            """,
            """
            CREATE TABLE cosignatures (
                ledger_id text NOT NULL REFERENCES ledgers (id),
                member text NOT NULL,
                size bigint NOT NULL,
                key_id bigint NOT NULL,
                signature bytea NOT NULL,
                PRIMARY KEY (ledger_id, member)
            )
            """,
        ]),
    ]

    static var latestVersion: Int { migrations.last!.version }

    /// An arbitrary constant: the advisory lock that serialises migrations across processes.
    static let migrationLock: Int64 = 0x656d_635f_6c65_6467  // "emc_ledg"

    /// Brings the database to `latestVersion`; returns the version found before.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS emc_schema (
                    version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var found = 0
            for try await version in try await connection.query("SELECT coalesce(max(version), 0)::int8 FROM emc_schema", logger: logger)
                .decode(Int64.self) {
                found = Int(version)
            }
            guard found <= latestVersion else { throw NewerSchema(found: found) }
            for migration in migrations where migration.version > found {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO emc_schema (version, description) VALUES (\(migration.version), \(migration.description))", logger: logger)
            }
            return found
        }
    }

    struct NewerSchema: Error, CustomStringConvertible {
        var found: Int
        var description: String {
            "the database schema is version \(found), newer than this server's \(Schema.latestVersion): refusing to run (upgrade emc-server)"
        }
    }
}
