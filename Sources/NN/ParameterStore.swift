import Tensor

/// All of a model's state in flat buffers, llm.c style: trainable parameters and their gradients
/// in one contiguous region each (so Adam, clipping and checkpoints are single loops), BatchNorm
/// running statistics in another, and integer counters (`num_batches_tracked`) beside them.
///
/// Layers register what they need while the model is built, then `allocate()` fixes the layout.
/// Names are PyTorch `state_dict` names.
public final class ParameterStore {
    /// What a named entry holds.
    public enum Kind: Sendable, Equatable {
        /// Trained by the optimiser; has a gradient.
        case parameter
        /// A Float32 buffer updated by the forward pass (running mean and variance).
        case buffer
        /// An Int64 counter (BatchNorm's `num_batches_tracked`).
        case counter
    }

    /// One named tensor of the state.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let kind: Kind
        /// The offset in the region of its kind (parameters, buffers or counters).
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// A handle to a registered entry, kept by the layer that owns it.
    public struct Slot: Sendable, Equatable {
        public let offset: Int
        public let count: Int
    }

    /// Every entry in registration order, which follows PyTorch's `state_dict` order.
    public private(set) var entries: [Entry] = []
    /// The number of trainable Float32 values.
    public private(set) var parameterCount = 0
    /// The number of buffer Float32 values.
    public private(set) var bufferCount = 0
    /// The integer counters, in registration order.
    public var counters: [Int64] = []

    private var parameterStorage: UnsafeMutablePointer<Float>?
    private var gradientStorage: UnsafeMutablePointer<Float>?
    private var bufferStorage: UnsafeMutablePointer<Float>?

    public init() {}

    deinit {
        parameterStorage?.deallocate()
        gradientStorage?.deallocate()
        bufferStorage?.deallocate()
    }

    /// Registers a trainable parameter.
    public func addParameter(name: String, shape: [Int]) -> Slot {
        precondition(!isAllocated, "register every parameter before allocate()")
        let entry = Entry(name: name, shape: shape, kind: .parameter, offset: parameterCount)
        entries.append(entry)
        parameterCount += entry.count
        return Slot(offset: entry.offset, count: entry.count)
    }

    /// Registers a Float32 buffer.
    public func addBuffer(name: String, shape: [Int]) -> Slot {
        precondition(!isAllocated, "register every buffer before allocate()")
        let entry = Entry(name: name, shape: shape, kind: .buffer, offset: bufferCount)
        entries.append(entry)
        bufferCount += entry.count
        return Slot(offset: entry.offset, count: entry.count)
    }

    /// Registers an Int64 counter, starting at zero.
    public func addCounter(name: String) -> Slot {
        precondition(!isAllocated, "register every counter before allocate()")
        let entry = Entry(name: name, shape: [], kind: .counter, offset: counters.count)
        entries.append(entry)
        counters.append(0)
        return Slot(offset: entry.offset, count: 1)
    }

    /// True once the flat regions exist.
    public var isAllocated: Bool { parameterStorage != nil }

    /// Allocates the zero-filled regions. Call once, after every layer has registered.
    public func allocate() {
        precondition(!isAllocated, "allocate() called twice")
        parameterStorage = Self.zeroed(count: parameterCount)
        gradientStorage = Self.zeroed(count: parameterCount)
        bufferStorage = Self.zeroed(count: bufferCount)
    }

    /// All trainable values, flat.
    public var parameters: UnsafeMutablePointer<Float> { required(parameterStorage) }
    /// All gradients, flat, in the same order as `parameters`.
    public var gradients: UnsafeMutablePointer<Float> { required(gradientStorage) }
    /// All buffer values, flat.
    public var buffers: UnsafeMutablePointer<Float> { required(bufferStorage) }

    /// The values of a parameter.
    @inline(__always)
    public func value(_ slot: Slot) -> UnsafeMutablePointer<Float> { parameters + slot.offset }
    /// The gradient of a parameter.
    @inline(__always)
    public func gradient(_ slot: Slot) -> UnsafeMutablePointer<Float> { gradients + slot.offset }
    /// The values of a buffer.
    @inline(__always)
    public func buffer(_ slot: Slot) -> UnsafeMutablePointer<Float> { buffers + slot.offset }

    /// Sets every gradient to zero (before each backward pass).
    public func zeroGradients() {
        gradients.update(repeating: 0, count: parameterCount)
    }

    /// The entry with this name, if any.
    public func entry(named name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The values of a Float32 entry (parameter or buffer) copied into an array.
    public func values(of entry: Entry) -> [Float] {
        let base: UnsafeMutablePointer<Float>
        switch entry.kind {
        case .parameter: base = parameters + entry.offset
        case .buffer: base = buffers + entry.offset
        case .counter: return [Float(counters[entry.offset])]
        }
        return Array(UnsafeBufferPointer(start: base, count: entry.count))
    }

    /// The gradient of a parameter entry copied into an array.
    public func gradientValues(of entry: Entry) -> [Float] {
        precondition(entry.kind == .parameter)
        return Array(UnsafeBufferPointer(start: gradients + entry.offset, count: entry.count))
    }

    /// Overwrites a Float32 entry's values; throws when the count is wrong.
    public func setValues(_ values: [Float], of entry: Entry) throws {
        guard values.count == entry.count else {
            throw TensorError.shapeMismatch(
                "\(entry.name) has shape \(entry.shape) (\(entry.count) values), got \(values.count) values")
        }
        let base: UnsafeMutablePointer<Float>
        switch entry.kind {
        case .parameter: base = parameters + entry.offset
        case .buffer: base = buffers + entry.offset
        case .counter:
            counters[entry.offset] = Int64(values[0])
            return
        }
        values.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { base.update(from: start, count: entry.count) }
        }
    }

    private func required(_ storage: UnsafeMutablePointer<Float>?) -> UnsafeMutablePointer<Float> {
        guard let storage else { preconditionFailure("ParameterStore used before allocate()") }
        return storage
    }

    private static func zeroed(count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return pointer
    }
}
