import Testing

/// Comparison of float arrays against reference values (PyTorch tensors, finite differences).
public enum Tolerance {
    /// The largest |actual - expected| divided by the largest |expected| (floored at 1e-6), so one
    /// tolerance fits tensors of any scale without letting tiny tensors pass on absolute error.
    public static func scaledMaximumError(_ actual: [Float], _ expected: [Float]) -> Float {
        precondition(actual.count == expected.count)
        var worst: Float = 0
        var scale: Float = 1e-6
        for index in actual.indices {
            worst = max(worst, abs(actual[index] - expected[index]))
            scale = max(scale, abs(expected[index]))
        }
        return worst / scale
    }

    /// Records an issue unless `actual` matches `expected` to `relative` of the reference's scale.
    public static func expectClose(
        _ actual: [Float], _ expected: [Float], relative: Float = 1e-4, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard actual.count == expected.count else {
            Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        let error = scaledMaximumError(actual, expected)
        if !(error <= relative) {
            Issue.record("\(what): scaled max error \(error) > \(relative)", sourceLocation: sourceLocation)
        }
    }
}
