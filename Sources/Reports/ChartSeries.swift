/// One data point of a chart series; `low`/`high` draw a whisker (e.g. mean +- standard deviation).
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var low: Double?
    public var high: Double?
    /// Shown as the point's tooltip (`<title>`), e.g. "trial 7: 0.9812".
    public var tooltip: String?

    public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, tooltip: String? = nil) {
        self.x = x
        self.y = y
        self.low = low
        self.high = high
        self.tooltip = tooltip
    }
}

/// A named set of points drawn one way, in one colour, with an entry in the legend.
public struct ChartSeries: Sendable, Equatable {
    /// How the points are drawn.
    public enum Mark: Sendable, Equatable {
        /// A dot per point (a scatter plot); whiskers where `low`/`high` are given.
        case points
        /// A line through the points in order, with a dot on each.
        case line
        /// A line through the points in order, without dots.
        case plainLine
        /// A staircase: level until the next point's x, then a jump (a best-so-far line).
        case step
        /// A bar per point from the axis's base (0, or the bottom of the axis) up to y, with
        /// whiskers where `low`/`high` are given; for category axes.
        case bars
        /// A short horizontal tick at y with a whisker from `low` to `high` (mean +- spread).
        case whiskers
    }

    /// The legend text; an empty name keeps the series out of the legend.
    public var name: String
    public var mark: Mark
    /// A CSS colour (`#4e79a7`).
    public var color: String
    public var points: [ChartPoint]
    /// Marks the series' `<g>` element (`id="series-ID"`), so tests and stylesheets can find it.
    public var id: String

    public init(name: String, mark: Mark, color: String, points: [ChartPoint], id: String) {
        self.name = name
        self.mark = mark
        self.color = color
        self.points = points
        self.id = id
    }
}

/// One axis of a chart: its title, scale kind and how its ticks are chosen.
public struct ChartAxis: Sendable, Equatable {
    public var title: String
    public var kind: ChartScale.Kind
    /// Ticks at whole numbers only (epochs, trial numbers).
    public var integers: Bool
    /// The axis never extends past these (e.g. 0...1 for an accuracy) unless the data does.
    public var limits: ClosedRange<Double>?
    /// Names for the positions 0, 1, 2, ...: a category axis (variants) instead of numbers.
    public var categories: [String]?
    /// Values the axis always spans, data or not (e.g. the bounds of a searched range).
    public var covers: [Double]

    public init(title: String, kind: ChartScale.Kind = .linear, integers: Bool = false,
                limits: ClosedRange<Double>? = nil, categories: [String]? = nil, covers: [Double] = []) {
        self.title = title
        self.kind = kind
        self.integers = integers
        self.limits = limits
        self.categories = categories
        self.covers = covers
    }
}

/// A fixed palette of distinguishable colours (Tableau 10), for series without a meaning of their own.
public enum ChartPalette {
    public static let colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    /// The `index`-th colour, cycling.
    public static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }
}
