import Testing

/// Comparison of float arrays against reference values (PyTorch tensors, finite differences).
public enum Tolerance {
    /// The largest |actual - expected| divided by the largest |expected| (at least `floor`), so one
    /// tolerance fits tensors of any scale. The floor matters only for tensors that are zero in
    /// exact arithmetic (a bias feeding a training-mode BatchNorm), where both sides are rounding noise.
    public static func scaledMaximumError(_ actual: [Float], _ expected: [Float], floor: Float = 1e-6) -> Float {
        precondition(actual.count == expected.count)
        var worst: Float = 0
        var scale: Float = floor
        for index in actual.indices {
            worst = max(worst, abs(actual[index] - expected[index]))
            scale = max(scale, abs(expected[index]))
        }
        return worst / scale
    }

    /// Records an issue unless `actual` matches `expected` to `relative` of the reference's scale.
    public static func expectClose(
        _ actual: [Float], _ expected: [Float], relative: Float = 1e-4, floor: Float = 1e-6, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard actual.count == expected.count else {
            Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        let error = scaledMaximumError(actual, expected, floor: floor)
        if !(error <= relative) {
            Issue.record("\(what): scaled max error \(error) > \(relative)", sourceLocation: sourceLocation)
        }
    }
}
