import CKernels
import Foundation

/// A seeded xoshiro256** generator whose whole state is four integers, so training can save and
/// restore it for exact continuation.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The generator state as four words (never all zero), for checkpoints.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator whose state is derived from `seed` with SplitMix64 (as xoshiro's authors advise).
    public init(seed: UInt64) {
        var mix = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
    }

    /// A generator restored from a saved state; throws unless it is four words, not all zero.
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw TensorError.shapeMismatch("a generator state is four integers, not all zero; got \(state)")
        }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let shifted = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= shifted
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Float in [lower, upper).
    public mutating func nextUniform(from lower: Float, to upper: Float) -> Float {
        lower + (upper - lower) * nextUnitFloat()
    }

    /// A standard normal sample (Box-Muller, one value per call).
    public mutating func nextNormal() -> Float {
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2))
    }

    /// Inverted dropout over `count` values with one `nextUnitFloat` draw each, in order:
    /// mask = draw >= probability ? scale : 0, output = input * mask.
    public mutating func dropout(
        probability: Float, scale: Float, input: UnsafePointer<Float>,
        mask: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, count: Int
    ) {
        var words = (s0, s1, s2, s3)  // a homogeneous tuple is laid out as an array
        withUnsafeMutableBytes(of: &words) { bytes in
            ckernels_dropout(bytes.baseAddress?.assumingMemoryBound(to: UInt64.self), count, probability, scale,
                             input, mask, output)
        }
        (s0, s1, s2, s3) = words
    }

    /// An integer in 0..<upperBound without modulo bias.
    public mutating func nextIndex(below upperBound: Int) -> Int {
        precondition(upperBound > 0)
        return Int(next(upperBound: UInt64(upperBound)))
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
