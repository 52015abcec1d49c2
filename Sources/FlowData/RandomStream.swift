import Tensor

/// Independent random streams for the steps that need one, derived from the split seed.
enum RandomStream: UInt64 {
    case classCap = 1
    case validationSplit = 2

    func generator(seed: UInt64) -> SeededGenerator {
        SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ rawValue)
    }
}
