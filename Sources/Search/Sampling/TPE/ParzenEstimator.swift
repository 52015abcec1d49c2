import Foundation

/// The settings of a Parzen estimator that Optuna's TPESampler exposes, with its defaults.
struct ParzenSettings: Sendable, Equatable {
    /// The weight of the prior kernel (uniform over a categorical, a wide normal at the centre of
    /// a numerical range) against each observation's weight.
    var priorWeight = 1.0
    /// Keeps every bandwidth at least range / min(100, kernels + 1) (Bergstra's "magic clip").
    var considerMagicClip = true
    /// When false, the outermost observations take their inner neighbour's gap as bandwidth
    /// instead of the gap to the range's end.
    var considerEndpoints = false
}

/// A mixture of product kernels over the observations of some parameters (Optuna's
/// `_ParzenEstimator`): observation i is a kernel with weight w_i, plus one prior kernel.
/// Values are in `TPEDimension`'s internal representation; numerical kernels are normals
/// truncated to the range (on log x for log-scaled parameters), discrete ones integrate over
/// the step around each allowed value.
struct ParzenEstimator: Sendable {
    /// One dimension's kernels, indexed by kernel (observations, then the prior).
    enum Kernels: Sendable {
        /// (kernels, choices): each kernel's probabilities of the choices.
        case categorical([[Double]])
        /// Means and bandwidths on the kernel scale; `low` and `high` the range there (widened
        /// by half a step for a discrete parameter).
        case numerical(means: [Double], deviations: [Double], low: Double, high: Double)
    }

    let dimensions: [TPEDimension]
    /// (kernels): the mixture weights, summing to 1.
    let weights: [Double]
    /// (dimensions): each dimension's kernels.
    let kernels: [Kernels]

    /// The estimator of `observations` (n rows, one value per dimension, in trial-number order).
    init(observations: [[Double]], dimensions: [TPEDimension], settings: ParzenSettings) {
        self.dimensions = dimensions
        let count = observations.count
        var weights = Self.observationWeights(count: count)
        weights = count == 0 ? [1] : weights + [settings.priorWeight]
        let total = weights.reduce(0, +)
        self.weights = weights.map { $0 / total }
        kernels = dimensions.indices.map { index in
            let column = observations.map { $0[index] }  // (n)
            return Self.kernels(of: column, dimension: dimensions[index], settings: settings)
        }
    }

    /// Optuna's `default_weights`: 1 for each of the first 25 observations counted from the
    /// latest, a ramp from 1/n up to 1 for the older ones.
    static func observationWeights(count: Int) -> [Double] {
        if count < 25 { return Array(repeating: 1, count: count) }
        let rampCount = count - 25
        var ramp: [Double] = []
        ramp.reserveCapacity(rampCount)
        let start = 1 / Double(count)
        for index in 0..<rampCount {
            // numpy.linspace(1/n, 1, n - 25): both ends included.
            ramp.append(rampCount == 1 ? start : start + (1 - start) * Double(index) / Double(rampCount - 1))
        }
        return ramp + Array(repeating: 1, count: 25)
    }

    private static func kernels(of column: [Double], dimension: TPEDimension, settings: ParzenSettings) -> Kernels {
        switch dimension.kind {
        case .categorical(let choiceCount):
            if column.isEmpty { return .categorical([Array(repeating: 1 / Double(choiceCount), count: choiceCount)]) }
            let kernelCount = column.count + 1
            var rows = Array(repeating: Array(repeating: settings.priorWeight / Double(kernelCount), count: choiceCount),
                             count: kernelCount)  // (kernels, choices)
            for (row, value) in column.enumerated() { rows[row][Int(value)] += 1 }
            for row in rows.indices {
                let sum = rows[row].reduce(0, +)
                if sum > 0 { rows[row] = rows[row].map { $0 / sum } }
            }
            return .categorical(rows)
        case .numerical(var low, var high, let step, let isLogarithmic):
            if step > 0 {
                low -= step / 2
                high += step / 2
            }
            var means = column
            if isLogarithmic {
                means = means.map { log($0) }
                low = log(low)
                high = log(high)
            }
            var deviations = bandwidths(means: means, low: low, high: high, settings: settings)
            means.append(0.5 * (low + high))
            deviations.append(high - low)
            return .numerical(means: means, deviations: deviations, low: low, high: high)
        }
    }

    /// Each observation's bandwidth: the larger gap to its neighbours in sorted order (the range's
    /// ends counting as neighbours), clipped to [minimum, high - low].
    private static func bandwidths(means: [Double], low: Double, high: Double, settings: ParzenSettings) -> [Double] {
        let count = means.count
        guard count > 0 else { return [] }
        let order = means.indices.sorted { means[$0] != means[$1] ? means[$0] < means[$1] : $0 < $1 }
        var sorted = [low]  // (n + 2): the range's ends around the sorted means
        sorted.reserveCapacity(count + 2)
        for index in order { sorted.append(means[index]) }
        sorted.append(high)
        var sortedDeviations: [Double] = []  // (n)
        for position in 1...count {
            let left: Double = sorted[position] - sorted[position - 1]
            let right: Double = sorted[position + 1] - sorted[position]
            sortedDeviations.append(max(left, right))
        }
        if !settings.considerEndpoints && sorted.count >= 4 {
            sortedDeviations[0] = sorted[2] - sorted[1]
            sortedDeviations[count - 1] = sorted[count] - sorted[count - 1]
        }
        let maximum = high - low
        let minimum = settings.considerMagicClip ? (high - low) / min(100, 1 + Double(count + 1)) : 1e-12
        var deviations = Array(repeating: 0.0, count: count)
        for (position, index) in order.enumerated() {
            deviations[index] = min(max(sortedDeviations[position], minimum), maximum)
        }
        return deviations
    }

    /// log p(x) of a point in internal representation (one value per dimension).
    func logDensity(_ point: [Double]) -> Double {
        var terms = weights.map { log($0) }  // (kernels)
        for (index, dimension) in dimensions.enumerated() {
            let x = point[index]
            switch kernels[index] {
            case .categorical(let rows):
                let choice = Int(x)
                for kernel in terms.indices { terms[kernel] += log(rows[kernel][choice]) }
            case .numerical(let means, let deviations, let low, let high):
                guard case .numerical(_, _, let step, let isLogarithmic) = dimension.kind else { continue }
                if step == 0 {
                    let value = isLogarithmic ? log(x) : x
                    for kernel in terms.indices {
                        terms[kernel] += TruncatedNormal.logDensity(value, mean: means[kernel], deviation: deviations[kernel], low: low, high: high)
                    }
                } else {
                    // The mass of the step around x (on the log scale for a log-scaled parameter).
                    let left = isLogarithmic ? log(x - step / 2) : x - step / 2
                    let right = isLogarithmic ? log(x + step / 2) : x + step / 2
                    for kernel in terms.indices {
                        let mean = means[kernel], deviation = deviations[kernel]
                        terms[kernel] += TruncatedNormal.logGaussMass((left - mean) / deviation, (right - mean) / deviation)
                            - TruncatedNormal.logGaussMass((low - mean) / deviation, (high - mean) / deviation)
                    }
                }
            }
        }
        var largest = terms.max() ?? -.infinity
        if largest == -.infinity { largest = 0 }
        return log(terms.reduce(0) { $0 + exp($1 - largest) }) + largest
    }

    /// `count` points drawn from the mixture: a kernel by weight, then each dimension from it.
    func sample(count: Int, using generator: inout SearchRandom) -> [[Double]] {
        (0..<count).map { _ in
            let kernel = Self.draw(from: weights, using: &generator)
            return dimensions.indices.map { index in
                switch kernels[index] {
                case .categorical(let rows):
                    return Double(Self.draw(from: rows[kernel], using: &generator))
                case .numerical(let means, let deviations, let low, let high):
                    guard case .numerical(let rawLow, let rawHigh, let step, let isLogarithmic) = dimensions[index].kind else { return 0 }
                    let mean = means[kernel], deviation = deviations[kernel]
                    let unit = TruncatedNormal.quantile(generator.nextUnitInterval(), a: (low - mean) / deviation, b: (high - mean) / deviation)
                    var value = unit * deviation + mean
                    if isLogarithmic { value = exp(value) }
                    if step > 0 { value = min(max(rawLow + ((value - rawLow) / step).rounded(.toNearestOrEven) * step, rawLow), rawHigh) }
                    return value
                }
            }
        }
    }

    /// An index drawn with the given probabilities (the last absorbs rounding).
    private static func draw(from probabilities: [Double], using generator: inout SearchRandom) -> Int {
        let target = generator.nextUnitInterval()
        var cumulative = 0.0
        for (index, probability) in probabilities.enumerated().dropLast() {
            cumulative += probability
            if target < cumulative { return index }
        }
        return probabilities.count - 1
    }
}
