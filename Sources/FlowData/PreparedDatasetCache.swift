import Foundation

/// Where prepared datasets (`PreparedDatasetFile`) are kept and how one is found or made: one file
/// per data spec, named by `key(spec)`, checked against its input files' sizes, times and hashes
/// on every use. Parallel trials needing the same missing file wait on a lock while one prepares
/// it; the file appears by rename, whole or not at all.
public struct PreparedDatasetCache: Sendable {
    /// The environment variable naming the cache folder.
    public static let environmentKey = "TUNE_DATA_CACHE"

    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `$TUNE_DATA_CACHE`, else `$XDG_CACHE_HOME/tune/datasets`, else `~/.cache/tune/datasets`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> PreparedDatasetCache {
        if let folder = environment[environmentKey], !folder.isEmpty {
            return PreparedDatasetCache(directory: URL(fileURLWithPath: folder))
        }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache")
        return PreparedDatasetCache(directory: base.appendingPathComponent("tune/datasets"))
    }

    /// How the data of one load was obtained, for the run's log.
    public enum Use: Sendable, Equatable, CustomStringConvertible {
        /// A valid prepared file was mapped.
        case reused(path: String)
        /// None existed (or it was stale or damaged, `reason`), so the data was parsed and written.
        case prepared(path: String, reason: String?)
        /// The cache folder could not be written (`reason`): the data was parsed and not kept.
        case unavailable(reason: String)

        public var description: String {
            switch self {
            case .reused(let path): return "mapped the prepared dataset \(path)"
            case .prepared(let path, nil): return "prepared \(path)"
            case .prepared(let path, let reason?): return "prepared \(path) again: \(reason)"
            case .unavailable(let reason): return "parsed without the prepared-dataset cache: \(reason)"
            }
        }
    }

    /// The file name of `spec`'s prepared dataset: a hash of the format version, the spec and the
    /// absolute paths of its input files.
    static func key(_ spec: DataSpec, inputs: [String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = Array("tunedata \(PreparedDatasetFile.formatVersion)\n".utf8)
        text += Array(try encoder.encode(spec))
        for path in inputs { text += Array("\n\(path)".utf8) }
        return text.withUnsafeBytes { PayloadChecksum.hex(of: $0) }
    }

    /// The samples `spec` describes: mapped from a valid prepared file, or loaded by `prepare` (the
    /// parser), written to the cache, and mapped from there.
    public func load(_ spec: DataSpec, prepare: (DataSpec) throws -> PreparedData) throws -> (data: PreparedData, use: Use) {
        let inputs = try Self.inputFiles(spec)
        let key = try Self.key(spec, inputs: inputs)
        let path = directory.appendingPathComponent("\(key).\(PreparedDatasetFile.fileExtension)").path
        if case .success(let data) = Self.validFile(path: path, key: key, inputs: inputs) {
            return (data, .reused(path: path))
        }
        let lock: CacheLock
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            lock = try CacheLock(path: path + ".lock")
        } catch {
            return (try prepare(spec), .unavailable(reason: "\(directory.path): \(error.localizedDescription)"))
        }
        defer { lock.release() }
        // Another process may have prepared it while this one waited for the lock.
        let staleReason: String?
        switch Self.validFile(path: path, key: key, inputs: inputs) {
        case .success(let data): return (data, .reused(path: path))
        case .failure(let problem): staleReason = problem.missing ? nil : problem.reason
        }
        let fresh = try prepare(spec)
        let fingerprints = try inputs.map { try Self.fingerprint(path: $0, knownHash: nil) }
        let temporary = path + ".partial-\(getpid())"
        do {
            try PreparedDatasetFile.write(fresh, key: key, spec: spec, inputs: fingerprints, to: temporary)
            guard rename(temporary, path) == 0 else {
                throw DataError.unwritableFile(path: path, reason: FileIO.systemMessage())
            }
        } catch {
            unlink(temporary)
            throw error
        }
        switch Self.validFile(path: path, key: key, inputs: inputs) {
        case .success(let data): return (data, .prepared(path: path, reason: staleReason))
        case .failure(let problem): throw DataError.invalidState(what: "prepared dataset \(path)", reason: problem.reason)
        }
    }

    /// Why a cached file was not used.
    struct Problem: Error {
        var reason: String
        var missing = false
    }

    /// The mapped file at `path` when it is whole, for this key and these inputs unchanged.
    static func validFile(path: String, key: String, inputs: [String]) -> Result<PreparedData, Problem> {
        guard FileManager.default.fileExists(atPath: path) else { return .failure(Problem(reason: "absent", missing: true)) }
        let opened: (data: PreparedData, header: PreparedDatasetHeader)
        do {
            opened = try PreparedDatasetFile.open(path: path)
        } catch let invalid as PreparedDatasetFile.Invalid {
            return .failure(Problem(reason: invalid.reason))
        } catch {
            return .failure(Problem(reason: "\(error)"))
        }
        guard opened.header.key == key, opened.header.inputs.map(\.path) == inputs else {
            return .failure(Problem(reason: "it was prepared for other data"))
        }
        for recorded in opened.header.inputs {
            guard let now = try? fingerprint(path: recorded.path, knownHash: recorded),
                  now.contentHash == recorded.contentHash else {
                return .failure(Problem(reason: "\(recorded.path) changed since"))
            }
        }
        return .success(opened.data)
    }

    /// The fingerprint of one input file. When its size and time equal `knownHash`'s, its hash is
    /// taken as known; otherwise the file is read and hashed.
    static func fingerprint(path: String, knownHash: InputFileFingerprint?) throws -> InputFileFingerprint {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DataError.unreadableFile(path: path, reason: FileIO.systemMessage())
        }
        let modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        let size = Int(status.st_size)
        if let knownHash, knownHash.size == size, knownHash.modified == modified { return knownHash }
        let file = try MappedFile(path: path)
        return InputFileFingerprint(path: path, size: size, modified: modified, contentHash: PayloadChecksum.hex(of: file.bytes))
    }

    /// The absolute paths of every file `spec` reads, in the loader's order.
    static func inputFiles(_ spec: DataSpec) throws -> [String] {
        var paths = try FileGlob.expand(spec.train) + FileGlob.expand(spec.test)
        paths += [spec.labels, spec.testLabels].compactMap { $0 }
        return paths.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
    }
}

/// An exclusive `flock` on a cache file's lock file, so one process prepares while others wait.
private final class CacheLock {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw DataError.unwritableFile(path: path, reason: FileIO.systemMessage()) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(descriptor)
                throw DataError.unwritableFile(path: path, reason: FileIO.systemMessage())
            }
        }
    }

    func release() { close(descriptor) }
}
