import Foundation
import FileFormats
import TrialProtocol

/// The per-class results of one evaluation (validation or test) in an `epochs.jsonl` line.
public struct ClassBreakdown: Sendable, Equatable {
    public var precision: [Double]
    public var recall: [Double]
    public var f1: [Double]
    public var support: [Int]
    /// confusionMatrix[true][predicted].
    public var confusionMatrix: [[Int]]

    public init(precision: [Double], recall: [Double], f1: [Double], support: [Int], confusionMatrix: [[Int]]) {
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.confusionMatrix = confusionMatrix
    }

    /// The number of classes (all the lists agree on it, checked when read).
    public var classCount: Int { support.count }
}

/// What reports take from one line of a trial's `run/epochs.jsonl`: the epoch's wall time, its
/// per-class results and the split fingerprints.
public struct EpochDetail: Sendable, Equatable {
    public var epoch: Int
    public var seconds: Double?
    public var validation: ClassBreakdown?
    public var test: ClassBreakdown?
    /// Which samples the epoch was validated (tested) on, when the trainer recorded it.
    public var validationFingerprint: String?
    public var testFingerprint: String?

    public init(epoch: Int, seconds: Double? = nil, validation: ClassBreakdown? = nil, test: ClassBreakdown? = nil,
                validationFingerprint: String? = nil, testFingerprint: String? = nil) {
        self.epoch = epoch
        self.seconds = seconds
        self.validation = validation
        self.test = test
        self.validationFingerprint = validationFingerprint
        self.testFingerprint = testFingerprint
    }
}

/// A trial's `epochs.jsonl` (`EpochLogFile`) as far as reports need it. The journal holds the
/// scalar metrics; this adds the epoch times and per-class results. A report shows what it can
/// rather than failing on one bad line.
public struct EpochDetails: Sendable, Equatable {
    /// One entry per epoch, in increasing epoch order.
    public var entries: [EpochDetail]

    public init(entries: [EpochDetail] = []) {
        self.entries = entries
    }

    /// Reads the run's log; a missing or unreadable file gives no entries.
    public static func read(_ run: RunFiles) -> EpochDetails {
        EpochDetails(records: EpochLogFile.read(run.epochLog))
    }

    /// Parses the text of an `epochs.jsonl` file.
    public static func parse(_ text: String) -> EpochDetails {
        EpochDetails(records: EpochLogFile.parse(text))
    }

    private init(records: [(epoch: Int, record: [String: JSONValue])]) {
        entries = records.map { epoch, members in
            var seconds: Double?
            if case .number(let value)? = members["seconds"] { seconds = value }
            return EpochDetail(epoch: epoch, seconds: seconds,
                               validation: members["validation"].flatMap(Self.breakdown),
                               test: members["test"].flatMap(Self.breakdown),
                               validationFingerprint: Self.string(members["validation_fingerprint"]),
                               testFingerprint: Self.string(members["test_fingerprint"]))
        }
    }

    /// The entry of `epoch`, if logged.
    public func entry(epoch: Int) -> EpochDetail? {
        entries.first { $0.epoch == epoch }
    }

    /// The summed wall time of the logged epochs, nil when no epoch has one.
    public var totalSeconds: Double? {
        let times = entries.compactMap(\.seconds)
        return times.isEmpty ? nil : times.reduce(0, +)
    }

    private static func breakdown(_ value: JSONValue) -> ClassBreakdown? {
        guard case .object(let members) = value,
              let precision = numbers(members["precision"]), let recall = numbers(members["recall"]),
              let f1 = numbers(members["f1"]), let support = integers(members["support"]),
              case .array(let rows)? = members["confusion_matrix"] else { return nil }
        let matrix = rows.compactMap { integers($0) }
        let count = support.count
        guard precision.count == count, recall.count == count, f1.count == count, matrix.count == count,
              matrix.allSatisfy({ $0.count == count }) else { return nil }
        return ClassBreakdown(precision: precision, recall: recall, f1: f1, support: support, confusionMatrix: matrix)
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func numbers(_ value: JSONValue?) -> [Double]? {
        guard case .array(let elements)? = value else { return nil }
        var result: [Double] = []
        for element in elements {
            guard case .number(let number) = element else { return nil }
            result.append(number)
        }
        return result
    }

    private static func integers(_ value: JSONValue?) -> [Int]? {
        numbers(value).flatMap { values in
            let integers = values.compactMap { Int(exactly: $0) }
            return integers.count == values.count ? integers : nil
        }
    }
}
