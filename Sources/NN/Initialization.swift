import Tensor

/// PyTorch's default initialisations, drawn from the project's seeded generator.
public enum Initialization {
    /// Fills `count` values uniformly in [-bound, bound).
    public static func uniform(
        _ values: UnsafeMutablePointer<Float>, count: Int, bound: Float, generator: inout SeededGenerator
    ) {
        for index in 0..<count {
            values[index] = generator.nextUniform(from: -bound, to: bound)
        }
    }

    /// The bound of `kaiming_uniform_(a=sqrt(5))` and of the matching bias init:
    /// 1 / sqrt(fan_in), used by Conv1d and Linear.
    public static func fanInBound(fanIn: Int) -> Float {
        fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    }
}
