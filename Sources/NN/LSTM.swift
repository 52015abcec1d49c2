import Tensor

/// A multi-layer, optionally bidirectional LSTM, as `torch.nn.LSTM(batch_first=True)` with zero
/// initial state: input (N, L, In) -> output (N, L, D * H), D = 2 when bidirectional (forward
/// direction's h in the first H columns, the reverse direction's in the last H).
///
/// Gate order is PyTorch's (i, f, g, o). The input projection of every time step is one matrix
/// product per direction; each step then adds h_{t-1} W_hh^T in place and applies the gate
/// nonlinearities with vectorised passes.
public final class LSTM {
    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    public let bidirectional: Bool
    public var directionCount: Int { bidirectional ? 2 : 1 }

    private let store: ParameterStore
    private var cells: [DirectionCell] = []  // index layer * D + direction
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
            for direction in 0..<directions {
                let suffix = "l\(layer)" + (direction == 1 ? "_reverse" : "")
                cells.append(DirectionCell(
                    inputSize: layerInput, hiddenSize: hiddenSize, reverse: direction == 1,
                    directionIndex: direction, directionCount: directions,
                    name: name, suffix: suffix, store: store))
            }
            layerOutputs.append(Tensor(shape: [0]))
            layerInputGradients.append(Tensor(shape: [0]))
        }
    }

    /// The last forward pass's result, (N, L, D * H).
    public var output: Tensor { layerOutputs[layerCount - 1] }

    /// PyTorch's default: every weight and bias uniform in ±1/sqrt(H).
    public func resetParameters(generator: inout SeededGenerator) {
        for cell in cells { cell.resetParameters(generator: &generator) }
    }

    /// input (N, L, In) -> output (N, L, D * H).
    @discardableResult
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.shape.count == 3 && input.shape[2] == inputSize,
                     "LSTM expects (N, L, \(inputSize)), got \(input.shape)")
        self.input = input
        var layerInput = input
        for layer in 0..<layerCount {
            let layerOutput = layerOutputs[layer]
            layerOutput.resize(to: [input.shape[0], input.shape[1], hiddenSize * directionCount])
            for direction in 0..<directionCount {
                cells[layer * directionCount + direction].forward(input: layerInput, output: layerOutput)
            }
            layerInput = layerOutput
        }
        return output
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
            for direction in 0..<directionCount {
                cells[layer * directionCount + direction].backward(
                    input: layerInput, output: layerOutputs[layer], dOutput: upstream, dInput: dLayerInput)
            }
            upstream = dLayerInput
        }
        return upstream
    }
}

/// One direction of one LSTM layer: its parameters, the saved gates and cell states, and the
/// step loops. Writes its h into columns [d * H, (d + 1) * H) of the layer output.
final class DirectionCell {
    let inputSize: Int
    let hiddenSize: Int
    let reverse: Bool
    let directionIndex: Int
    let directionCount: Int

    private let store: ParameterStore
    private let weightInput: ParameterStore.Slot   // (4H, In)
    private let weightHidden: ParameterStore.Slot  // (4H, H)
    private let biasInput: ParameterStore.Slot     // (4H)
    private let biasHidden: ParameterStore.Slot    // (4H)

    private let gates = Tensor(shape: [0])          // (N, L, 4H): activated i, f, g, o
    private let cellStates = Tensor(shape: [0])     // (N, L, H)
    private let cellTanhs = Tensor(shape: [0])      // (N, L, H): tanh(c_t), reused by backward
    private let dGates = Tensor(shape: [0])         // (N, L, 4H)
    private let previousHidden = Tensor(shape: [0]) // (N, L, H): h_{t-1} per step, 0 at the first
    private let dHiddenNext = Tensor(shape: [0])    // (N, H)
    private let dCellNext = Tensor(shape: [0])      // (N, H)
    private let zeroRow: Tensor                     // (H): the cell state before the first step
    private let combinedBias: Tensor                 // (4H): b_ih + b_hh

    init(inputSize: Int, hiddenSize: Int, reverse: Bool, directionIndex: Int, directionCount: Int,
         name: String, suffix: String, store: ParameterStore) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.reverse = reverse
        self.directionIndex = directionIndex
        self.directionCount = directionCount
        self.store = store
        weightInput = store.addParameter(name: "\(name).weight_ih_\(suffix)", shape: [4 * hiddenSize, inputSize])
        weightHidden = store.addParameter(name: "\(name).weight_hh_\(suffix)", shape: [4 * hiddenSize, hiddenSize])
        biasInput = store.addParameter(name: "\(name).bias_ih_\(suffix)", shape: [4 * hiddenSize])
        biasHidden = store.addParameter(name: "\(name).bias_hh_\(suffix)", shape: [4 * hiddenSize])
        combinedBias = Tensor(shape: [4 * hiddenSize])
        zeroRow = Tensor(shape: [hiddenSize])
    }

    func resetParameters(generator: inout SeededGenerator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for slot in [weightInput, weightHidden, biasInput, biasHidden] {
            Initialization.uniform(store.value(slot), count: slot.count, bound: bound, generator: &generator)
        }
    }

    /// The time index of step s.
    @inline(__always)
    private func time(step: Int, length: Int) -> Int { reverse ? length - 1 - step : step }

    /// input (N, L, In) -> columns of output (N, L, D * H).
    func forward(input: Tensor, output: Tensor) {
        let (batch, length) = (input.shape[0], input.shape[1])
        let h = hiddenSize
        let gateWidth = 4 * h
        let outputWidth = directionCount * h
        let rows = batch * length
        gates.resize(to: [batch, length, gateWidth])
        cellStates.resize(to: [batch, length, h])
        cellTanhs.resize(to: [batch, length, h])

        // gates (N*L, 4H) = input (N*L, In) @ W_ih^T + (b_ih + b_hh)
        let bi = store.value(biasInput)
        let bh = store.value(biasHidden)
        let bias = combinedBias.pointer
        for j in 0..<gateWidth { bias[j] = bi[j] + bh[j] }
        for row in 0..<rows { (gates.pointer + row * gateWidth).update(from: bias, count: gateWidth) }
        BLAS.gemm(transposeB: true, m: rows, n: gateWidth, k: inputSize,
                  a: input.pointer, lda: inputSize, b: store.value(weightInput), ldb: inputSize,
                  beta: 1, c: gates.pointer, ldc: gateWidth)

        let hiddenColumn = directionIndex * h
        for step in 0..<length {
            let t = time(step: step, length: length)
            let stepGates = gates.pointer + t * gateWidth  // rows strided by L * 4H
            if step > 0 {
                let previous = time(step: step - 1, length: length)
                // gates_t (N, 4H) += h_{t-1} (N, H) @ W_hh^T (H, 4H)
                BLAS.gemm(transposeB: true, m: batch, n: gateWidth, k: h,
                          a: output.pointer + previous * outputWidth + hiddenColumn, lda: length * outputWidth,
                          b: store.value(weightHidden), ldb: h,
                          beta: 1, c: stepGates, ldc: length * gateWidth)
            }
            for n in 0..<batch {
                let g = stepGates + n * length * gateWidth
                let cell = cellStates.pointer + (n * length + t) * h
                let cellTanh = cellTanhs.pointer + (n * length + t) * h
                let hidden = output.pointer + (n * length + t) * outputWidth + hiddenColumn
                // i, f, o through sigmoid and g through tanh, in place.
                Activations.sigmoid(g, count: 2 * h)
                Activations.tanh(g + 2 * h, count: h)
                Activations.sigmoid(g + 3 * h, count: h)
                if step > 0 {
                    let previousCell = cellStates.pointer + (n * length + time(step: step - 1, length: length)) * h
                    for j in 0..<h { cell[j] = g[h + j] * previousCell[j] + g[j] * g[2 * h + j] }
                } else {
                    for j in 0..<h { cell[j] = g[j] * g[2 * h + j] }
                }
                for j in 0..<h {
                    let squashed = Activations.tanh(cell[j])
                    cellTanh[j] = squashed
                    hidden[j] = g[3 * h + j] * squashed
                }
            }
        }
    }

    /// Adds this direction's contribution to dInput (N, L, In) and its parameter gradients,
    /// given the gradient of the whole layer output (N, L, D * H).
    func backward(input: Tensor, output: Tensor, dOutput: Tensor, dInput: Tensor) {
        let (batch, length) = (input.shape[0], input.shape[1])
        let h = hiddenSize
        let gateWidth = 4 * h
        let outputWidth = directionCount * h
        let rows = batch * length
        let hiddenColumn = directionIndex * h
        dGates.resize(to: [batch, length, gateWidth])
        previousHidden.resize(to: [batch, length, h])
        dHiddenNext.resize(to: [batch, h], zero: true)
        dCellNext.resize(to: [batch, h], zero: true)

        for step in stride(from: length - 1, through: 0, by: -1) {
            let t = time(step: step, length: length)
            let previous = step > 0 ? time(step: step - 1, length: length) : -1
            for n in 0..<batch {
                let g = gates.pointer + (n * length + t) * gateWidth
                let dg = dGates.pointer + (n * length + t) * gateWidth
                let cellTanh = cellTanhs.pointer + (n * length + t) * h
                let dy = dOutput.pointer + (n * length + t) * outputWidth + hiddenColumn
                let dhNext = dHiddenNext.pointer + n * h
                let dcNext = dCellNext.pointer + n * h
                let previousCell = previous >= 0 ? cellStates.pointer + (n * length + previous) * h : zeroRow.pointer
                for j in 0..<h {
                    let inputGate = g[j], forgetGate = g[h + j], candidate = g[2 * h + j], outputGate = g[3 * h + j]
                    let tanhCell = cellTanh[j]
                    let dHidden = dy[j] + dhNext[j]
                    let dCell = dHidden * outputGate * (1 - tanhCell * tanhCell) + dcNext[j]
                    let cPrevious = previousCell[j]
                    dg[j] = dCell * candidate * inputGate * (1 - inputGate)
                    dg[h + j] = dCell * cPrevious * forgetGate * (1 - forgetGate)
                    dg[2 * h + j] = dCell * inputGate * (1 - candidate * candidate)
                    dg[3 * h + j] = dHidden * tanhCell * outputGate * (1 - outputGate)
                    dcNext[j] = dCell * forgetGate
                }
                // h_{t-1} for the weight gradient, zero at the first step.
                let saved = previousHidden.pointer + (n * length + t) * h
                if previous >= 0 {
                    saved.update(from: output.pointer + (n * length + previous) * outputWidth + hiddenColumn, count: h)
                } else {
                    saved.update(repeating: 0, count: h)
                }
            }
            if previous >= 0 {
                // dh_{t-1} (N, H) = dGates_t (N, 4H) @ W_hh (4H, H)
                BLAS.gemm(m: batch, n: h, k: gateWidth,
                          a: dGates.pointer + t * gateWidth, lda: length * gateWidth,
                          b: store.value(weightHidden), ldb: h,
                          beta: 0, c: dHiddenNext.pointer, ldc: h)
            }
        }
        // dW_hh (4H, H) += dGates^T (4H, N*L) @ h_prev (N*L, H)
        BLAS.gemm(transposeA: true, m: gateWidth, n: h, k: rows,
                  a: dGates.pointer, lda: gateWidth, b: previousHidden.pointer, ldb: h,
                  beta: 1, c: store.gradient(weightHidden), ldc: h)
        // dW_ih (4H, In) += dGates^T (4H, N*L) @ input (N*L, In)
        BLAS.gemm(transposeA: true, m: gateWidth, n: inputSize, k: rows,
                  a: dGates.pointer, lda: gateWidth, b: input.pointer, ldb: inputSize,
                  beta: 1, c: store.gradient(weightInput), ldc: inputSize)
        Kernels.addColumnSums(of: dGates.pointer, rows: rows, columns: gateWidth, into: store.gradient(biasInput))
        Kernels.addColumnSums(of: dGates.pointer, rows: rows, columns: gateWidth, into: store.gradient(biasHidden))
        // dInput (N*L, In) += dGates (N*L, 4H) @ W_ih (4H, In)
        BLAS.gemm(m: rows, n: inputSize, k: gateWidth,
                  a: dGates.pointer, lda: gateWidth, b: store.value(weightInput), ldb: inputSize,
                  beta: 1, c: dInput.pointer, ldc: inputSize)
    }
}
