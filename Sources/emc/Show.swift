import ArgumentParser
import ContractLanguage
import Ledger
import LedgerReports

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a contract version in plain language (what members sign), or its exact source.",
        discussion: """
        `emc show LEDGER` shows the version in force; `--version N` another one. `emc show FILE.emc` \
        shows a contract file. The plain-language text is generated from the rules (SPEC §2.14); \
        `accept` and `propose` sign its hash, printed on the last line.
        """
    )
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, source, json, html }

    @Argument(help: "The ledger file, or a contract file ending in .emc.") var file: String
    @Option(help: "The contract version (1 is the genesis contract). Default: the version in force.") var version: Int?
    @Option(help: "text (the plain-language rendering), source (the exact contract text), json, or html (a standalone page).")
    var format: Format = .text

    func run() throws {
        let view = try contractView()
        switch format {
        case .text: StandardOutput.write(view.text)
        case .source: StandardOutput.write(view.source)
        case .json: printJSON(view.json)
        case .html: StandardOutput.write(view.html)
        }
    }

    func contractView() throws -> ContractView {
        if file.hasSuffix(".emc") {
            if version != nil { throw CommandError(message: "--version needs a ledger; \(file) is a contract file") }
            let source = try readTextFile(file, what: "contract", limit: 64 * 1024)
            guard let contract = checkContract(source: source).contract else {
                throw CommandError(message: "\(file): the contract has errors; run `emc check \(file)`", exitCode: 1)
            }
            return ContractView(source: source, contract: contract)
        }
        let state = try readVerifiedState(file, quiet: true)
        guard let number = version else { return ContractView(StatusReport.versionInForce(state)) }
        guard let chosen = state.version(number: number) else {
            throw CommandError(message: "\(file): the ledger has contract versions 1 to \(state.contracts.count)")
        }
        return ContractView(chosen)
    }
}
