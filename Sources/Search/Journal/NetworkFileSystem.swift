import Foundation

/// Finds network file systems (NFS, SMB/CIFS, ...) from the mount table (Linux's
/// `/proc/self/mountinfo`): SQLite's write-ahead log keeps its index in shared memory and relies
/// on POSIX locks, which work only when every user of the file is on one machine, so an SQLite
/// journal there is refused.
enum NetworkFileSystem {
    /// File system types (as `mount` names them) that live on another machine.
    static let networkTypes: Set<String> = [
        "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "ceph", "lustre", "gpfs",
        "glusterfs", "fuse.glusterfs", "fuse.sshfs", "fuse.ceph", "fuse.s3fs", "fuse.gcsfuse", "davfs", "fuse.rclone",
    ]

    /// The network file system type holding `path` (or, when it does not exist yet, its nearest
    /// existing folder), or nil for a local one or when it cannot be told (no mount table).
    static func name(at path: String) -> String? {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return nil }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: url.path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return name(at: url.resolvingSymlinksInPath().path, mountTable: table)
    }

    /// The network file system type of the mount holding the absolute, resolved `path`, from the
    /// text of a `mountinfo` table (the longest mount point containing it, the last one mounted
    /// when several share it).
    static func name(at path: String, mountTable: String) -> String? {
        var best: (point: String, type: String)?
        for line in mountTable.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let point = unescape(fields[4])
            let contains = point == "/" || path == point || path.hasPrefix(point + "/")
            if contains, point.count >= (best?.point.count ?? 0) { best = (point, String(fields[dash + 1])) }
        }
        guard let type = best?.type, networkTypes.contains(type) else { return nil }
        return type
    }

    /// A mount point as the kernel writes it: space, tab, newline and backslash as `\ooo`.
    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3, let code = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(code)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
