import ArgumentParser
import Ledger
import LedgerDemo
import LedgerStorage
import LedgerReports
import LedgerCrypto

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Play the Smart Cooking EMC story into DIR/ledger.jsonl with keys in DIR/keys, then verify it.",
        discussion: "Deterministic: fixed demo keys and claimed times, so two runs write byte-identical ledgers."
    )
    @Option(help: "Directory to write into (its demo files are replaced).") var dir: String = "./emc-demo"

    func run() throws {
        let story = try DemoStory.play(directory: dir)
        print(story.summary)
    }
}
