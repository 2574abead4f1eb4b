import Foundation
import Testing

/// The throw-away PostgreSQL cluster of `Scripts/test-postgres.sh` (started by `.ci/run`): its URL
/// in `EMC_TEST_POSTGRES_URL`. In CI the PostgreSQL tests always run (and fail without it);
/// elsewhere they are skipped, with a note on standard error saying how to run them.
enum TestPostgres {
    static let url = ProcessInfo.processInfo.environment["EMC_TEST_POSTGRES_URL"]
    static let cluster = ProcessInfo.processInfo.environment["EMC_TEST_POSTGRES_CLUSTER"]

    /// The trait of every test that needs the cluster.
    static let enabled: Bool = {
        if url != nil || ProcessInfo.processInfo.environment["CI"] != nil { return true }
        FileHandle.standardError.write(Data("""
            ServerTests: SKIPPING the PostgreSQL store's tests: EMC_TEST_POSTGRES_URL is not set. Run them with
              eval "$(bash Scripts/test-postgres.sh start $(mktemp -d))" && swift test --filter Postgres

            """.utf8))
        return false
    }()

    static func requireURL() throws -> String {
        try #require(url, "EMC_TEST_POSTGRES_URL is not set: PostgreSQL is required in CI (.ci/run starts it)")
    }

    static var psql: String {
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted()
            .map { "/usr/lib/postgresql/\($0)/bin/psql" }
        return candidates.last { FileManager.default.isExecutableFile(atPath: $0) } ?? "psql"
    }

    /// Runs `tool` with `arguments`, bounded to 120 s; returns its exit status and standard output + error.
    @discardableResult
    static func tool(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("emc-tool-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : "/usr/bin/env")
        process.arguments = tool.hasPrefix("/") ? arguments : [tool] + arguments
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// `pg_ctl restart` of the test cluster (the clients' database outage). Spawned and reaped with
    /// posix_spawn and waitpid (bounded to 120 s): the restarted postmaster outlives the script.
    static func restart() throws {
        let cluster = try #require(cluster, "EMC_TEST_POSTGRES_CLUSTER is not set")
        let argv = ["/bin/bash", packageRoot.appendingPathComponent("Scripts/test-postgres.sh").path, "restart", cluster]
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ) == 0, "cannot run the restart script")
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(120)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                Issue.record("the database restart did not finish in 120 s")
                return
            }
            usleep(20_000)
        }
        try #require(status == 0, "restart: exit status \(status) (see \(cluster)/server.log)")
    }
}

/// A database of its own for one test, created at init and dropped at deinit.
final class TestDatabase {
    let name: String
    let url: String
    private let adminURL: String

    init() throws {
        adminURL = try TestPostgres.requireURL()
        name = "emc_test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try Self.sql(adminURL, "CREATE DATABASE \(name)")
        url = adminURL.replacingOccurrences(of: "/postgres?", with: "/\(name)?")
    }

    deinit { _ = try? Self.sql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }

    /// Runs `statement` in this database; returns the unaligned output.
    @discardableResult
    func sql(_ statement: String) throws -> String { try Self.sql(url, statement) }

    @discardableResult
    static func sql(_ url: String, _ statement: String) throws -> String {
        // psql takes a libpq URI; sslmode is one of its parameters too.
        let result = try TestPostgres.tool(TestPostgres.psql, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", statement])
        try #require(result.status == 0, "psql \(statement): \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
