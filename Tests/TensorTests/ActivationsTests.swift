import Foundation
import Tensor
import Testing

@Suite("Vectorised activations")
struct ActivationsTests {
    @Test func expSigmoidAndTanhMatchLibm() {
        var worstExp: Float = 0, worstSigmoid: Float = 0, worstTanh: Float = 0
        var x: Float = -30
        while x <= 30 {
            worstExp = max(worstExp, abs(Activations.exp(x) - expf(x)) / expf(x))
            worstSigmoid = max(worstSigmoid, abs(Activations.sigmoid(x) - 1 / (1 + expf(-x))))
            worstTanh = max(worstTanh, abs(Activations.tanh(x) - tanhf(x)))
            x += 0.001
        }
        #expect(worstExp < 1e-6)
        #expect(worstSigmoid <= 1.2e-7)  // one ulp at 1.0
        #expect(worstTanh <= 2.4e-7)
        #expect(Activations.exp(-1000) == 0 || Activations.exp(-1000) < 1e-37)
        #expect(Activations.sigmoid(1000) == 1 && Activations.sigmoid(-1000) < 1e-37)
        #expect(Activations.tanh(100) == 1 && Activations.tanh(-100) == -1)
    }
}
