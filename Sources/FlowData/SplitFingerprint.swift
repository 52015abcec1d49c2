/// A short hash of which records form a split and how they are labelled: FNV-1a (64 bits) over
/// each sample's source (file name and line of its first flow, flows per sample; or an npy
/// sample's raw values) and its class name, as 16 hex digits. Scaling is left out, so trials
/// that search the scaler still show one fingerprint when they validate on the same records.
public struct SplitFingerprint: Sendable {
    /// The checkpoint metadata and `epochs.jsonl` key of the validation split's fingerprint.
    public static let validationKey = "validation_fingerprint"
    /// The same for the test split.
    public static let testKey = "test_fingerprint"

    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// The fingerprint so far.
    public var text: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public mutating func add<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01b3
        }
    }

    public mutating func add(_ text: String) {
        add(bytes: text.utf8)
        add(bytes: [0])  // so "ab" + "c" differs from "a" + "bc"
    }

    public mutating func add(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { add(bytes: $0) }
    }

    public mutating func add<Values: Sequence>(_ values: Values) where Values.Element == Float {
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { add(bytes: $0) } }
    }
}
