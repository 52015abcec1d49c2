import Foundation
import NN
import Tensor
import Testing

@Suite("Adam, clipping, ReduceLROnPlateau, dropout")
struct OptimizerTests {
    /// A store with one parameter vector, for optimiser arithmetic.
    func store(values: [Float], gradients: [Float]) throws -> ParameterStore {
        let store = ParameterStore()
        _ = store.addParameter(name: "w", shape: [values.count])
        store.allocate()
        try store.setValues(values, of: store.entries[0])
        for (index, gradient) in gradients.enumerated() { store.gradients[index] = gradient }
        return store
    }

    @Test func adamMatchesTheFormulaOverTwoStepsWithWeightDecay() throws {
        let parameters = try store(values: [1, -2], gradients: [0.5, 0.25])
        let adam = Adam(parameters: parameters, learningRate: 0.1, weightDecay: 0.01)
        var p: [Double] = [1, -2], m: [Double] = [0, 0], v: [Double] = [0, 0]
        for step in 1...2 {
            adam.update()
            for i in 0..<2 {
                let g = [0.5, 0.25][i] + 0.01 * p[i]
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                let mHat = m[i] / (1 - pow(0.9, Double(step)))
                let denominator = (v[i] / (1 - pow(0.999, Double(step)))).squareRoot() + 1e-8
                p[i] -= 0.1 * mHat / denominator
            }
        }
        #expect(adam.step == 2)
        for i in 0..<2 { #expect(abs(Double(parameters.parameters[i]) - p[i]) < 1e-6) }
    }

    @Test func clippingScalesOnlyAboveTheLimitAndReturnsTheNormBefore() throws {
        let parameters = try store(values: [0, 0], gradients: [3, 4])
        #expect(GradientClipping.clip(parameters, maximumNorm: 10) == 5)
        #expect(parameters.gradients[0] == 3)
        #expect(GradientClipping.clip(parameters, maximumNorm: 1) == 5)
        let clipped = (Double(parameters.gradients[0]) * Double(parameters.gradients[0])
            + Double(parameters.gradients[1]) * Double(parameters.gradients[1])).squareRoot()
        #expect(abs(clipped - 1) < 1e-5)
    }

    @Test func plateauReducesAfterPatienceAndHonoursCooldownAndMinimum() {
        var scheduler = ReduceLROnPlateau(mode: .min, factor: 0.5, patience: 2, cooldown: 1, minimumLearningRate: 0.2)
        var lr = 1.0
        // Epoch 1 improves from infinity; 2, 3 are bad (patience 2); the 3rd bad epoch reduces.
        for metric in [1.0, 1.0, 1.0] { lr = scheduler.step(metric: metric, learningRate: lr) }
        #expect(lr == 1.0)
        lr = scheduler.step(metric: 1.0, learningRate: lr)
        #expect(lr == 0.5)
        // The cooldown epoch resets the count, so three more bad epochs pass before the next cut.
        for _ in 0..<3 { lr = scheduler.step(metric: 1.0, learningRate: lr) }
        #expect(lr == 0.5)
        lr = scheduler.step(metric: 1.0, learningRate: lr)
        #expect(lr == 0.25)
        // 0.25 * 0.5 would go below the minimum learning rate.
        for _ in 0..<4 { lr = scheduler.step(metric: 1.0, learningRate: lr) }
        #expect(lr == 0.2)
        // A relative improvement smaller than the threshold does not count.
        var strict = ReduceLROnPlateau(mode: .max, patience: 0)
        _ = strict.step(metric: 1.0, learningRate: 1)
        #expect(strict.step(metric: 1.00001, learningRate: 1) == 0.1)
    }

    @Test func dropoutIsInvertedSeededAndInactiveInEvaluation() {
        let layer = Dropout(probability: 0.25)
        let input = Tensor(shape: [10_000])
        for index in 0..<input.count { input[flat: index] = 1 }
        var generator = SeededGenerator(seed: 3)
        var replay = generator
        let output = layer.forward(input, training: true, generator: &generator).toArray()
        let zeros = output.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 10_000 - 0.25) < 0.02)
        #expect(output.allSatisfy { $0 == 0 || abs($0 - 4 / 3) < 1e-6 })
        let again = Dropout(probability: 0.25).forward(input, training: true, generator: &replay).toArray()
        #expect(again == output)
        let gradient = layer.backward(input).toArray()
        #expect(gradient == output)
        #expect(layer.forward(input, training: false, generator: &generator) === input)
    }
}
