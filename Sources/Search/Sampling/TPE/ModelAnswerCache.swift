import Synchronization

/// The configurations a model-based sampler chose, by trial number and a digest of the view it
/// chose from. The choice is a function of those two (the configurations tried before trial t
/// are those of trials below t), so a repeated question gets the stored answer.
final class ModelAnswerCache: Sendable {
    struct Key: Hashable {
        var trial: Int
        var view: UInt64
    }

    /// Answers kept: the latest trials' (older ones are not asked about again).
    static let capacity = 64

    private let entries = Mutex<[Key: TrialParameters?]>([:])

    /// The stored answer (nil inside: the model found no new configuration), or nil if unknown.
    func answer(for key: Key) -> TrialParameters?? {
        entries.withLock { $0[key] }
    }

    func store(_ answer: TrialParameters?, for key: Key) {
        entries.withLock { entries in
            if entries.count >= Self.capacity, let oldest = entries.keys.min(by: { $0.trial < $1.trial }) {
                entries[oldest] = nil
            }
            entries[key] = .some(answer)
        }
    }

    /// FNV-1a over every observation's trial, parameters, value, epochs and whether it reached
    /// the rung.
    static func digest(_ observations: [ModelView.Observation], in study: StudySnapshot) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ word: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                hash ^= (word >> UInt64(shift)) & 0xFF
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        for observation in observations {
            mix(UInt64(bitPattern: Int64(observation.number)))
            for byte in study.trials[observation.number].parametersKey.utf8 { mix(UInt64(byte)) }
            mix(observation.value.bitPattern)
            mix(UInt64(bitPattern: Int64(observation.epochs)) << 1 | (observation.reachedRung ? 1 : 0))
        }
        return hash
    }
}
