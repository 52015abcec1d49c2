import Foundation

/// libpq's password file (`PGPASSFILE`, else `~/.pgpass`): lines of
/// `hostname:port:database:username:password`, where a field of `*` matches anything, `\:` and
/// `\\` are a literal colon and backslash, `#` starts a comment, and the first matching line wins.
/// As in libpq, a file that group or others may read is ignored.
enum PostgresPasswordFile {
    /// What a look-up found.
    enum Lookup: Equatable {
        case found(String)
        case notFound
        /// The file exists but was not used; the text says why, for error messages.
        case ignored(String)
    }

    /// The password file's path: `PGPASSFILE`, else `.pgpass` in `HOME`.
    static func path(environment: [String: String]) -> String {
        if let path = environment["PGPASSFILE"], !path.isEmpty { return path }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".pgpass")
    }

    /// The password for `user` on `database` at `host:port` from the file at `path`.
    static func lookup(path: String, host: String, port: Int, database: String, user: String) -> Lookup {
        var status = stat()
        guard stat(path, &status) == 0 else { return .notFound }
        guard status.st_mode & S_IFMT == S_IFREG else { return .ignored("\(path) is not a plain file") }
        if status.st_mode & (S_IRWXG | S_IRWXO) != 0 {
            return .ignored("\(path) was ignored because group or others may read it (chmod 0600 \(path))")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return .notFound
        }
        return match(text: text, host: host, port: port, database: database, user: user).map(Lookup.found) ?? .notFound
    }

    /// The password of the first line of `text` matching the connection, if any.
    static func match(text: String, host: String, port: Int, database: String, user: String) -> String? {
        let wanted = [host, String(port), database, user]
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            if line.hasPrefix("#") { continue }
            let fields = split(line)
            guard fields.count >= 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in field.isWildcard || field.text == value }
            if matches { return fields[4].text }
        }
        return nil
    }

    /// One field of a line: its unescaped text, and whether it was a bare `*`.
    struct Field: Equatable {
        var text: String
        var isWildcard: Bool
    }

    /// Splits a line at unescaped colons (libpq ends the password at one too).
    static func split(_ line: Substring) -> [Field] {
        var fields: [Field] = []
        var text = "", raw = ""
        var escaped = false
        for character in line {
            if escaped {
                text.append(character)
                raw.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
                raw.append(character)
            } else if character == ":" {
                fields.append(Field(text: text, isWildcard: raw == "*"))
                text = ""
                raw = ""
            } else {
                text.append(character)
                raw.append(character)
            }
        }
        fields.append(Field(text: text, isWildcard: raw == "*"))
        return fields
    }
}
