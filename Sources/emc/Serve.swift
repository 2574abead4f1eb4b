import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `emc serve …`: runs the `emc-server` binary built beside `emc` with the same arguments. The
/// server is a product of its own so that building `emc` never builds Hummingbird (README).
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the sequencing server (the emc-server binary beside emc; see `emc-server serve --help`).",
        discussion: "Build it once with `swift build --product emc-server`.",
        helpNames: []
    )

    @Argument(parsing: .allUnrecognized, help: "Passed to `emc-server serve`.")
    var arguments: [String] = []

    func run() throws {
        let path = Self.serverPath()
        guard access(path, X_OK) == 0 else {
            throw CommandError(message: "emc-server is not built: run `swift build --product emc-server` (looked for \(path))")
        }
        let argv = [path, "serve"] + arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        execv(path, &cArguments)
        throw CommandError(message: "cannot run \(path): \(String(cString: strerror(errno)))")
    }

    /// `emc-server` in the folder of the running `emc`.
    static func serverPath() -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let folder = executable.contains("/") ? String(executable[..<executable.lastIndex(of: "/")!]) : "."
        return folder + "/emc-server"
    }
}
