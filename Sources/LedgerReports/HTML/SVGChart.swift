import ContractLanguage

/// An inline SVG line chart of each member's cumulative payouts (no scripts, readable text).
enum SVGChart {
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    static func cumulative(series: [(name: String, values: [Int64])], periods: [Period], currency: Currency) -> String {
        let width = 720, height = 360, left = 90, right = 20, top = 20, bottom = 50
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = max(series.flatMap(\.values).max() ?? 0, 1)
        func x(_ index: Int) -> Int { left + (periods.count <= 1 ? plotWidth / 2 : index * plotWidth / (periods.count - 1)) }
        func y(_ value: Int64) -> Int { top + plotHeight - Int(Double(value) / Double(maximum) * Double(plotHeight)) }
        var out = "<svg viewBox=\"0 0 \(width) \(height + 24 * ((series.count + 2) / 3))\" role=\"img\" aria-labelledby=\"chart-title\">\n"
        out += "<title id=\"chart-title\">Cumulative payouts per member (\(HTML.escape(currency.code)))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        // Axes and four grid lines labelled with amounts.
        for step in 0...4 {
            let value = maximum * Int64(step) / 4
            out += "<line x1=\"\(left)\" y1=\"\(y(value))\" x2=\"\(left + plotWidth)\" y2=\"\(y(value))\" stroke=\"#d5d9e2\"/>\n"
            out += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\" font-size=\"11\">\(formatMinorUnits(value, currency: currency))</text>\n"
        }
        let labelEvery = max(1, periods.count / 6)
        for (index, period) in periods.enumerated() where index % labelEvery == 0 || index == periods.count - 1 {
            out += "<text x=\"\(x(index))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\" font-size=\"11\">\(period)</text>\n"
        }
        for (number, line) in series.enumerated() {
            let color = colors[number % colors.count]
            let points = line.values.enumerated().map { "\(x($0.offset)),\(y($0.element))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"><title>\(HTML.escape(line.name))</title></polyline>\n"
            let legendX = 10 + (number % 3) * 240, legendY = height + 24 * (number / 3)
            out += "<rect x=\"\(legendX)\" y=\"\(legendY - 10)\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            out += "<text x=\"\(legendX + 18)\" y=\"\(legendY)\" font-size=\"12\">\(HTML.escape(line.name)) \(formatMinorUnits(line.values.last ?? 0, currency: currency))</text>\n"
        }
        return out + "</svg>\n"
    }
}
