import Tensor

/// A multi-layer, optionally bidirectional LSTM, as `torch.nn.LSTM(batch_first=True)` with zero
/// initial state: input (N, L, In) -> output (N, L, D * H), D = 2 when bidirectional (forward
/// direction's h in the first H columns, the reverse direction's in the last H).
///
/// Gate order is PyTorch's (i, f, g, o). The input projection of every time step is one matrix
/// product per direction; each step then adds h_{t-1} W_hh^T in place (W_hh packed once per pass)
/// and applies the gate nonlinearities in one vectorised pass. Samples are independent through
/// time, so the step loops of each direction run on slices of the batch in parallel (directions
/// too), with no synchronisation between steps.
public final class LSTM {
    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    public let bidirectional: Bool
    public var directionCount: Int { bidirectional ? 2 : 1 }

    private let store: ParameterStore
    private var cells: [[DirectionCell]] = []  // [layer][direction]
    /// Each layer's output, (N, L, D * H); the last one is the LSTM's output.
    private var layerOutputs: [Tensor] = []
    /// Each layer's input gradient, (N, L, In_layer).
    private var layerInputGradients: [Tensor] = []
    private var input: Tensor?

    public init(inputSize: Int, hiddenSize: Int, layerCount: Int, bidirectional: Bool,
                name: String, store: ParameterStore) {
        precondition(layerCount >= 1 && hiddenSize >= 1)
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.bidirectional = bidirectional
        self.store = store
        let directions = bidirectional ? 2 : 1
        for layer in 0..<layerCount {
            let layerInput = layer == 0 ? inputSize : hiddenSize * directions
            cells.append((0..<directions).map { direction in
                DirectionCell(
                    inputSize: layerInput, hiddenSize: hiddenSize, reverse: direction == 1,
                    directionIndex: direction, directionCount: directions,
                    name: name, suffix: "l\(layer)" + (direction == 1 ? "_reverse" : ""), store: store)
            })
            layerOutputs.append(Tensor(shape: [0]))
            layerInputGradients.append(Tensor(shape: [0]))
        }
    }

    /// The last forward pass's result, (N, L, D * H).
    public var output: Tensor { layerOutputs[layerCount - 1] }

    /// PyTorch's default: every weight and bias uniform in ±1/sqrt(H).
    public func resetParameters(generator: inout SeededGenerator) {
        for layerCells in cells {
            for cell in layerCells { cell.resetParameters(generator: &generator) }
        }
    }

    /// input (N, L, In) -> output (N, L, D * H).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == inputSize,
                     "LSTM expects (N, L, \(inputSize)), got \(input.shape)")
        self.input = input
        let batch = input.shape[0]
        var layerInput = input
        for layer in 0..<layerCount {
            let layerOutput = layerOutputs[layer]
            layerOutput.resize(to: [batch, input.shape[1], hiddenSize * directionCount])
            let layerCells = cells[layer]
            for cell in layerCells { cell.project(input: layerInput) }
            forEachSlice(batch: batch) { direction, samples in
                layerCells[direction].recur(samples: samples, output: layerOutput)
            }
            layerInput = layerOutput
        }
        return output
    }

    /// Runs body(direction, samples) for every direction and slice of the batch, in parallel on our
    /// own kernels (one slice per thread and direction), serially on OpenBLAS (its own threads).
    private func forEachSlice(batch: Int, _ body: (Int, Range<Int>) -> Void) {
        let directions = directionCount
        let concurrent = BLAS.useOwnKernels
        let slices = concurrent ? Swift.min(batch, Swift.max(1, Parallel.threadCount / directions)) : 1
        Parallel.forEach(parts: directions * slices, concurrently: concurrent) { part in
            body(part % directions, Parallel.range(part: part / directions, of: slices, count: batch))
        }
    }

    /// dOutput (N, L, D * H) -> dInput (N, L, In); adds every weight and bias gradient.
    @discardableResult
    public func backward(_ dOutput: Tensor) -> Tensor {
        guard let input else { preconditionFailure("LSTM.backward before forward") }
        var upstream = dOutput
        for layer in stride(from: layerCount - 1, through: 0, by: -1) {
            let layerInput = layer == 0 ? input : layerOutputs[layer - 1]
            let dLayerInput = layerInputGradients[layer]
            dLayerInput.resize(to: layerInput.shape, zero: true)
            let layerCells = cells[layer]
            let layerOutput = layerOutputs[layer]
            let dLayerOutput = upstream
            for cell in layerCells { cell.prepareBackward(batch: layerInput.shape[0], length: layerInput.shape[1]) }
            forEachSlice(batch: layerInput.shape[0]) { direction, samples in
                layerCells[direction].recurBackward(samples: samples, output: layerOutput, dOutput: dLayerOutput)
            }
            for cell in layerCells { cell.accumulateGradients(input: layerInput, dInput: dLayerInput) }
            upstream = dLayerInput
        }
        return upstream
    }
}
