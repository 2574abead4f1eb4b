import ArgumentParser
import ContractLanguage
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check contract files and report every error.",
        discussion: """
            Prints each problem as FILE:LINE:COLUMN: error: MESSAGE, followed by the source line and a \
            caret, on standard error. Exit status: 0 when every file is clean, 1 when any file has errors, \
            2 when a file cannot be read.
            """
    )

    @Argument(help: "Contract files (.emc) to check.") var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one contract file") }
    }

    func run() throws {
        var hadErrors = false
        var hadReadFailure = false
        for file in files {
            guard let source = readSourceFile(file) else {
                hadReadFailure = true
                continue
            }
            let result = checkContract(source: source)
            for diagnostic in result.diagnostics {
                printStandardError(diagnostic.rendered(fileName: file, source: source))
            }
            if result.diagnostics.isEmpty {
                print("\(file): ok")
            } else {
                hadErrors = true
                let count = result.diagnostics.count
                printStandardError("emc: error: \(file): \(count) error\(count == 1 ? "" : "s")")
            }
        }
        if hadReadFailure { throw ExitCode(2) }
        if hadErrors { throw ExitCode(1) }
    }
}

/// Writes one line to standard error.
func printStandardError(_ text: String) {
    StandardError.write(text + "\n")
}

/// Reads a UTF-8 text file, printing a one-line error and returning nil if it cannot.
func readSourceFile(_ path: String) -> String? {
    guard FileSystem.isDirectory(path) == false else {
        printStandardError("emc: error: cannot read '\(path)': no such file")
        return nil
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        printStandardError("emc: error: cannot read '\(path)'")
        return nil
    }
    guard let text = String(data: data, encoding: .utf8) else {
        printStandardError("emc: error: '\(path)' is not valid UTF-8")
        return nil
    }
    return text
}
