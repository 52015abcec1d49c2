/// A problem with a study or its journal, worded for the person running the search.
public struct StudyError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The storage could not be opened, read or written.
        case storage
        /// A `--storage` value that cannot be understood (a bad URL, an unknown scheme), or a
        /// place tune refuses to keep a journal (an SQLite file on a network file system).
        case badStorageLocation
        /// The journal holds an entry that cannot be understood or does not fit the study.
        case corruptJournal
        /// The journal was written by a newer version of tune.
        case newerFormat
        /// The search file differs from the one the study was started with.
        case searchFileChanged
        /// The seed differs from the one the study was started with.
        case seedChanged
        /// The journal holds no study yet.
        case noStudy
        /// The coordinator reached a state it should never reach (a bug).
        case internalInconsistency
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
