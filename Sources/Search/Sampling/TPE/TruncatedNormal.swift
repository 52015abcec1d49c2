import Foundation

/// The truncated-normal arithmetic of Optuna's TPE (`optuna/samplers/_tpe/_truncnorm.py`): log
/// probability masses that stay accurate far in the tails, the log density, and the inverse CDF
/// used to draw candidates. Scalars only; the Parzen estimator loops over kernels itself.
enum TruncatedNormal {
    private static let logRootTwoPi = 0.5 * log(2 * Double.pi)

    /// The standard normal CDF, from erf or erfc on the side where each is accurate.
    static func ndtr(_ a: Double) -> Double {
        let x = a / 2.0.squareRoot()
        if x < -1 / 2.0.squareRoot() { return 0.5 * erfc(-x) }
        if x < 1 / 2.0.squareRoot() { return 0.5 + 0.5 * erf(x) }
        return 1 - 0.5 * erfc(x)
    }

    /// log ndtr(a), with the asymptotic series below -20 where ndtr underflows.
    static func logNdtr(_ a: Double) -> Double {
        if a > 6 { return -ndtr(-a) }
        if a > -20 { return log(ndtr(a)) }
        let logLeft = -0.5 * a * a - log(-a) - logRootTwoPi
        var lastTotal = 0.0, total = 1.0, numerator = 1.0, denominatorFactor = 1.0
        let denominatorStep = 1 / (a * a)
        var sign = 1.0, index = 0.0
        while abs(lastTotal - total) > Double.ulpOfOne {
            index += 1
            lastTotal = total
            sign = -sign
            denominatorFactor *= denominatorStep
            numerator *= 2 * index - 1
            total += sign * numerator * denominatorFactor
        }
        return logLeft + log(total)
    }

    /// log(exp(p) - exp(q)) for p >= q.
    private static func logDifference(_ logP: Double, _ logQ: Double) -> Double {
        logP + log1p(-exp(logQ - logP))
    }

    /// log(exp(p) + exp(q)).
    private static func logSum(_ logP: Double, _ logQ: Double) -> Double {
        let high = max(logP, logQ)
        if high == -.infinity { return -.infinity }
        return high + log1p(exp(min(logP, logQ) - high))
    }

    /// The log of the standard normal mass in [a, b], computed in the left tail (by symmetry)
    /// where it is accurate.
    static func logGaussMass(_ a: Double, _ b: Double) -> Double {
        if b <= 0 { return logDifference(logNdtr(b), logNdtr(a)) }
        if a > 0 { return logDifference(logNdtr(-a), logNdtr(-b)) }
        return log1p(-ndtr(a) - ndtr(-b))
    }

    /// The log density at `x` of a normal(`mean`, `deviation`) truncated to [low, high].
    static func logDensity(_ x: Double, mean: Double, deviation: Double, low: Double, high: Double) -> Double {
        let a = (low - mean) / deviation, b = (high - mean) / deviation
        if a == b { return .nan }
        let z = (x - mean) / deviation
        if z < a || z > b { return -.infinity }
        return -0.5 * z * z - logRootTwoPi - logGaussMass(a, b) - log(deviation)
    }

    /// The x with log ndtr(x) = y (Newton's method from Optuna's starting guesses).
    static func inverseLogNdtr(_ y: Double) -> Double {
        let flipped = y > -1e-2
        let z = flipped ? log(-expm1(y)) : y
        var x = z < -5 ? -(-2 * (z + logRootTwoPi)).squareRoot() : -(3.0.squareRoot() / Double.pi) * log(expm1(-z))
        for _ in 0..<100 {
            let logNdtrX = logNdtr(x)
            let logDensityX = -0.5 * x * x - logRootTwoPi
            let step = (logNdtrX - z) * exp(logNdtrX - logDensityX)
            x -= step
            if abs(step) < 1e-8 * abs(x) { break }
        }
        return flipped ? -x : x
    }

    /// The quantile `q` of a standard normal truncated to [a, b].
    static func quantile(_ q: Double, a: Double, b: Double) -> Double {
        if a == b { return .nan }
        if q == 0 { return a }
        if q == 1 { return b }
        let logMass = logGaussMass(a, b)
        if a < 0 {
            return inverseLogNdtr(logSum(logNdtr(a), log(q) + logMass))
        }
        return -inverseLogNdtr(logSum(logNdtr(-b), log1p(-q) + logMass))
    }
}
