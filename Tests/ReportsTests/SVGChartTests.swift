import Foundation
import Testing
@testable import Reports

/// The chart primitives: nice ticks, log ticks, escaping, and charts without data.
@Suite struct SVGChartTests {
    @Test func linearTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(ChartScale.niceStep(span: 0.04) == 0.01)
        #expect(ChartScale.niceStep(span: 9) == 2)
        #expect(ChartScale.niceStep(span: 230) == 50)
        #expect(ChartScale.niceStep(span: 3, integers: true) == 1)
        let scale = ChartScale(kind: .linear, lower: 0.94, upper: 1, pixelLower: 0, pixelUpper: 100)
        #expect(scale.ticks().map(\.label) == ["0.94", "0.95", "0.96", "0.97", "0.98", "0.99", "1.00"])
    }

    @Test func domainsArePaddedWidenedToTicksAndKeptInsideLimits() {
        let domain = ChartScale.domain(kind: .linear, low: 0.951, high: 0.99, limits: 0...1)
        #expect(abs(domain.lower - 0.94) < 1e-12 && domain.upper == 1)
        let single = ChartScale.domain(kind: .linear, low: 5, high: 5, integers: true)
        #expect(single.lower < 5 && single.upper > 5)
        let log = ChartScale.domain(kind: .logarithmic, low: 1e-4, high: 1e-2)
        #expect(log.lower < 1e-4 && log.upper > 1e-2)
    }

    @Test func logTicksAreDecadesOrOneTwoFive() {
        let wide = ChartScale(kind: .logarithmic, lower: 8e-5, upper: 1.2e-2, pixelLower: 0, pixelUpper: 100)
        #expect(wide.ticks().map(\.label) == ["0.0001", "0.001", "0.01"])
        let narrow = ChartScale(kind: .logarithmic, lower: 0.15, upper: 0.6, pixelLower: 0, pixelUpper: 100)
        #expect(narrow.ticks().map(\.label) == ["0.2", "0.5"])
        #expect(ChartScale.compactLabel(2e-5) == "2e-5" && ChartScale.compactLabel(1e6) == "1e6")
        #expect(abs(wide.pixel(1e-3) - (log10(1e-3) - log10(8e-5)) / (log10(1.2e-2) - log10(8e-5)) * 100) < 1e-9)
    }

    @Test func textIsEscapedSoTheDocumentStaysWellFormed() {
        let title = "a < b & \"c\" > 'd'\u{1}"
        let chart = SVGChart(title: title, xAxis: ChartAxis(title: "x & y"), yAxis: ChartAxis(title: "<metric>"),
                             series: [ChartSeries(name: "s & t", mark: .points, color: "#000",
                                                  points: [ChartPoint(x: 1, y: 2, tooltip: "</title>")], id: "a&b")])
        let (svg, wellFormed) = SVGInspector.parse(chart.svg)
        #expect(wellFormed, "\(String(describing: svg.error))")
        #expect(svg.texts(class: "chart-title") == ["a < b & \"c\" > 'd'"])
        #expect(svg.texts(class: "axis-title") == ["x & y", "<metric>"])
        #expect(svg.seriesIDs == ["series-a&b"])
    }

    @Test func aChartWithoutDataSaysSoAndNonFinitePointsAreLeftOut() {
        let empty = SVGChart(title: "Empty", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y", kind: .logarithmic), series: [])
        let (inspector, wellFormed) = SVGInspector.parse(empty.svg)
        #expect(wellFormed)
        #expect(inspector.texts(class: "empty-message") == ["no results yet"])

        let points = [ChartPoint(x: 1, y: .nan), ChartPoint(x: .infinity, y: 1), ChartPoint(x: 2, y: 3)]
        let chart = SVGChart(title: "Some", xAxis: ChartAxis(title: "x"), yAxis: ChartAxis(title: "y"),
                             series: [ChartSeries(name: "s", mark: .line, color: "#000", points: points, id: "s")])
        let (drawn, ok) = SVGInspector.parse(chart.svg)
        #expect(ok)
        #expect(drawn.count("circle", class: "point", inGroup: "series-s") == 1)
        #expect(!chart.svg.contains("nan") && !chart.svg.contains("inf"))
    }

    @Test func barsAndWhiskersDrawOneMarkPerPoint() {
        let points = [ChartPoint(x: 0, y: 0.9, low: 0.85, high: 0.95), ChartPoint(x: 1, y: 0.8, low: 0.79, high: 0.81)]
        let chart = SVGChart(title: "Bars", xAxis: ChartAxis(title: "variant", categories: ["a", "b"]), yAxis: ChartAxis(title: "f1"),
                             series: [ChartSeries(name: "mean", mark: .bars, color: "#4e79a7", points: points, id: "bars"),
                                      ChartSeries(name: "", mark: .whiskers, color: "#000", points: points, id: "whiskers")])
        let (svg, wellFormed) = SVGInspector.parse(chart.svg)
        #expect(wellFormed)
        #expect(svg.count("rect", class: "bar", inGroup: "series-bars") == 2)
        #expect(svg.count("line", class: "whisker", inGroup: "series-bars") == 6)
        #expect(svg.count("line", class: "mean", inGroup: "series-whiskers") == 2)
        #expect(svg.texts(class: "legend-entry") == ["mean"])
    }
}

@Suite struct SVGNumberTests {
    /// The fast path gives exactly what "%.2f" with trailing zeros cut gives.
    @Test func numbersMatchTheFormattedText() {
        func formatted(_ value: Double) -> String {
            var text = String(format: "%.2f", value)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text == "-0" ? "0" : text
        }
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.125, 0.135, 1.005, -1.005, 2.675, 0.004, -0.004, 0.005, -0.005, 99.995, 123456.785]
        for _ in 0..<50_000 {
            let magnitude = [1.0, 10, 1000, 1e6][Int.random(in: 0..<4, using: &generator)]
            values.append(Double.random(in: -magnitude...magnitude, using: &generator))
            values.append((Double(Int.random(in: -100_000...100_000, using: &generator)) + 0.5) / 100)
        }
        for value in values {
            #expect(SVGBuilder.number(value) == formatted(value), "\(value)")
        }
    }
}
