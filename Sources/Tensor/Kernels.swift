import CKernels

/// Small vector kernels shared by the layers: reductions, transposes, softmax.
public enum Kernels {
    /// sums (C) += column sums of matrix (R, C).
    public static func addColumnSums(
        of matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        ckernels_add_column_sums(Int32(rows), Int32(columns), matrix, sums)
    }

    /// output (B, C, R) = transpose of each input (B, R, C) matrix.
    public static func transpose(
        _ input: UnsafePointer<Float>, batch: Int, rows: Int, columns: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        for b in 0..<batch {
            let source = input + b * rows * columns
            let destination = output + b * rows * columns
            for r in 0..<rows {
                for c in 0..<columns { destination[c * rows + r] = source[r * columns + c] }
            }
        }
    }

    /// Softmax of each row of matrix (R, C), in place, with the row maximum subtracted.
    public static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        ckernels_softmax_rows(Int32(rows), Int32(columns), matrix, columns)
    }

    /// One Adam step over `count` values (torch.optim.Adam with L2 weight decay); the bias
    /// corrections come folded in: stepSize = lr / (1 - beta1^t), correction2Root = sqrt(1 - beta2^t).
    public static func adamUpdate(
        count: Int, parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
        firstMoments: UnsafeMutablePointer<Float>, secondMoments: UnsafeMutablePointer<Float>,
        beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, stepSize: Float, correction2Root: Float
    ) {
        ckernels_adam_update(count, parameters, gradients, firstMoments, secondMoments, beta1, beta2, epsilon,
                             weightDecay, stepSize, correction2Root)
    }

    /// The sum of squares of `count` values, accumulated in Double for a stable norm.
    public static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        for i in 0..<count { total += Double(values[i]) * Double(values[i]) }
        return total
    }
}
