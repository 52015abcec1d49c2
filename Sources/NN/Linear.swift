import Tensor

/// y = x W^T + b, as `torch.nn.Linear`: input (..., In) -> output (..., Out); all leading
/// dimensions are treated as rows of one matrix product.
public final class Linear {
    public let inputFeatures: Int
    public let outputFeatures: Int

    private let store: ParameterStore
    private let weight: ParameterStore.Slot  // (Out, In)
    private let bias: ParameterStore.Slot    // (Out)

    /// The last forward pass's result, (..., Out).
    public let output = Tensor(shape: [0])
    /// The last backward pass's input gradient, (..., In).
    public let dInput = Tensor(shape: [0])
    private var input: Tensor?
    private var rows = 0

    public init(inputFeatures: Int, outputFeatures: Int, name: String, store: ParameterStore) {
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        self.store = store
        weight = store.addParameter(name: "\(name).weight", shape: [outputFeatures, inputFeatures])
        bias = store.addParameter(name: "\(name).bias", shape: [outputFeatures])
    }

    /// PyTorch's default: weight and bias uniform in ±1/sqrt(In).
    public func resetParameters(generator: inout SeededGenerator) {
        let bound = Initialization.fanInBound(fanIn: inputFeatures)
        Initialization.uniform(store.value(weight), count: weight.count, bound: bound, generator: &generator)
        Initialization.uniform(store.value(bias), count: bias.count, bound: bound, generator: &generator)
    }

    /// input (..., In) -> output (..., Out). Keeps a reference to the input for the backward pass.
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == inputFeatures, "Linear expects (..., \(inputFeatures)), got \(input.shape)")
        self.input = input
        rows = input.count / inputFeatures
        var shape = input.shape
        shape[shape.count - 1] = outputFeatures
        output.resize(to: shape)
        // output (rows, Out) = input (rows, In) @ W^T (In, Out) + b
        BLAS.gemm(transposeB: true, m: rows, n: outputFeatures, k: inputFeatures,
                  a: input.pointer, lda: inputFeatures, b: store.value(weight), ldb: inputFeatures,
                  beta: 0, c: output.pointer, ldc: outputFeatures, bias: store.value(bias))
        return output
    }

    /// dOutput (..., Out) -> dInput (..., In); adds the weight and bias gradients.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("Linear.backward before forward") }
        precondition(dOutput.count == rows * outputFeatures, "Linear.backward: gradient shape \(dOutput.shape)")
        // dW (Out, In) += dOutput^T (Out, rows) @ input (rows, In)
        BLAS.gemm(transposeA: true, m: outputFeatures, n: inputFeatures, k: rows,
                  a: dOutput.pointer, lda: outputFeatures, b: input.pointer, ldb: inputFeatures,
                  beta: 1, c: store.gradient(weight), ldc: inputFeatures)
        Kernels.addColumnSums(of: dOutput.pointer, rows: rows, columns: outputFeatures,
                              into: store.gradient(bias))
        // dInput (rows, In) = dOutput (rows, Out) @ W (Out, In)
        dInput.resize(to: input.shape)
        BLAS.gemm(m: rows, n: inputFeatures, k: outputFeatures,
                  a: dOutput.pointer, lda: outputFeatures, b: store.value(weight), ldb: inputFeatures,
                  beta: 0, c: dInput.pointer, ldc: inputFeatures)
        return dInput
    }
}
