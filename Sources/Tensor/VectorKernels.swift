/// Explicitly vectorised elementwise loops (8 floats at a time, scalar tails) for the layers whose
/// plain Swift loops the compiler leaves scalar: comparisons and selects become branches there.
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

    /// Running maximum over a window: where candidate > best (or is NaN), best = candidate and
    /// winner = position. Ties keep the earlier position, as PyTorch's max pooling does.
    public static func maximumUpdate(
        candidate: UnsafePointer<Float>, best: UnsafeMutablePointer<Float>, winner: UnsafeMutablePointer<Float>,
        position: Float, count: Int
    ) {
        var index = 0
        while index + width <= count {
            let value = load(candidate + index)
            let current = load(best + index)
            let takes = (value .> current) .| (value .!= value)
            store(current.replacing(with: value, where: takes), best + index)
            store(load(winner + index).replacing(with: position, where: takes), winner + index)
            index += width
        }
        while index < count {
            if candidate[index] > best[index] || candidate[index].isNaN {
                best[index] = candidate[index]
                winner[index] = position
            }
            index += 1
        }
    }

    /// target = where winner == position then gradient else 0.
    public static func routeGradient(
        _ gradient: UnsafePointer<Float>, winner: UnsafePointer<Float>, position: Float,
        into target: UnsafeMutablePointer<Float>, count: Int
    ) {
        var index = 0
        while index + width <= count {
            let selected = load(winner + index) .== Vector(repeating: position)
            store(load(gradient + index).replacing(with: 0, where: .!selected), target + index)
            index += width
        }
        while index < count {
            target[index] = winner[index] == position ? gradient[index] : 0
            index += 1
        }
    }
}
