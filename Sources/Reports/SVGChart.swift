import Foundation

/// A chart with a title, two labelled axes with nice ticks and grid lines, any number of series
/// (points, lines, steps, bars, whiskers) and a legend, rendered as a standalone SVG document.
/// Used by the study report and the benchmark tables.
public struct SVGChart: Sendable {
    public var title: String
    /// A second, smaller line under the title (e.g. what the points are).
    public var subtitle: String?
    public var xAxis: ChartAxis
    public var yAxis: ChartAxis
    public var series: [ChartSeries]
    /// Dashed vertical lines at these x values (e.g. the rungs of successive halving).
    public var xGuides: [Double]
    public var width: Double
    public var height: Double
    /// Written in the middle of the plot when no series has a point.
    public var emptyMessage: String

    public init(title: String, subtitle: String? = nil, xAxis: ChartAxis, yAxis: ChartAxis, series: [ChartSeries],
                xGuides: [Double] = [], width: Double = 720, height: Double = 440,
                emptyMessage: String = "no results yet") {
        self.title = title
        self.subtitle = subtitle
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.xGuides = xGuides
        self.width = width
        self.height = height
        self.emptyMessage = emptyMessage
    }

    /// The chart as an SVG document.
    public var svg: String {
        let drawn = series.map { series in
            var series = series
            series.points = series.points.filter { isDrawable($0) }
            return series
        }
        let allPoints = drawn.flatMap(\.points)
        let xScaleDomain = xDomain(allPoints)
        let yScaleDomain = yDomain(allPoints, includesBase: drawn.contains { $0.mark == .bars && !$0.points.isEmpty })
        let yTicks = ChartScale(kind: yAxis.kind, lower: yScaleDomain.lower, upper: yScaleDomain.upper,
                                pixelLower: 0, pixelUpper: 1).ticks(integers: yAxis.integers)

        let legend = drawn.filter { !$0.name.isEmpty }
        let legendWidth = legend.isEmpty ? 0 : min(230, Double(legend.map(\.name.count).max() ?? 0) * 6.6 + 40)
        let longestTick = Double(yTicks.map(\.label.count).max() ?? 1)
        let plot = (left: 36 + longestTick * 6.6, top: subtitle == nil ? 46.0 : 62.0,
                    right: width - 20 - legendWidth, bottom: height - 52)
        let x = ChartScale(kind: xAxis.kind, lower: xScaleDomain.lower, upper: xScaleDomain.upper,
                           pixelLower: plot.left, pixelUpper: plot.right)
        let y = ChartScale(kind: yAxis.kind, lower: yScaleDomain.lower, upper: yScaleDomain.upper,
                           pixelLower: plot.bottom, pixelUpper: plot.top)

        var canvas = SVGBuilder(width: width, height: height)
        canvas.rect(x: 0, y: 0, width: width, height: height, [("fill", "#ffffff")])
        canvas.text(title, x: width / 2, y: 26, anchor: "middle", size: 16, [("font-weight", "bold"), ("class", "chart-title")])
        if let subtitle {
            canvas.text(subtitle, x: width / 2, y: 46, anchor: "middle", size: 12, [("fill", "#555555")])
        }
        canvas.rect(x: plot.left, y: plot.top, width: plot.right - plot.left, height: plot.bottom - plot.top,
                    [("fill", "#fbfbfb"), ("stroke", "#cccccc")])
        drawGrid(&canvas, x: x, y: y, yTicks: yTicks, plot: plot)
        for guide in xGuides where guide >= min(x.lower, x.upper) && guide <= max(x.lower, x.upper) {
            canvas.line(x1: x.pixel(guide), y1: plot.top, x2: x.pixel(guide), y2: plot.bottom,
                        [("stroke", "#999999"), ("stroke-dasharray", "4 4"), ("class", "guide")])
        }
        if allPoints.isEmpty {
            canvas.text(emptyMessage, x: (plot.left + plot.right) / 2, y: (plot.top + plot.bottom) / 2,
                        anchor: "middle", size: 14, [("fill", "#777777"), ("class", "empty-message")])
        }
        let bandWidth = self.bandWidth(x: x, points: allPoints)
        for series in drawn {
            draw(series, on: &canvas, x: x, y: y, bandWidth: bandWidth)
        }
        canvas.text(xAxis.title, x: (plot.left + plot.right) / 2, y: height - 12, anchor: "middle", size: 13,
                    [("class", "axis-title")])
        canvas.text(yAxis.title, x: 16, y: (plot.top + plot.bottom) / 2, anchor: "middle", size: 13, rotation: -90,
                    [("class", "axis-title")])
        drawLegend(legend, on: &canvas, left: plot.right + 16, top: plot.top)
        return canvas.document(title: title)
    }

    // MARK: - Domains

    private func isDrawable(_ point: ChartPoint) -> Bool {
        let values = [point.x, point.y] + [point.low, point.high].compactMap { $0 }
        guard values.allSatisfy(\.isFinite) else { return false }
        if xAxis.kind == .logarithmic && point.x <= 0 { return false }
        if yAxis.kind == .logarithmic && ([point.y] + [point.low, point.high].compactMap { $0 }).contains(where: { $0 <= 0 }) {
            return false
        }
        return true
    }

    private func xDomain(_ points: [ChartPoint]) -> (lower: Double, upper: Double) {
        if let categories = xAxis.categories { return (-0.5, Double(max(categories.count, 1)) - 0.5) }
        let values = points.map(\.x) + xGuides + xAxis.covers.filter { xAxis.kind == .linear || $0 > 0 }
        guard let low = values.min(), let high = values.max() else {
            return xAxis.kind == .logarithmic ? (1, 10) : (0, 1)
        }
        return ChartScale.domain(kind: xAxis.kind, low: low, high: high, limits: xAxis.limits, integers: xAxis.integers)
    }

    private func yDomain(_ points: [ChartPoint], includesBase: Bool) -> (lower: Double, upper: Double) {
        var values = points.flatMap { [$0.y] + [$0.low, $0.high].compactMap { $0 } }
        values += yAxis.covers.filter { yAxis.kind == .linear || $0 > 0 }
        if includesBase && yAxis.kind == .linear { values.append(0) }
        guard let low = values.min(), let high = values.max() else {
            return yAxis.kind == .logarithmic ? (1, 10) : (0, 1)
        }
        return ChartScale.domain(kind: yAxis.kind, low: low, high: high, limits: yAxis.limits, integers: yAxis.integers)
    }

    /// The width of a bar or whisker cap: 60% of a category, or of the closest two x values.
    private func bandWidth(x: ChartScale, points: [ChartPoint]) -> Double {
        if xAxis.categories != nil { return abs(x.pixel(1) - x.pixel(0)) * 0.6 }
        let pixels = Set(points.map { x.pixel($0.x) }).sorted()
        let gaps = zip(pixels.dropFirst(), pixels).map { $0 - $1 }.filter { $0 > 1 }
        return min(40, (gaps.min() ?? 40) * 0.6)
    }

    // MARK: - Drawing

    private typealias PlotArea = (left: Double, top: Double, right: Double, bottom: Double)

    private func drawGrid(_ canvas: inout SVGBuilder, x: ChartScale, y: ChartScale,
                          yTicks: [(value: Double, label: String)], plot: PlotArea) {
        canvas.beginGroup([("class", "axis y-axis")])
        for tick in yTicks {
            let pixel = y.pixel(tick.value)
            canvas.line(x1: plot.left, y1: pixel, x2: plot.right, y2: pixel, [("stroke", "#e3e3e3")])
            canvas.text(tick.label, x: plot.left - 6, y: pixel + 4, anchor: "end", size: 11, [("fill", "#333333"), ("class", "tick")])
        }
        canvas.endGroup()
        canvas.beginGroup([("class", "axis x-axis")])
        if let categories = xAxis.categories {
            for (index, name) in categories.enumerated() {
                canvas.text(name, x: x.pixel(Double(index)), y: plot.bottom + 18, anchor: "middle", size: 12,
                            [("fill", "#333333"), ("class", "tick")])
            }
        } else {
            for tick in x.ticks(integers: xAxis.integers) {
                let pixel = x.pixel(tick.value)
                canvas.line(x1: pixel, y1: plot.top, x2: pixel, y2: plot.bottom, [("stroke", "#eeeeee")])
                canvas.line(x1: pixel, y1: plot.bottom, x2: pixel, y2: plot.bottom + 4, [("stroke", "#666666")])
                canvas.text(tick.label, x: pixel, y: plot.bottom + 17, anchor: "middle", size: 11, [("fill", "#333333"), ("class", "tick")])
            }
        }
        canvas.line(x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, [("stroke", "#666666")])
        canvas.line(x1: plot.left, y1: plot.top, x2: plot.left, y2: plot.bottom, [("stroke", "#666666")])
        canvas.endGroup()
    }

    private func draw(_ series: ChartSeries, on canvas: inout SVGBuilder, x: ChartScale, y: ChartScale, bandWidth: Double) {
        canvas.beginGroup([("class", "series"), ("id", "series-\(series.id)")])
        let pixels = series.points.map { (x: x.pixel($0.x), y: y.pixel($0.y)) }
        switch series.mark {
        case .line, .plainLine:
            if pixels.count > 1 {
                canvas.polyline(pixels, [("stroke", series.color), ("stroke-width", "2"), ("class", "line")])
            }
            if series.mark == .line || pixels.count == 1 {
                for (point, pixel) in zip(series.points, pixels) {
                    canvas.circle(x: pixel.x, y: pixel.y, radius: 3, tooltip: point.tooltip,
                                  [("fill", series.color), ("class", "point")])
                }
            }
        case .step:
            var steps: [(x: Double, y: Double)] = []
            for (index, pixel) in pixels.enumerated() {
                if index > 0 { steps.append((pixel.x, pixels[index - 1].y)) }
                steps.append(pixel)
            }
            if steps.count > 1 {
                canvas.polyline(steps, [("stroke", series.color), ("stroke-width", "2"), ("class", "line step")])
            }
        case .points:
            for (point, pixel) in zip(series.points, pixels) {
                drawWhisker(point, on: &canvas, x: pixel.x, y: y, cap: 8, color: series.color)
                canvas.circle(x: pixel.x, y: pixel.y, radius: 4.5, tooltip: point.tooltip,
                              [("fill", series.color), ("fill-opacity", "0.85"), ("stroke", "#ffffff"),
                               ("stroke-width", "1"), ("class", "point")])
            }
        case .bars:
            let base = y.pixel(yAxis.kind == .linear && y.lower <= 0 && y.upper >= 0 ? 0 : y.lower)
            for (point, pixel) in zip(series.points, pixels) {
                canvas.rect(x: pixel.x - bandWidth / 2, y: min(base, pixel.y), width: bandWidth, height: abs(base - pixel.y),
                            [("fill", series.color), ("fill-opacity", "0.8"), ("class", "bar")])
                drawWhisker(point, on: &canvas, x: pixel.x, y: y, cap: bandWidth / 3, color: "#333333")
            }
        case .whiskers:
            for (point, pixel) in zip(series.points, pixels) {
                drawWhisker(point, on: &canvas, x: pixel.x, y: y, cap: bandWidth / 3, color: series.color)
                canvas.line(x1: pixel.x - bandWidth / 2, y1: pixel.y, x2: pixel.x + bandWidth / 2, y2: pixel.y,
                            [("stroke", series.color), ("stroke-width", "3"), ("class", "mean")])
            }
        }
        canvas.endGroup()
    }

    /// A vertical line from `low` to `high` with caps, when the point has them.
    private func drawWhisker(_ point: ChartPoint, on canvas: inout SVGBuilder, x: Double, y: ChartScale, cap: Double, color: String) {
        guard let low = point.low, let high = point.high else { return }
        let top = y.pixel(high), bottom = y.pixel(low)
        let style: [(String, String)] = [("stroke", color), ("stroke-width", "1.5"), ("class", "whisker")]
        canvas.line(x1: x, y1: top, x2: x, y2: bottom, style)
        canvas.line(x1: x - cap / 2, y1: top, x2: x + cap / 2, y2: top, style)
        canvas.line(x1: x - cap / 2, y1: bottom, x2: x + cap / 2, y2: bottom, style)
    }

    private func drawLegend(_ entries: [ChartSeries], on canvas: inout SVGBuilder, left: Double, top: Double) {
        guard !entries.isEmpty else { return }
        canvas.beginGroup([("class", "legend")])
        for (index, entry) in entries.enumerated() {
            let row = top + 10 + Double(index) * 20
            switch entry.mark {
            case .points:
                canvas.circle(x: left + 9, y: row, radius: 4.5, [("fill", entry.color)])
            case .line, .plainLine, .step, .whiskers:
                canvas.line(x1: left, y1: row, x2: left + 18, y2: row, [("stroke", entry.color), ("stroke-width", "2.5")])
            case .bars:
                canvas.rect(x: left + 2, y: row - 6, width: 14, height: 12, [("fill", entry.color)])
            }
            canvas.text(entry.name, x: left + 26, y: row + 4, size: 12, [("fill", "#333333"), ("class", "legend-entry")])
        }
        canvas.endGroup()
    }
}
