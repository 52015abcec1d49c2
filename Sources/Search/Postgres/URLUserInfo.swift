/// Where the `user[:password]@` part of a storage URL ends, shared by the parser and
/// `StorageLocation.redact` so that what is parsed as the password is exactly what is hidden.
///
/// As in libpq, the credentials end at the last `@` of the authority. A password may hold an
/// unencoded `?`, `#`, `/` or `@`, so the authority's end cannot be found before that `@`: it is
/// the last `@` before the query, and the query starts at the first `?` followed by a parameter
/// tune knows (`?sslmode=`, `?password=`, ...), so an `@` in a query value is never taken for the
/// end of the credentials. (An `@` in the database name must be written `%40`.)
enum URLUserInfo {
    /// Splits `text` (the URL after `scheme://`) into its credentials (nil when there is no `@`)
    /// and the rest, `host[:port][/database][?query]`.
    static func split(_ text: Substring) -> (credentials: Substring?, rest: Substring) {
        let queryStart = knownQueryStart(in: text) ?? text.endIndex
        guard let at = text[..<queryStart].lastIndex(of: "@") else { return (nil, text) }
        return (text[..<at], text[text.index(after: at)...])
    }

    /// Splits credentials into the user and, after the first `:`, the password.
    static func userAndPassword(_ credentials: Substring) -> (user: Substring, password: Substring?) {
        guard let colon = credentials.firstIndex(of: ":") else { return (credentials, nil) }
        return (credentials[..<colon], credentials[credentials.index(after: colon)...])
    }

    /// The first `?` followed by `NAME=` for a parameter tune understands.
    private static func knownQueryStart(in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while let question = text[index...].firstIndex(of: "?") {
            let after = text[text.index(after: question)...].lowercased()
            if PostgresLocation.knownParameters.contains(where: { after.hasPrefix($0 + "=") }) { return question }
            index = text.index(after: question)
        }
        return nil
    }
}
