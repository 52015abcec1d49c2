/// The search's own random numbers: xoshiro256** seeded through SplitMix64, written here so a
/// trial's configuration never changes with the Swift standard library's algorithms.
///
/// A generator is derived from (study seed, trial number, stream), never carried from one trial to
/// the next, so trial 17 gets the same draws whether or not the search was interrupted before it
/// (the sampler repeating itself after a resume is optuna #3255).
public struct SearchRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// What a generator is used for, so a trial's parameters and its training seed are independent.
    public enum Stream: UInt64, Sendable {
        case parameters = 1
        case trainingSeed = 2
        /// A model-based sampler's candidates.
        case modelCandidates = 3
        /// Whether a model-based trial is drawn at random instead (BOHB's random share).
        case samplerChoice = 4
    }

    /// The generator of `trialNumber`'s `stream` in a study seeded with `seed`; `attempt` gives
    /// further independent generators for the same trial (redrawing a duplicate configuration).
    public init(seed: Int, trialNumber: Int, stream: Stream, attempt: Int = 0) {
        var key = SplitMix64.mix(UInt64(bitPattern: Int64(seed)))
        key ^= SplitMix64.mix(UInt64(bitPattern: Int64(trialNumber)) &+ 0x632B_E59B_D9B4_E019)
        key ^= SplitMix64.mix(stream.rawValue &* 0x9E37_79B9_7F4A_7C15) >> 1
        key ^= SplitMix64.mix(UInt64(bitPattern: Int64(attempt)) &* 0xD1B5_4A32_D192_ED03 &+ 7) >> 2
        var seeder = SplitMix64(state: key)
        state = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    /// A real number in [0, 1) with 53 random bits.
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A whole number in 0..<bound, without modulo bias (rejection of the short last block).
    public mutating func nextInteger(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        let limit = UInt64.max - (UInt64.max % range)
        while true {
            let value = next()
            if value < limit { return Int(value % range) }
        }
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}

/// SplitMix64 (Steele, Lea and Flood): turns any 64-bit seed into well-mixed generator state.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.finalize(state)
    }

    /// The output of a generator whose state was `value` before its first step.
    static func mix(_ value: UInt64) -> UInt64 {
        finalize(value &+ 0x9E37_79B9_7F4A_7C15)
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var mixed = value
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension SearchRandom {
    /// The training seed of trial `trialNumber` in a study seeded with `studySeed`: a function of
    /// the two alone, so parallelism and interruptions never change a trial's result.
    public static func trainingSeed(studySeed: Int, trialNumber: Int) -> Int {
        var generator = SearchRandom(seed: studySeed, trialNumber: trialNumber, stream: .trainingSeed)
        return Int(generator.next() >> 33)  // 31 bits: fits every trainer's seed type
    }
}
