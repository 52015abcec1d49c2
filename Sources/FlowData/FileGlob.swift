#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Expands the paths and shell globs of a data split (`data/cic/*.csv`) into files, in order.
enum FileGlob {
    /// Each pattern's matches, sorted, in the order the patterns are given; a pattern without
    /// wildcards must name an existing file, and a pattern with wildcards must match something.
    static func expand(_ patterns: [String]) throws(DataError) -> [String] {
        var files: [String] = []
        for pattern in patterns {
            guard pattern.contains(where: { "*?[".contains($0) }) else {
                guard access(pattern, F_OK) == 0 else {
                    throw .unreadableFile(path: pattern, reason: "no such file")
                }
                files.append(pattern)
                continue
            }
            let matches = try match(pattern)
            guard !matches.isEmpty else { throw .noMatchingFiles(pattern: pattern) }
            files.append(contentsOf: matches)
        }
        return files
    }

    /// The sorted matches of one glob pattern.
    private static func match(_ pattern: String) throws(DataError) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(pattern, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else {
            throw .unreadableFile(path: pattern, reason: "cannot list the files matching this pattern")
        }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }
}
