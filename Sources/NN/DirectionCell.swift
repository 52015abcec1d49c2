import Tensor

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
    private let combinedBias: Tensor                // (4H): b_ih + b_hh
    private let biasGradient: Tensor                // (4H): column sums of dGates
    private let recurrentWeights = PackedMatrix()   // W_hh^T (H, 4H) for the forward steps
    private let recurrentWeightsBackward = PackedMatrix()  // W_hh (4H, H) for the backward steps
    private var batch = 0
    private var length = 0

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
        biasGradient = Tensor(shape: [4 * hiddenSize])
    }

    func resetParameters(generator: inout SeededGenerator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for slot in [weightInput, weightHidden, biasInput, biasHidden] {
            Initialization.uniform(store.value(slot), count: slot.count, bound: bound, generator: &generator)
        }
    }

    /// The time index of step s.
    @inline(__always)
    private func time(step: Int) -> Int { reverse ? length - 1 - step : step }

    /// Before the step loops: gates (N*L, 4H) = input (N*L, In) @ W_ih^T + (b_ih + b_hh) for every
    /// time step at once, and W_hh^T packed for the steps.
    func project(input: Tensor) {
        (batch, length) = (input.shape[0], input.shape[1])
        let gateWidth = 4 * hiddenSize
        gates.resize(to: [batch, length, gateWidth])
        cellStates.resize(to: [batch, length, hiddenSize])
        cellTanhs.resize(to: [batch, length, hiddenSize])
        let bi = store.value(biasInput)
        let bh = store.value(biasHidden)
        let bias = combinedBias.pointer
        for j in 0..<gateWidth { bias[j] = bi[j] + bh[j] }
        BLAS.gemm(transposeB: true, m: batch * length, n: gateWidth, k: inputSize,
                  a: input.pointer, lda: inputSize, b: store.value(weightInput), ldb: inputSize,
                  beta: 0, c: gates.pointer, ldc: gateWidth, bias: combinedBias.pointer)
        recurrentWeights.pack(transpose: true, k: hiddenSize, n: gateWidth, b: store.value(weightHidden), ldb: hiddenSize)
    }

    /// The forward steps of the samples in `samples`: their h in columns of output (N, L, D * H).
    func recur(samples: Range<Int>, output: Tensor) {
        guard !samples.isEmpty else { return }
        let h = hiddenSize
        let gateWidth = 4 * h
        let outputWidth = directionCount * h
        let first = samples.lowerBound
        let hiddenColumn = directionIndex * h
        for step in 0..<length {
            let t = time(step: step)
            let stepGates = gates.pointer + (first * length + t) * gateWidth  // rows strided by L * 4H
            var previousCell: UnsafePointer<Float>?
            if step > 0 {
                let previous = time(step: step - 1)
                // gates_t (B, 4H) += h_{t-1} (B, H) @ W_hh^T (H, 4H)
                BLAS.gemm(m: samples.count, n: gateWidth, k: h,
                          a: output.pointer + (first * length + previous) * outputWidth + hiddenColumn,
                          lda: length * outputWidth, packedB: recurrentWeights,
                          beta: 1, c: stepGates, ldc: length * gateWidth)
                previousCell = UnsafePointer(cellStates.pointer + (first * length + previous) * h)
            }
            LSTMKernels.stepForward(
                batch: samples.count, hiddenSize: h, gates: stepGates, gateStride: length * gateWidth,
                previousCell: previousCell,
                cell: cellStates.pointer + (first * length + t) * h, cellTanh: cellTanhs.pointer + (first * length + t) * h,
                cellStride: length * h,
                hidden: output.pointer + (first * length + t) * outputWidth + hiddenColumn, hiddenStride: length * outputWidth)
        }
    }

    /// Before the backward step loops: buffers sized and zeroed, W_hh packed for dh_{t-1}.
    func prepareBackward(batch: Int, length: Int) {
        precondition(batch == self.batch && length == self.length, "LSTM.backward does not match the last forward pass")
        let h = hiddenSize
        dGates.resize(to: [batch, length, 4 * h])
        previousHidden.resize(to: [batch, length, h])
        dHiddenNext.resize(to: [batch, h], zero: true)
        dCellNext.resize(to: [batch, h], zero: true)
        recurrentWeightsBackward.pack(transpose: false, k: 4 * h, n: h, b: store.value(weightHidden), ldb: h)
    }

    /// The backward steps of the samples in `samples`, given the gradient of the whole layer
    /// output (N, L, D * H): fills their rows of dGates and of h_{t-1}.
    func recurBackward(samples: Range<Int>, output: Tensor, dOutput: Tensor) {
        guard !samples.isEmpty else { return }
        let h = hiddenSize
        let gateWidth = 4 * h
        let outputWidth = directionCount * h
        let first = samples.lowerBound
        let hiddenColumn = directionIndex * h
        for step in stride(from: length - 1, through: 0, by: -1) {
            let t = time(step: step)
            let previous = step > 0 ? time(step: step - 1) : -1
            let row = first * length + t  // the slice's first row of step t
            LSTMKernels.stepBackward(
                batch: samples.count, hiddenSize: h,
                gates: gates.pointer + row * gateWidth, gateStride: length * gateWidth,
                cellTanh: cellTanhs.pointer + row * h,
                previousCell: previous >= 0 ? UnsafePointer(cellStates.pointer + (first * length + previous) * h) : nil,
                cellStride: length * h,
                dOutput: dOutput.pointer + row * outputWidth + hiddenColumn, dOutputStride: length * outputWidth,
                dHiddenNext: dHiddenNext.pointer + first * h, dCellNext: dCellNext.pointer + first * h, nextStride: h,
                dGates: dGates.pointer + row * gateWidth, dGateStride: length * gateWidth)
            // h_{t-1} for the weight gradient, zero at the first step.
            for n in samples {
                let saved = previousHidden.pointer + (n * length + t) * h
                if previous >= 0 {
                    saved.update(from: output.pointer + (n * length + previous) * outputWidth + hiddenColumn, count: h)
                } else {
                    saved.update(repeating: 0, count: h)
                }
            }
            if previous >= 0 {
                // dh_{t-1} (B, H) = dGates_t (B, 4H) @ W_hh (4H, H)
                BLAS.gemm(m: samples.count, n: h, k: gateWidth,
                          a: dGates.pointer + row * gateWidth, lda: length * gateWidth,
                          packedB: recurrentWeightsBackward,
                          beta: 0, c: dHiddenNext.pointer + first * h, ldc: h)
            }
        }
    }

    /// After the backward step loops: adds the weight and bias gradients and this direction's
    /// contribution to dInput (N, L, In).
    func accumulateGradients(input: Tensor, dInput: Tensor) {
        let h = hiddenSize
        let gateWidth = 4 * h
        let rows = batch * length
        // dW_hh (4H, H) += dGates^T (4H, N*L) @ h_prev (N*L, H)
        BLAS.gemm(transposeA: true, m: gateWidth, n: h, k: rows,
                  a: dGates.pointer, lda: gateWidth, b: previousHidden.pointer, ldb: h,
                  beta: 1, c: store.gradient(weightHidden), ldc: h)
        // dW_ih (4H, In) += dGates^T (4H, N*L) @ input (N*L, In)
        BLAS.gemm(transposeA: true, m: gateWidth, n: inputSize, k: rows,
                  a: dGates.pointer, lda: gateWidth, b: input.pointer, ldb: inputSize,
                  beta: 1, c: store.gradient(weightInput), ldc: inputSize)
        // Both biases get the column sums of dGates.
        biasGradient.zero()
        Kernels.addColumnSums(of: dGates.pointer, rows: rows, columns: gateWidth, into: biasGradient.pointer)
        let dBiasInput = store.gradient(biasInput)
        let dBiasHidden = store.gradient(biasHidden)
        for j in 0..<gateWidth {
            dBiasInput[j] += biasGradient.pointer[j]
            dBiasHidden[j] += biasGradient.pointer[j]
        }
        // dInput (N*L, In) += dGates (N*L, 4H) @ W_ih (4H, In)
        BLAS.gemm(m: rows, n: inputSize, k: gateWidth,
                  a: dGates.pointer, lda: gateWidth, b: store.value(weightInput), ldb: inputSize,
                  beta: 1, c: dInput.pointer, ldc: inputSize)
    }
}
