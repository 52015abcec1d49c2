import Foundation

/// A prepared dataset on disk (`.tunedata`): the samples, labels and fitted preprocessing of one
/// data spec, so a trial maps them instead of parsing the CSV again. Layout, little-endian:
///
///     0   "TUNEDATA"                      8 bytes
///     8   format version (UInt32, 1)      then 4 zero bytes
///     16  header length H (UInt64)
///     24  header checksum (UInt64, `PayloadChecksum` of the H header bytes)
///     32  header: JSON (`PreparedDatasetHeader`), H bytes
///     ... sections, each at a multiple of 64 bytes: per split (train, validation, test) its
///         values (Float32, (N, C, L)) then its labels (Int32, (N)); zero padding between.
///
/// The header records the file size and a checksum of every section, so a truncated or altered
/// file is refused (`PreparedDatasetFile.Invalid`), never trusted.
public enum PreparedDatasetFile {
    public static let magic = Array("TUNEDATA".utf8)
    public static let formatVersion: UInt32 = 1
    public static let fileExtension = "tunedata"
    static let preambleSize = 32
    static let alignment = 64

    /// Why a prepared file cannot be used; the cache rebuilds it.
    public struct Invalid: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): not a usable prepared dataset: \(reason)" }
    }

    /// Writes `data` with what it was prepared from (`spec`, `inputs`, `key`) to `path`, replaced
    /// if there, straight from the sample buffers (no copy of the samples in memory).
    static func write(_ data: PreparedData, key: String, spec: DataSpec, inputs: [InputFileFingerprint],
                      to path: String) throws {
        var header = PreparedDatasetHeader(
            key: key, spec: spec, inputs: inputs, channels: data.train.channels, length: data.train.length,
            splits: [:], classNames: data.classNames, featureNames: data.featureNames, pipeline: data.pipeline,
            summary: data.summary, validationFingerprint: data.validationFingerprint,
            testFingerprint: data.testFingerprint, fileSize: 0)
        // Offsets depend on the header's length, which depends on the offsets' digits: the header
        // gets a fixed room, the draft's length plus more than the numbers can add.
        let headerRoom = try header.encoded().count + 1024
        var offset = align(preambleSize + headerRoom)
        var sections: [(SampleSet, PreparedDatasetHeader.Split)] = []
        for (name, set) in [("train", data.train), ("validation", data.validation), ("test", data.test)] {
            guard let set else { continue }
            let valuesOffset = offset
            let labelsOffset = align(valuesOffset + set.values.count * 4)
            offset = align(labelsOffset + set.labels.count * 4)
            let split = PreparedDatasetHeader.Split(
                count: set.count, labelCount: set.labels.count, valuesOffset: valuesOffset, labelsOffset: labelsOffset,
                valuesChecksum: set.values.withUnsafeBufferPointer { PayloadChecksum.hex(of: UnsafeRawBufferPointer($0)) },
                labelsChecksum: set.labels.withUnsafeBytes { PayloadChecksum.hex(of: $0) })
            header.splits[name] = split
            sections.append((set, split))
        }
        header.fileSize = offset
        var headerBytes = try header.encoded()
        guard headerBytes.count <= headerRoom else {
            throw Invalid(path: path, reason: "the header outgrew its room (\(headerBytes.count) of \(headerRoom) bytes)")
        }
        headerBytes += [UInt8](repeating: UInt8(ascii: " "), count: headerRoom - headerBytes.count)  // JSON allows trailing spaces
        var preamble = magic
        appendLittleEndian(formatVersion, to: &preamble)
        appendLittleEndian(UInt32(0), to: &preamble)
        appendLittleEndian(UInt64(headerRoom), to: &preamble)
        appendLittleEndian(headerBytes.withUnsafeBytes { PayloadChecksum.value(of: $0) }, to: &preamble)

        let output = try FileIO.Writer(path: path)
        try output.append(preamble)
        try output.append(headerBytes)
        for (set, split) in sections {
            try output.pad(to: split.valuesOffset)
            try set.values.withUnsafeBufferPointer { try output.append(UnsafeRawBufferPointer($0)) }
            try output.pad(to: split.labelsOffset)
            try set.labels.withUnsafeBytes { try output.append($0) }
        }
        try output.pad(to: header.fileSize)
        try output.finish(sync: true)
    }

    /// Maps the file at `path` and checks it whole: magic, version, header checksum, size, every
    /// section inside the file, and the payload checksum.
    static func open(path: String) throws -> (data: PreparedData, header: PreparedDatasetHeader) {
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        func invalid(_ reason: String) -> Invalid { Invalid(path: path, reason: reason) }
        guard bytes.count >= preambleSize, Array(bytes[0..<8]) == magic else { throw invalid("no TUNEDATA magic") }
        let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        guard version == formatVersion else { throw invalid("format version \(version), this tune reads \(formatVersion)") }
        let headerLength = Int(bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian)
        guard headerLength > 0, headerLength <= bytes.count - preambleSize else { throw invalid("header length out of range (truncated?)") }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[preambleSize..<(preambleSize + headerLength)])
        guard PayloadChecksum.value(of: headerBytes) == bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian else {
            throw invalid("header checksum mismatch")
        }
        let header: PreparedDatasetHeader
        do {
            header = try JSONDecoder().decode(PreparedDatasetHeader.self, from: Data(headerBytes))
        } catch {
            throw invalid("unreadable header: \(error)")
        }
        guard header.fileSize == bytes.count else {
            throw invalid("\(bytes.count) bytes, the header says \(header.fileSize) (truncated or appended to)")
        }
        let payloadStart = align(preambleSize + headerLength)
        let sampleSize = header.channels * header.length
        func set(_ name: String) throws -> SampleSet? {
            guard let split = header.splits[name] else { return nil }
            let valueCount = split.count * sampleSize
            guard split.count >= 0, split.labelCount >= 0, split.valuesOffset >= payloadStart,
                  split.valuesOffset % alignment == 0, split.labelsOffset % alignment == 0,
                  split.valuesOffset + valueCount * 4 <= split.labelsOffset || valueCount == 0,
                  split.labelsOffset + split.labelCount * 4 <= bytes.count else {
                throw invalid("the \(name) section lies outside the file")
            }
            let values = UnsafeRawBufferPointer(rebasing: bytes[split.valuesOffset..<(split.valuesOffset + valueCount * 4)])
            let labelBytes = UnsafeRawBufferPointer(rebasing: bytes[split.labelsOffset..<(split.labelsOffset + split.labelCount * 4)])
            guard PayloadChecksum.hex(of: values) == split.valuesChecksum,
                  PayloadChecksum.hex(of: labelBytes) == split.labelsChecksum else {
                throw invalid("checksum mismatch in the \(name) section (the samples were altered)")
            }
            var labels = [Int32](repeating: 0, count: split.labelCount)
            labels.withUnsafeMutableBytes { target in
                if let base = target.baseAddress {
                    base.copyMemory(from: bytes.baseAddress! + split.labelsOffset, byteCount: target.count)
                }
            }
            return SampleSet(values: SampleValues(mapped: file, offset: split.valuesOffset, count: valueCount),
                             labels: labels, channels: header.channels, length: header.length)
        }
        guard let train = try set("train"), let validation = try set("validation") else {
            throw invalid("no training or validation section")
        }
        let data = PreparedData(
            train: train, validation: validation, test: try set("test"), classNames: header.classNames,
            featureNames: header.featureNames, pipeline: header.pipeline, summary: header.summary,
            validationFingerprint: header.validationFingerprint, testFingerprint: header.testFingerprint)
        return (data, header)
    }

    static func align(_ offset: Int) -> Int { (offset + alignment - 1) / alignment * alignment }

    private static func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

/// The JSON header of a prepared dataset file: what it was prepared from and where its sections are.
struct PreparedDatasetHeader: Codable {
    /// Where one split's values and labels are (byte offsets from the start of the file).
    struct Split: Codable, Equatable {
        var count: Int
        var labelCount: Int
        var valuesOffset: Int
        var labelsOffset: Int
        /// `PayloadChecksum.hex` of the section's bytes.
        var valuesChecksum: String
        var labelsChecksum: String

        enum CodingKeys: String, CodingKey {
            case count, labelCount = "label_count", valuesOffset = "values_offset", labelsOffset = "labels_offset"
            case valuesChecksum = "values_checksum", labelsChecksum = "labels_checksum"
        }
    }

    /// `PreparedDatasetCache.key` of the spec it was prepared for.
    var key: String
    var spec: DataSpec
    /// The input files as they were when prepared.
    var inputs: [InputFileFingerprint]
    var channels: Int
    var length: Int
    var splits: [String: Split]
    var classNames: [String]
    var featureNames: [String]
    var pipeline: FeaturePipeline
    var summary: CleaningSummary
    var validationFingerprint: String
    var testFingerprint: String?
    var fileSize: Int

    enum CodingKeys: String, CodingKey {
        case key, spec, inputs, channels, length, splits, pipeline, summary
        case classNames = "class_names", featureNames = "feature_names"
        case validationFingerprint = "validation_fingerprint", testFingerprint = "test_fingerprint"
        case fileSize = "file_size"
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(self))
    }
}

/// One input file of a prepared dataset: its absolute path, size, modification time and a hash of
/// its bytes. A file whose size or time changed is hashed again: same bytes, same dataset.
struct InputFileFingerprint: Codable, Equatable {
    var path: String
    var size: Int
    /// Modification time in nanoseconds since 1970.
    var modified: Int64
    /// `PayloadChecksum.hex` of the file's bytes.
    var contentHash: String

    enum CodingKeys: String, CodingKey {
        case path, size, modified = "modified_ns", contentHash = "content_hash"
    }
}

/// A fast 64-bit hash of bytes (four independent multiply-xor lanes over 8-byte words, then the
/// tail): detects truncation and accidental change, not tampering.
enum PayloadChecksum {
    static func value(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x9E37_79B1_85EB_CA87
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        let words = bytes.count / 8
        let base = bytes.baseAddress
        var index = 0
        while index + 4 <= words, let base {
            lanes.0 = (lanes.0 ^ base.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) &* prime
            lanes.1 = (lanes.1 ^ base.loadUnaligned(fromByteOffset: index * 8 + 8, as: UInt64.self)) &* prime
            lanes.2 = (lanes.2 ^ base.loadUnaligned(fromByteOffset: index * 8 + 16, as: UInt64.self)) &* prime
            lanes.3 = (lanes.3 ^ base.loadUnaligned(fromByteOffset: index * 8 + 24, as: UInt64.self)) &* prime
            lanes.0 ^= lanes.0 >> 29; lanes.1 ^= lanes.1 >> 29; lanes.2 ^= lanes.2 >> 29; lanes.3 ^= lanes.3 >> 29
            index += 4
        }
        var hash = UInt64(bytes.count) &* prime
        for lane in [lanes.0, lanes.1, lanes.2, lanes.3] { hash = (hash ^ lane) &* prime; hash ^= hash >> 31 }
        for offset in (index * 8)..<bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* prime
        }
        return hash ^ (hash >> 33)
    }

    static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        let digits = String(value(of: bytes), radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

