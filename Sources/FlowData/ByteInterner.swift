/// Maps byte strings (CSV fields) to small integer codes without making a String or hashing
/// with SipHash per row: FNV-1a over the bytes into an open-addressing table. Category and
/// label columns repeat a few values many thousands of times; each distinct value is decoded
/// into a String once.
struct ByteInterner: Sendable {
    /// The text of each code, as `decode` made it.
    private(set) var strings: [String] = []
    private var keys: [[UInt8]] = []
    private var slots: [Int32]  // code per slot, -1 when empty
    private var mask: Int

    init() {
        slots = [Int32](repeating: -1, count: 64)
        mask = 63
    }

    /// The code of `bytes`; a new value gets the next code and its text from `decode`.
    mutating func code(of bytes: UnsafeBufferPointer<UInt8>, decode: (UnsafeBufferPointer<UInt8>) -> String) -> Int32 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if keys[Int(code)].elementsEqual(bytes) { return code }
            slot = (slot + 1) & mask
        }
        let code = Int32(strings.count)
        keys.append(Array(bytes))
        strings.append(decode(bytes))
        slots[slot] = code
        if strings.count * 2 > slots.count { grow() }
        return code
    }

    /// Doubles the table and reinserts every key.
    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (code, key) in keys.enumerated() {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in key { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }
}
