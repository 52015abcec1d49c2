/// One record's fields copied into storage reused from record to record: what the Zeek and
/// Suricata decoders produce, and what live detection holds a CSV line in. Appending never
/// allocates once the buffers have grown to the longest record seen.
public final class FlowRecord: FlowFields {
    public internal(set) var line = 0
    public private(set) var count = 0
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity: Int
    private var byteCount = 0
    /// Per field: start and end in `bytes`.
    private var bounds: UnsafeMutablePointer<Int>
    private var fieldCapacity: Int

    public init() {
        byteCapacity = 4096
        bytes = .allocate(capacity: byteCapacity)
        fieldCapacity = 128
        bounds = .allocate(capacity: fieldCapacity * 2)
    }

    deinit {
        bytes.deallocate()
        bounds.deallocate()
    }

    /// Empties the record for the next one.
    func removeAll(line: Int) {
        self.line = line
        count = 0
        byteCount = 0
    }

    /// Appends a field holding `field`'s bytes.
    func append(_ field: UnsafeBufferPointer<UInt8>) {
        reserve(bytes: field.count)
        if let base = field.baseAddress { (bytes + byteCount).update(from: base, count: field.count) }
        appendBounds(start: byteCount, end: byteCount + field.count)
        byteCount += field.count
    }

    /// Appends a field holding the UTF-8 of `text`.
    func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    public func rawBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes + bounds[index * 2], count: bounds[index * 2 + 1] - bounds[index * 2])
    }

    public func text(_ index: Int) -> String {
        TextDecoding.decode(rawBytes(index))
    }

    private func reserve(bytes extra: Int) {
        guard byteCount + extra > byteCapacity else { return }
        let capacity = max(byteCapacity * 2, byteCount + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: bytes, count: byteCount)
        bytes.deallocate()
        bytes = grown
        byteCapacity = capacity
    }

    private func appendBounds(start: Int, end: Int) {
        if count == fieldCapacity {
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 4)
            grown.update(from: bounds, count: fieldCapacity * 2)
            bounds.deallocate()
            bounds = grown
            fieldCapacity *= 2
        }
        bounds[count * 2] = start
        bounds[count * 2 + 1] = end
        count += 1
    }
}
