import Foundation
import FileFormats

/// PED-ANOVA (Watanabe, Bansal and Hutter, IJCAI 2023) as Optuna 5's default importance
/// evaluator (`optuna/importance/_ped_anova`), with its defaults: how much each parameter's
/// distribution among the top 10 % of trials differs (Pearson divergence) from its distribution
/// among all of them, each estimated on a grid by a Parzen estimator with Scott's bandwidth.
enum PEDANOVA {
    /// The share of trials counted as the top (gamma' in the paper).
    static let targetQuantile = 0.1
    /// Grid points for a numerical parameter.
    static let gridSteps = 50
    static let priorWeight = 1.0

    /// The raw importance of each parameter that is not constant, for trials with finite values.
    static func importances(of trials: [(parameters: TrialParameters, value: Double)], parameters: [SearchParameter],
                            goal: MetricGoal) -> [String: Double] {
        let searched = parameters.filter { if case .constant = $0.distribution { return false }; return true }
        guard trials.count > 1 else { return Dictionary(uniqueKeysWithValues: searched.map { ($0.name, 0) }) }
        // The top quantile: losses at or below the ceil(q n)-th smallest (ties all kept).
        let losses = trials.map { goal == .minimize ? $0.value : -$0.value }
        let cutoff = losses.sorted()[Int((targetQuantile * Double(losses.count)).rounded(.up)) - 1]
        let top = trials.indices.filter { losses[$0] <= cutoff }.map { trials[$0] }
        let quantile = Double(top.count) / Double(trials.count)
        var result: [String: Double] = [:]
        for parameter in searched {
            // A conditional parameter counts where it exists (condPED-ANOVA's active regime),
            // weighted by its share of the top (alpha) squared over its share of all (beta).
            let active = trials.filter { $0.parameters[parameter.name] != nil }
            let activeTop = top.filter { $0.parameters[parameter.name] != nil }
            guard active.count >= 2, !activeTop.isEmpty else {
                result[parameter.name] = 0
                continue
            }
            let topDensity = density(of: parameter, in: activeTop), allDensity = density(of: parameter, in: active)
            var divergence = 0.0
            for (point, local) in allDensity.enumerated() {
                let ratio = (topDensity[point] + 1e-12) / (local + 1e-12)
                divergence += (local + 1e-12) * (ratio - 1) * (ratio - 1)
            }
            let alpha = Double(activeTop.count) / Double(top.count), beta = Double(active.count) / Double(trials.count)
            result[parameter.name] = alpha * alpha / beta * divergence * quantile * quantile
        }
        return result
    }

    /// The estimated probability of each grid point (numerical) or choice (categorical).
    static func density(of parameter: SearchParameter, in trials: [(parameters: TrialParameters, value: Double)]) -> [Double] {
        let counts = gridCounts(of: parameter, in: trials)
        let observed = counts.indices.filter { counts[$0] > 0 }
        let weights = observed.map { Double(counts[$0]) }
        var mixture = observed.isEmpty ? [1.0] : weights + [priorWeight]
        let total = mixture.reduce(0, +)
        mixture = mixture.map { $0 / total }
        let size = counts.count
        if case .categorical(let values) = parameter.distribution {
            // Each observed choice a kernel (prior weight spread over the choices), plus a uniform prior.
            let kernelCount = Double(observed.count + 1)
            return (0..<values.count).map { choice in
                var probability = 0.0
                for (kernel, index) in observed.enumerated() {
                    let row = Double(values.count) * priorWeight / kernelCount + 1
                    probability += mixture[kernel] * ((index == choice ? 1 : 0) + priorWeight / kernelCount) / row
                }
                probability += (mixture.last ?? 1) / Double(values.count)
                return observed.isEmpty ? 1 / Double(values.count) : probability
            }
        }
        // Scott's rule on the grid indices, at least 0.5 / 1.64 so 90 % of a kernel is on its step.
        let low = 0.0, high = Double(size - 1)
        let totalWeight = weights.reduce(0, +)
        var deviation = 0.5 / 1.64
        if !observed.isEmpty {
            let points = observed.map(Double.init)
            let mean = zip(points, weights).reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
            let variance = zip(points, weights).reduce(0) { $0 + ($1.0 - mean) * ($1.0 - mean) * $1.1 } / max(1, totalWeight - 1)
            var cumulative: [Double] = []
            var running = 0.0
            for weight in weights { running += weight; cumulative.append(running) }
            let firstQuartile = cumulative.firstIndex { $0 >= (totalWeight / 4).rounded(.down) } ?? 0
            let thirdQuartile = cumulative.firstIndex { $0 > (totalWeight * 3 / 4).rounded(.down) } ?? cumulative.count
            let range = points[min(points.count - 1, thirdQuartile)] - points[firstQuartile]
            let scott = 1.059 * min(range / 1.34, variance.squareRoot()) * pow(totalWeight, -0.2)
            deviation = max(scott, deviation)
        }
        let means = observed.map(Double.init) + [(low + high) / 2]
        let deviations = Array(repeating: deviation, count: observed.count) + [high - low + 1]
        return (0..<size).map { point in
            let x = Double(point)
            var logTerms: [Double] = []
            for kernel in means.indices {
                let mean = means[kernel], spread = deviations[kernel]
                logTerms.append(log(mixture[kernel])
                    + TruncatedNormal.logGaussMass((x - 0.5 - mean) / spread, (x + 0.5 - mean) / spread)
                    - TruncatedNormal.logGaussMass((low - 0.5 - mean) / spread, (high + 0.5 - mean) / spread))
            }
            let largest = logTerms.max() ?? 0
            return exp(largest) * logTerms.reduce(0) { $0 + exp($1 - largest) }
        }
    }

    /// How many trials fall on each grid point (numbers, rounded to the nearest of up to 50
    /// points, on the log scale for log-scaled ones) or choice.
    static func gridCounts(of parameter: SearchParameter, in trials: [(parameters: TrialParameters, value: Double)]) -> [Int] {
        func number(_ trial: (parameters: TrialParameters, value: Double)) -> Double? {
            if case .number(let value)? = trial.parameters[parameter.name] { return value }
            return nil
        }
        var steps = gridSteps
        var low: Double, high: Double
        var isLogarithmic = false
        switch parameter.distribution {
        case .constant:
            return [trials.count]
        case .categorical(let values):
            var counts = Array(repeating: 0, count: values.count)
            for trial in trials {
                if let value = trial.parameters[parameter.name], let index = values.firstIndex(of: value) { counts[index] += 1 }
            }
            return counts
        case .uniform(let minimum, let maximum):
            (low, high) = (minimum, maximum)
        case .logUniform(let minimum, let maximum):
            (low, high, isLogarithmic) = (log(minimum), log(maximum), true)
        case .integerUniform(let minimum, let maximum):
            (low, high) = (Double(minimum), Double(maximum))
            steps = min(maximum - minimum + 1, steps)
        case .quantizedUniform(let minimum, let maximum, let step):
            let range = ParameterDistribution.stepRange(minimum: minimum, maximum: maximum, step: step)
            (low, high) = (ParameterDistribution.multiple(range.lowerBound, of: step), ParameterDistribution.multiple(range.upperBound, of: step))
            steps = min(range.upperBound - range.lowerBound + 1, steps)
        }
        guard steps > 1 else { return [trials.count] }
        var counts = Array(repeating: 0, count: steps)
        let stepSize = (high - low) / Double(steps - 1)
        for trial in trials {
            guard var value = number(trial) else { continue }
            if isLogarithmic { value = log(value) }
            // Midpoint ties go to the lower grid point, as in Optuna.
            let index = Int(((value - low) / stepSize - 0.5).rounded(.up))
            counts[min(max(index, 0), steps - 1)] += 1
        }
        return counts
    }
}
