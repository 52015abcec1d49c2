/// Small vector kernels shared by the layers: reductions, transposes, softmax.
public enum Kernels {
    /// sums (C) += column sums of matrix (R, C).
    public static func addColumnSums(
        of matrix: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let row = matrix + r * columns
            for c in 0..<columns { sums[c] += row[c] }
        }
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
        for r in 0..<rows {
            let row = matrix + r * columns
            var maximum = -Float.infinity
            for c in 0..<columns { maximum = Swift.max(maximum, row[c]) }
            var total: Float = 0
            for c in 0..<columns {
                let value = Activations.exp(row[c] - maximum)
                row[c] = value
                total += value
            }
            let inverse = 1 / total
            for c in 0..<columns { row[c] *= inverse }
        }
    }

    /// The sum of squares of `count` values, accumulated in Double for a stable norm.
    public static func sumOfSquares(_ values: UnsafePointer<Float>, count: Int) -> Double {
        var total: Double = 0
        for i in 0..<count { total += Double(values[i]) * Double(values[i]) }
        return total
    }
}
