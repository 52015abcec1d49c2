/// The float32 values of a sample set, `(N, C, L)` row-major: either an array of their own, or a
/// read-only range of a mapped prepared dataset (`PreparedDatasetFile`), which many trial
/// processes share through the page cache. Writing to mapped values copies them first.
public struct SampleValues: Sendable, Equatable, RandomAccessCollection, MutableCollection, ExpressibleByArrayLiteral {
    private enum Storage: Sendable {
        case owned([Float])
        /// `count` floats at byte `offset` of `file`.
        case mapped(MappedFile, offset: Int, count: Int)
    }

    private var storage: Storage

    public init(_ values: [Float]) { storage = .owned(values) }

    public init(arrayLiteral elements: Float...) { storage = .owned(elements) }

    /// `count` floats at byte `offset` of `file` (4-byte aligned, inside the file).
    init(mapped file: MappedFile, offset: Int, count: Int) {
        storage = .mapped(file, offset: offset, count: count)
    }

    /// Whether the values live in a mapped file rather than in memory of their own.
    public var isMapped: Bool {
        if case .mapped = storage { return true }
        return false
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .owned(let values): return values.count
        case .mapped(_, _, let count): return count
        }
    }

    public subscript(position: Int) -> Float {
        get {
            switch storage {
            case .owned(let values): return values[position]
            case .mapped(let file, let offset, let count):
                precondition(position >= 0 && position < count, "index out of range")
                return file.bytes.load(fromByteOffset: offset + position * 4, as: Float.self)
            }
        }
        set {
            makeOwned()
            guard case .owned(var values) = storage else { return }
            storage = .owned([])  // keeps `values` uniquely referenced while it changes
            values[position] = newValue
            storage = .owned(values)
        }
    }

    /// The values as an array (a copy, for mapped values).
    public var array: [Float] {
        switch storage {
        case .owned(let values): return values
        case .mapped: return [Float](self.withUnsafeBufferPointer { $0 })
        }
    }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Float>) throws -> Result) rethrows -> Result {
        switch storage {
        case .owned(let values):
            return try values.withUnsafeBufferPointer(body)
        case .mapped(let file, let offset, let count):
            let start = (file.bytes.baseAddress! + offset).assumingMemoryBound(to: Float.self)
            return try body(UnsafeBufferPointer(start: start, count: count))
        }
    }

    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> Result
    ) rethrows -> Result {
        makeOwned()
        guard case .owned(var values) = storage else { fatalError("owned after makeOwned") }
        storage = .owned([])
        defer { storage = .owned(values) }
        return try values.withUnsafeMutableBufferPointer(body)
    }

    private mutating func makeOwned() {
        if case .mapped = storage { storage = .owned(array) }
    }

    public static func == (left: SampleValues, right: SampleValues) -> Bool {
        left.withUnsafeBufferPointer { a in right.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
