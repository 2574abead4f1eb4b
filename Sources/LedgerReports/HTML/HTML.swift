import ContractLanguage

/// Small helpers for the static pages (`emc show --format html`, `emc page`): escaped text, one
/// stylesheet, no scripts, no network.
public enum HTML {
    /// Text escaped for element content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A table with a header row; cells are escaped here. `numeric` columns align right.
    public static func table(_ rows: [[String]], numeric: Set<Int> = [], caption: String? = nil) -> String {
        guard let header = rows.first else { return "" }
        var out = "<div class=\"scroll\"><table>\n"
        if let caption { out += "<caption>\(escape(caption))</caption>\n" }
        out += "<thead><tr>" + header.enumerated().map { "<th scope=\"col\"\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\(escape($0.element))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows.dropFirst() {
            out += "<tr>" + row.enumerated().map { index, cell in
                index == 0 ? "<th scope=\"row\">\(escape(cell))</th>" : "<td\(numeric.contains(index) ? " class=\"num\"" : "")>\(escape(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return out + "</tbody></table></div>\n"
    }

    /// A whole standalone page.
    public static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(stylesheet)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    static let stylesheet = """
    body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5; color: #1d2330; background: #fbfbfd; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
    h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #d5d9e2; }
    h3 { font-size: 1.05rem; margin-top: 1.25rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; margin: 0.5rem 0; min-width: 50%; }
    caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
    th, td { border: 1px solid #d5d9e2; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
    thead th { background: #eef1f6; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    pre { background: #f1f3f7; padding: 0.75rem; overflow-x: auto; font-size: 0.85rem; }
    .hash { font-family: ui-monospace, monospace; word-break: break-all; }
    .muted { color: #5b6475; }
    svg { max-width: 100%; height: auto; }
    nav a { margin-right: 1rem; }
    @media (max-width: 40rem) { main { padding: 0.5rem; } th, td { padding: 0.25rem 0.4rem; } }

    """

    /// The plain-language rendering as HTML: sections as headings, sentences as a list, shares as a table.
    public static func plainLanguage(_ rendering: PlainLanguage, headingLevel: Int = 2) -> String {
        var out = "<p>\(escape(rendering.preamble))</p>\n"
        for section in rendering.sections {
            out += "<h\(headingLevel)>\(escape(section.title))</h\(headingLevel)>\n"
            if !section.table.isEmpty { out += table(section.table, numeric: [1]) }
            if !section.sentences.isEmpty {
                out += "<ul>\n" + section.sentences.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
            }
        }
        return out
    }
}
