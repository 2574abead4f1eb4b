import ArgumentParser

@main
struct EMC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emc",
        abstract: "EMC Ledger: signed, verifiable EMC contracts.",
        subcommands: [Keygen.self, Check.self, Simulate.self]
    )
}
