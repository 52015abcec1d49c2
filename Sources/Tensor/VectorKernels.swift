/// Explicitly vectorised elementwise loops (8 floats at a time, scalar tails) for the layers whose
/// plain Swift loops the compiler leaves scalar: comparisons and selects become branches there.
/// (The heavier passes live in CKernels, compiled for the CPU at hand.)
public enum VectorKernels {
    public typealias Vector = SIMD8<Float>
    public static let width = 8

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    /// output = max(input, 0); NaN stays NaN (as PyTorch's relu).
    public static func relu(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        var index = 0
        while index + width <= count {
            let x = load(input + index)
            store(x.replacing(with: 0, where: x .< 0), output + index)
            index += width
        }
        while index < count {
            output[index] = input[index] < 0 ? 0 : input[index]
            index += 1
        }
    }

    /// dInput = dOutput where output > 0, else 0.
    public static func reluBackward(
        output: UnsafePointer<Float>, dOutput: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>, count: Int
    ) {
        var index = 0
        while index + width <= count {
            let y = load(output + index)
            store(load(dOutput + index).replacing(with: 0, where: .!(y .> 0)), dInput + index)
            index += width
        }
        while index < count {
            dInput[index] = output[index] > 0 ? dOutput[index] : 0
            index += 1
        }
    }
}
