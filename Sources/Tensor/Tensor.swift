/// A dense, row-major Float32 array with reference semantics.
///
/// Layers own their output tensors and reuse the storage from step to step (`resize` keeps the
/// allocation when it is large enough), so the training loop does not allocate per batch.
public final class Tensor {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The number of elements, the product of `shape`.
    public private(set) var count: Int
    /// The number of elements the storage can hold without reallocating.
    public private(set) var capacity: Int
    /// The first element. Valid for `count` elements; may move when `resize` grows the tensor.
    public private(set) var pointer: UnsafeMutablePointer<Float>

    /// A zero-filled tensor of the given shape.
    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        self.shape = shape
        self.count = count
        self.capacity = Swift.max(count, 1)
        self.pointer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
        self.pointer.initialize(repeating: 0, count: Swift.max(count, 1))
    }

    /// A tensor holding `values` in row-major order; throws when the counts disagree.
    public convenience init(shape: [Int], values: [Float]) throws {
        let expected = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), expected == values.count else {
            throw TensorError.shapeMismatch(
                "\(values.count) values do not fill a tensor of shape \(shape) (\(expected) elements)")
        }
        self.init(shape: shape)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: expected) }
        }
    }

    deinit {
        pointer.deallocate()
    }

    /// The elements as a mutable buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// Changes the shape, reallocating only when the new shape needs more room.
    /// The contents are unspecified afterwards unless `zero` is set.
    public func resize(to newShape: [Int], zero: Bool = false) {
        precondition(newShape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(newShape)")
        let newCount = newShape.reduce(1, *)
        if newCount > capacity {
            pointer.deallocate()
            pointer = UnsafeMutablePointer<Float>.allocate(capacity: newCount)
            pointer.initialize(repeating: 0, count: newCount)
            capacity = newCount
        } else if zero {
            pointer.update(repeating: 0, count: newCount)
        }
        shape = newShape
        count = newCount
    }

    /// Reinterprets the elements under another shape with the same number of elements.
    public func reshape(to newShape: [Int]) throws {
        let newCount = newShape.reduce(1, *)
        guard newShape.allSatisfy({ $0 >= 0 }), newCount == count else {
            throw TensorError.shapeMismatch("cannot reshape \(shape) (\(count) elements) to \(newShape)")
        }
        shape = newShape
    }

    /// Sets every element to zero.
    public func zero() {
        pointer.update(repeating: 0, count: count)
    }

    /// Copies the elements of `other`, taking its shape.
    public func copy(from other: Tensor) {
        resize(to: other.shape)
        pointer.update(from: other.pointer, count: count)
    }

    /// The elements copied into an array.
    public func toArray() -> [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Element access by flat index, for tests and small set-up code (not for hot loops).
    public subscript(flat index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}

/// Errors raised when tensors are combined in ways their shapes do not allow.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let message): return "shape mismatch: \(message)"
        }
    }
}
