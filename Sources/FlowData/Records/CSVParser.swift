/// A byte-level CSV reader (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`, line breaks inside
/// quotes), fast enough to load tens of thousands of flow records in milliseconds: no String is
/// made for a field unless asked for, and numbers are parsed straight from the bytes.
///
/// Records end at `\n`, `\r\n` or a lone `\r` (NSL-KDD's attack-types.csv uses old Mac endings).
/// Blank lines are skipped. Fields keep their surrounding spaces; callers trim where it matters.
struct CSVReader {
    let bytes: [UInt8]
    /// Names the file in errors.
    let source: String
    let delimiter: UInt8
    /// True for the bytes that end an unquoted field's fast scan: delimiter, quote, CR, LF.
    private let isSpecial: [Bool]

    init(bytes: [UInt8], source: String, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.bytes = bytes
        self.source = source
        self.delimiter = delimiter
        var special = [Bool](repeating: false, count: 256)
        for byte in [delimiter, UInt8(ascii: "\""), UInt8(ascii: "\r"), UInt8(ascii: "\n")] { special[Int(byte)] = true }
        isSpecial = special
    }

    /// Calls `body` for each record with its fields; `body` returns false to stop early.
    /// Record line numbers are 1-based and count physical lines, so they match an editor's.
    func forEachRecord(_ body: (borrowing CSVRecord) throws -> Bool) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            var record = CSVRecord(base: buffer)
            var position = 0
            var line = 1
            // A UTF-8 byte-order mark is not part of the first field.
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
            let end = buffer.count
            while position < end {
                record.removeAll()
                record.line = line
                position = try scanRecord(buffer, from: position, line: &line, into: &record)
                if record.isBlank { continue }
                if try !body(record) { return }
            }
        }
    }

    /// Scans one record starting at `position`; returns the position after its line break.
    private func scanRecord(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, line: inout Int, into record: inout CSVRecord
    ) throws -> Int {
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        let carriageReturn = UInt8(ascii: "\r")
        let end = buffer.count
        var position = start
        while true {
            if position < end, buffer[position] == quote {
                // Quoted field: runs to the next quote not doubled.
                position += 1
                let fieldStart = position
                var escaped = false
                while true {
                    guard position < end else {
                        throw DataError.malformedCSV(
                            source: source, line: record.line, reason: "a quoted field is never closed (missing '\"')")
                    }
                    let byte = buffer[position]
                    if byte == quote {
                        if position + 1 < end, buffer[position + 1] == quote {
                            escaped = true
                            position += 2
                            continue
                        }
                        break
                    }
                    if byte == newline || (byte == carriageReturn && !(position + 1 < end && buffer[position + 1] == newline)) {
                        line += 1
                    }
                    position += 1
                }
                record.append(start: fieldStart, end: position, escaped: escaped)
                position += 1  // closing quote
                if position < end {
                    let next = buffer[position]
                    if next != delimiter && next != newline && next != carriageReturn {
                        throw DataError.malformedCSV(
                            source: source, line: line,
                            reason: "unexpected text after the closing quote of field \(record.count)")
                    }
                }
            } else {
                let fieldStart = position
                while position < end, !isSpecial[Int(buffer[position])] { position += 1 }
                if position < end, buffer[position] == quote {
                    throw DataError.malformedCSV(
                        source: source, line: line,
                        reason: "a quote inside unquoted field \(record.count + 1) (quote the whole field)")
                }
                record.append(start: fieldStart, end: position, escaped: false)
            }
            if position < end, buffer[position] == delimiter {
                position += 1
                if position == end { record.append(start: end, end: end, escaped: false) }
                continue
            }
            // End of record: consume one line break.
            if position < end {
                if buffer[position] == carriageReturn, position + 1 < end, buffer[position + 1] == newline {
                    position += 2
                } else {
                    position += 1
                }
                line += 1
            }
            return position
        }
    }
}

/// The fields of one CSV record as byte ranges into the file; valid only inside the callback.
/// Field bounds live in one buffer reused for every record (no per-record allocation).
struct CSVRecord: ~Copyable {
    let base: UnsafeBufferPointer<UInt8>
    /// The 1-based line on which the record starts.
    var line = 0
    private(set) var count = 0
    /// Per field: start, end, and 1 when a quoted field holds doubled quotes to undo.
    private var bounds: UnsafeMutablePointer<Int>
    private var capacity: Int

    init(base: UnsafeBufferPointer<UInt8>) {
        self.base = base
        capacity = 128
        bounds = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 3)
    }

    deinit {
        bounds.deallocate()
    }

    /// A record that is one empty field: a blank line.
    var isBlank: Bool { count == 1 && bounds[0] == bounds[1] }

    mutating func removeAll() {
        count = 0
    }

    mutating func append(start: Int, end: Int, escaped: Bool) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 6)
            grown.moveInitialize(from: bounds, count: capacity * 3)
            bounds.deallocate()
            bounds = grown
            capacity *= 2
        }
        bounds[count * 3] = start
        bounds[count * 3 + 1] = end
        bounds[count * 3 + 2] = escaped ? 1 : 0
        count += 1
    }

    /// The raw bytes of field `index` (quotes removed, doubled quotes not yet undone).
    func rawBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: base[bounds[index * 3]..<bounds[index * 3 + 1]])
    }

    /// Field `index` as text, decoded leniently (UTF-8, else Windows-1252), doubled quotes undone.
    func text(_ index: Int) -> String {
        let raw = rawBytes(index)
        if bounds[index * 3 + 2] == 0 { return TextDecoding.decode(raw) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(raw.count)
        var position = 0
        while position < raw.count {
            unescaped.append(raw[position])
            position += raw[position] == UInt8(ascii: "\"") ? 2 : 1
        }
        return unescaped.withUnsafeBufferPointer { TextDecoding.decode($0) }
    }
}
