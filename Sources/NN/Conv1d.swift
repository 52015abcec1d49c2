import Tensor

/// 1-D convolution with stride 1 and zero padding, as `torch.nn.Conv1d`, over channels-last
/// activations: input (N, L, Cin) -> output (N, Lout, Cout), Lout = L + 2 * padding - K + 1.
///
/// The whole batch is one matrix product: the input is unfolded into rows of K * Cin values
/// (im2col) and multiplied by the weight, repacked from PyTorch's (Cout, Cin, K) to (Cout, K * Cin).
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
    private let columns = Tensor(shape: [0])  // (N * Lout, K * Cin)
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

    /// input (N, L, Cin) -> output (N, Lout, Cout).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == inputChannels,
                     "Conv1d expects (N, L, \(inputChannels)), got \(input.shape)")
        batch = input.shape[0]
        length = input.shape[1]
        let outputLength = Im2col.outputLength(length: length, kernelSize: kernelSize, padding: padding)
        let rows = batch * outputLength
        let width = kernelSize * inputChannels
        packWeight()
        columns.resize(to: [rows, width])
        Im2col.unfold(input: input.pointer, batch: batch, length: length, channels: inputChannels,
                      kernelSize: kernelSize, padding: padding, columns: columns.pointer)
        output.resize(to: [batch, outputLength, outputChannels])
        let biasValues = store.value(bias)
        for row in 0..<rows {
            (output.pointer + row * outputChannels).update(from: biasValues, count: outputChannels)
        }
        // output (rows, Cout) += columns (rows, K*Cin) @ packedWeight^T (K*Cin, Cout)
        BLAS.gemm(transposeB: true, m: rows, n: outputChannels, k: width,
                  a: columns.pointer, lda: width, b: packedWeight.pointer, ldb: width,
                  beta: 1, c: output.pointer, ldc: outputChannels)
        return output
    }

    /// dOutput (N, Lout, Cout) -> dInput (N, L, Cin); adds the weight and bias gradients.
    /// The input gradient is skipped (nil) when the layer reads the model input.
    @discardableResult
    public func backward(_ dOutput: Tensor, computeInputGradient: Bool = true) -> Tensor? {
        let outputLength = Im2col.outputLength(length: length, kernelSize: kernelSize, padding: padding)
        let rows = batch * outputLength
        let width = kernelSize * inputChannels
        precondition(dOutput.count == rows * outputChannels, "Conv1d.backward: gradient shape \(dOutput.shape)")
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
