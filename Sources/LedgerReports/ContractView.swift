import Ledger
import LedgerFormat
import ContractLanguage

/// `emc show`: a contract version as its exact source, its plain-language rendering (SPEC §2.14)
/// with the rendering hash members sign, as JSON, or as a small standalone page.
public struct ContractView: Sendable {
    public var source: String
    public var name: String
    public var contractHash: String
    public var rendering: PlainLanguage
    public var renderingHash: String
    /// Nil for a contract file that is not on a ledger.
    public var version: ContractVersion?

    public init(source: String, contract: Contract, version: ContractVersion? = nil) {
        self.source = source
        self.name = contract.name
        self.contractHash = Entry.contractHash(source)
        self.rendering = contract.plainLanguage()
        self.renderingHash = Entry.renderingHash(rendering.text)
        self.version = version
    }

    public init(_ version: ContractVersion) {
        self.init(source: version.text, contract: version.contract, version: version)
    }

    var label: String {
        guard let version else { return "contract \(contractHash.prefix(16))" }
        return "contract version \(version.number) (\(version.status.rawValue), hash \(version.hash.prefix(16)))"
    }

    /// The rendering, then one line with its short hash.
    public var text: String {
        rendering.text + "\nrendering \(renderingHash.prefix(16)) of \(label)\n"
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "contract_hash": .string(contractHash), "rendering_hash": .string(renderingHash),
            "source": .string(source), "rendering": .string(rendering.text), "name": .string(name),
        ]
        if let version {
            fields["version"] = .integer(Int64(version.number))
            fields["status"] = .string(version.status.rawValue)
            fields["entry"] = .integer(version.introducedAt)
            if let effective = version.effective { fields["effective"] = .string(effective.description) }
        }
        return .object(fields)
    }

    /// The rendering and the source as HTML (a fragment; `html` wraps it in a page).
    public func fragment(headingLevel: Int = 2) -> String {
        var out = "<p class=\"muted\">\(HTML.escape(label)); rendering hash <span class=\"hash\">\(renderingHash)</span></p>\n"
        out += HTML.plainLanguage(rendering, headingLevel: headingLevel)
        out += "<details><summary>Contract source (the exact text, hash <span class=\"hash\">\(contractHash.prefix(16))</span>)</summary>\n"
        out += "<pre>\(HTML.escape(source))</pre>\n</details>\n"
        return out
    }

    public var html: String {
        HTML.document(title: rendering.title, body: "<h1>\(HTML.escape(rendering.title))</h1>\n" + fragment())
    }
}
