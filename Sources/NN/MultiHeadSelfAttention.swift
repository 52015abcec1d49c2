import Tensor

/// Multi-head self-attention as in the reference module (`MHA` in torch_reference.py):
/// q, k, v = Linear(D, heads * headDim) of the input; per head softmax(q k^T / sqrt(headDim)) v;
/// then o = Linear(heads * headDim, D). No residual inside. input (N, T, D) -> output (N, T, D).
/// The per-sample, per-head products are small; slices of the batch run in parallel.
public final class MultiHeadSelfAttention {
    public let dimension: Int
    public let heads: Int
    public let headDimension: Int

    private let query: Linear
    private let key: Linear
    private let value: Linear
    private let projection: Linear
    private let weights = Tensor(shape: [0])   // (N, heads, T, T): softmax attention weights
    private let context = Tensor(shape: [0])   // (N, T, heads * headDim)
    private let dQuery = Tensor(shape: [0])    // (N, T, heads * headDim)
    private let dKey = Tensor(shape: [0])      // (N, T, heads * headDim)
    private let dValue = Tensor(shape: [0])    // (N, T, heads * headDim)
    private let dScores = Tensor(shape: [0])   // (parts, T, T): scratch for one (n, head) per part
    /// The last backward pass's input gradient, (N, T, D).
    public let dInput = Tensor(shape: [0])
    private var batch = 0
    private var length = 0

    public init(dimension: Int, heads: Int, headDimension: Int, name: String, store: ParameterStore) {
        self.dimension = dimension
        self.heads = heads
        self.headDimension = headDimension
        let width = heads * headDimension
        query = Linear(inputFeatures: dimension, outputFeatures: width, name: "\(name).q", store: store)
        key = Linear(inputFeatures: dimension, outputFeatures: width, name: "\(name).k", store: store)
        value = Linear(inputFeatures: dimension, outputFeatures: width, name: "\(name).v", store: store)
        projection = Linear(inputFeatures: width, outputFeatures: dimension, name: "\(name).o", store: store)
    }

    /// The last forward pass's result, (N, T, D).
    public var output: Tensor { projection.output }

    public func resetParameters(generator: inout SeededGenerator) {
        for layer in [query, key, value, projection] { layer.resetParameters(generator: &generator) }
    }

    /// input (N, T, D) -> output (N, T, D).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == dimension,
                     "attention expects (N, T, \(dimension)), got \(input.shape)")
        batch = input.shape[0]
        length = input.shape[1]
        let width = heads * headDimension
        let q = query.forward(input).pointer  // (N, T, width)
        let k = key.forward(input).pointer
        let v = value.forward(input).pointer
        weights.resize(to: [batch, heads, length, length])
        context.resize(to: [batch, length, width])
        let scale = 1 / Float(headDimension).squareRoot()
        let (length, heads, headDimension) = (length, heads, headDimension)
        let (weights, context) = (weights.pointer, context.pointer)
        forEachSlice { samples, _ in
            for n in samples {
                for head in 0..<heads {
                    let offset = n * length * width + head * headDimension
                    let a = weights + (n * heads + head) * length * length
                    // scores (T, T) = q (T, d) @ k^T (d, T) * scale
                    BLAS.gemm(transposeB: true, m: length, n: length, k: headDimension, alpha: scale,
                              a: q + offset, lda: width, b: k + offset, ldb: width,
                              beta: 0, c: a, ldc: length)
                    Kernels.softmaxRows(a, rows: length, columns: length)
                    // context (T, d) = weights (T, T) @ v (T, d)
                    BLAS.gemm(m: length, n: headDimension, k: length,
                              a: a, lda: length, b: v + offset, ldb: width,
                              beta: 0, c: context + offset, ldc: width)
                }
            }
        }
        return projection.forward(self.context)
    }

    /// Runs body(samples, part) over slices of the batch: in parallel on our own kernels, in one
    /// piece on OpenBLAS (which threads each product itself).
    private func forEachSlice(_ body: (Range<Int>, Int) -> Void) {
        let parts = sliceCount
        Parallel.forEach(parts: parts, concurrently: BLAS.useOwnKernels) { part in
            body(Parallel.range(part: part, of: parts, count: batch), part)
        }
    }

    /// The number of slices `forEachSlice` uses (scratch buffers are per slice).
    private var sliceCount: Int {
        BLAS.useOwnKernels ? Swift.max(1, Swift.min(batch, Parallel.threadCount)) : 1
    }

    /// dOutput (N, T, D) -> dInput (N, T, D); adds the q, k, v and o gradients.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        let width = heads * headDimension
        let dContext = projection.backward(dOutput).pointer  // (N, T, width)
        let q = query.output.pointer
        let k = key.output.pointer
        let v = value.output.pointer
        dQuery.resize(to: [batch, length, width])
        dKey.resize(to: [batch, length, width])
        dValue.resize(to: [batch, length, width])
        dScores.resize(to: [sliceCount, length, length])
        let scale = 1 / Float(headDimension).squareRoot()
        let (length, heads, headDimension) = (length, heads, headDimension)
        let (weights, dQuery, dKey, dValue) = (weights.pointer, dQuery.pointer, dKey.pointer, dValue.pointer)
        let scores = dScores.pointer
        forEachSlice { samples, part in
            let ds = scores + part * length * length
            for n in samples {
                for head in 0..<heads {
                    let offset = n * length * width + head * headDimension
                    let a = weights + (n * heads + head) * length * length
                    // dWeights (T, T) = dContext (T, d) @ v^T (d, T)
                    BLAS.gemm(transposeB: true, m: length, n: length, k: headDimension,
                              a: dContext + offset, lda: width, b: v + offset, ldb: width,
                              beta: 0, c: ds, ldc: length)
                    // dV (T, d) = weights^T (T, T) @ dContext (T, d)
                    BLAS.gemm(transposeA: true, m: length, n: headDimension, k: length,
                              a: a, lda: length, b: dContext + offset, ldb: width,
                              beta: 0, c: dValue + offset, ldc: width)
                    // softmax backward: dScores = weights * (dWeights - rowsum(dWeights * weights))
                    for row in 0..<length {
                        let weightRow = a + row * length
                        let gradientRow = ds + row * length
                        var dot: Float = 0
                        for column in 0..<length { dot += weightRow[column] * gradientRow[column] }
                        for column in 0..<length { gradientRow[column] = weightRow[column] * (gradientRow[column] - dot) }
                    }
                    // dQ (T, d) = dScores (T, T) @ k (T, d) * scale
                    BLAS.gemm(m: length, n: headDimension, k: length, alpha: scale,
                              a: ds, lda: length, b: k + offset, ldb: width,
                              beta: 0, c: dQuery + offset, ldc: width)
                    // dK (T, d) = dScores^T (T, T) @ q (T, d) * scale
                    BLAS.gemm(transposeA: true, m: length, n: headDimension, k: length, alpha: scale,
                              a: ds, lda: length, b: q + offset, ldb: width,
                              beta: 0, c: dKey + offset, ldc: width)
                }
            }
        }
        dInput.copy(from: query.backward(self.dQuery))
        let fromKey = key.backward(self.dKey).pointer
        let fromValue = value.backward(self.dValue).pointer
        let dx = dInput.pointer
        for index in 0..<dInput.count { dx[index] += fromKey[index] + fromValue[index] }
        return dInput
    }
}
