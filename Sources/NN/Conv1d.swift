import Tensor

/// 1-D convolution with stride 1 and zero padding, as `torch.nn.Conv1d`, over channels-last
/// activations: input (N, L, Cin) -> output (N, Lout, Cout), Lout = L + 2 * padding - K + 1.
///
/// The whole batch is one matrix product: the input is unfolded into rows of K * Cin values
/// (im2col) and multiplied by the weight, repacked from PyTorch's (Cout, Cin, K) to (Cout, K * Cin).
/// On our own kernels a "same" convolution skips the unfolding in the forward pass: channels-last,
/// the window of output row l is already K * Cin contiguous input values, so the product reads
/// overlapping input rows in place and only the padded edge rows get products of their own; the
/// backward pass unfolds the input when it needs the columns.
public final class Conv1d {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let padding: Int

    private let store: ParameterStore
    private let weight: ParameterStore.Slot  // (Cout, Cin, K)
    private let bias: ParameterStore.Slot    // (Cout)

    private let packedWeight: Tensor          // (Cout, K * Cin)
    private let packedWeightGradient: Tensor  // (Cout, K * Cin)
    private let columns = Tensor(shape: [0])  // (N * Lout, K * Cin): unfolded input, then dColumns
    private var input: Tensor?                // (N, L, Cin): the last forward pass's input
    private var columnsHoldInput = false      // whether `columns` is the unfolded last input
    /// The last forward pass's result, (N, Lout, Cout).
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient, (N, L, Cin).
    public let dInput = Tensor(shape: [0])
    private var batch = 0
    private var length = 0

    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, padding: Int,
        name: String, store: ParameterStore
    ) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.padding = padding
        self.store = store
        weight = store.addParameter(name: "\(name).weight", shape: [outputChannels, inputChannels, kernelSize])
        bias = store.addParameter(name: "\(name).bias", shape: [outputChannels])
        packedWeight = Tensor(shape: [outputChannels, kernelSize * inputChannels])
        packedWeightGradient = Tensor(shape: [outputChannels, kernelSize * inputChannels])
    }

    /// PyTorch's default: weight and bias uniform in ±1/sqrt(Cin * K).
    public func resetParameters(generator: inout SeededGenerator) {
        let bound = Initialization.fanInBound(fanIn: inputChannels * kernelSize)
        Initialization.uniform(store.value(weight), count: weight.count, bound: bound, generator: &generator)
        Initialization.uniform(store.value(bias), count: bias.count, bound: bound, generator: &generator)
    }

    /// input (N, L, Cin) -> output (N, Lout, Cout). Keeps a reference to the input for the
    /// backward pass (it must not change in between).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == inputChannels,
                     "Conv1d expects (N, L, \(inputChannels)), got \(input.shape)")
        self.input = input
        batch = input.shape[0]
        length = input.shape[1]
        let outputLength = Im2col.outputLength(length: length, kernelSize: kernelSize, padding: padding)
        packWeight()
        output.resize(to: [batch, outputLength, outputChannels])
        if BLAS.useOwnKernels && 2 * padding == kernelSize - 1 && length >= kernelSize {
            forwardInPlace(input)
            columnsHoldInput = false
            return output
        }
        let rows = batch * outputLength
        let width = kernelSize * inputChannels
        unfold(input)
        // output (rows, Cout) = columns (rows, K*Cin) @ packedWeight^T (K*Cin, Cout) + bias
        BLAS.gemm(transposeB: true, m: rows, n: outputChannels, k: width,
                  a: columns.pointer, lda: width, b: packedWeight.pointer, ldb: width,
                  beta: 0, c: output.pointer, ldc: outputChannels, bias: store.value(bias))
        return output
    }

    /// The forward product without unfolding, for a "same" convolution (Lout = L) on our own
    /// kernels (which accept overlapping rows, lda < k; cblas does not).
    private func forwardInPlace(_ input: Tensor) {
        let width = kernelSize * inputChannels
        let rowStride = length * inputChannels     // one sample of the input
        let outputStride = length * outputChannels  // one sample of the output
        // Rows whose whole window lies inside their sample: output row i reads the K input rows
        // from i - padding, contiguous. The rows at sample edges read across the boundary here and
        // are recomputed below.
        BLAS.gemm(transposeB: true, m: batch * length - 2 * padding, n: outputChannels, k: width,
                  a: input.pointer, lda: inputChannels, b: packedWeight.pointer, ldb: width,
                  beta: 0, c: output.pointer + padding * outputChannels, ldc: outputChannels, bias: store.value(bias))
        // Each edge row l, for all samples at once: only the taps that land inside the sample.
        for l in 0..<length where l < padding || l >= length - padding {
            let firstTap = Swift.max(0, padding - l)
            let lastTap = Swift.min(kernelSize, length + padding - l)  // exclusive
            BLAS.gemm(transposeB: true, m: batch, n: outputChannels, k: (lastTap - firstTap) * inputChannels,
                      a: input.pointer + (l - padding + firstTap) * inputChannels, lda: rowStride,
                      b: packedWeight.pointer + firstTap * inputChannels, ldb: width,
                      beta: 0, c: output.pointer + l * outputChannels, ldc: outputStride, bias: store.value(bias))
        }
    }

    /// columns (N * Lout, K * Cin) = the unfolded input.
    private func unfold(_ input: Tensor) {
        let outputLength = Im2col.outputLength(length: length, kernelSize: kernelSize, padding: padding)
        columns.resize(to: [batch * outputLength, kernelSize * inputChannels])
        Im2col.unfold(input: input.pointer, batch: batch, length: length, channels: inputChannels,
                      kernelSize: kernelSize, padding: padding, columns: columns.pointer)
        columnsHoldInput = true
    }

    /// dOutput (N, Lout, Cout) -> dInput (N, L, Cin); adds the weight and bias gradients.
    /// The input gradient is skipped (nil) when the layer reads the model input.
    @discardableResult
    public func backward(_ dOutput: Tensor, computeInputGradient: Bool = true) -> Tensor? {
        let outputLength = Im2col.outputLength(length: length, kernelSize: kernelSize, padding: padding)
        let rows = batch * outputLength
        let width = kernelSize * inputChannels
        precondition(dOutput.count == rows * outputChannels, "Conv1d.backward: gradient shape \(dOutput.shape)")
        guard let input else { preconditionFailure("Conv1d.backward before forward") }
        if !columnsHoldInput { unfold(input) }
        // dPacked (Cout, K*Cin) = dOutput^T (Cout, rows) @ columns (rows, K*Cin)
        BLAS.gemm(transposeA: true, m: outputChannels, n: width, k: rows,
                  a: dOutput.pointer, lda: outputChannels, b: columns.pointer, ldb: width,
                  beta: 0, c: packedWeightGradient.pointer, ldc: width)
        unpackWeightGradient()
        Kernels.addColumnSums(of: dOutput.pointer, rows: rows, columns: outputChannels,
                              into: store.gradient(bias))
        guard computeInputGradient else { return nil }
        // dColumns (rows, K*Cin) = dOutput (rows, Cout) @ packedWeight (Cout, K*Cin), into `columns`.
        BLAS.gemm(m: rows, n: width, k: outputChannels,
                  a: dOutput.pointer, lda: outputChannels, b: packedWeight.pointer, ldb: width,
                  beta: 0, c: columns.pointer, ldc: width)
        columnsHoldInput = false
        dInput.resize(to: [batch, length, inputChannels], zero: true)
        Im2col.fold(columns: columns.pointer, batch: batch, length: length, channels: inputChannels,
                    kernelSize: kernelSize, padding: padding, dInput: dInput.pointer)
        return dInput
    }

    /// packed[o, k * Cin + c] = weight[o, c, k]
    private func packWeight() {
        let source = store.value(weight)
        let destination = packedWeight.pointer
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for k in 0..<kernelSize {
                    destination[(o * kernelSize + k) * inputChannels + c] =
                        source[(o * inputChannels + c) * kernelSize + k]
                }
            }
        }
    }

    /// gradient[o, c, k] += packedGradient[o, k * Cin + c]
    private func unpackWeightGradient() {
        let source = packedWeightGradient.pointer
        let destination = store.gradient(weight)
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for k in 0..<kernelSize {
                    destination[(o * inputChannels + c) * kernelSize + k] +=
                        source[(o * kernelSize + k) * inputChannels + c]
                }
            }
        }
    }
}
