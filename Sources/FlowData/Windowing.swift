/// The `window` layout: W consecutive flows of one file form a sample `(C=F, L=W)`, labelled by
/// the last flow, with a new window every `stride` flows. Windows never span two files.
enum Windowing {
    /// The first row of each window, for rows tagged with the file they came from.
    static func windowStarts(fileIndices: [Int32], window: Int, stride: Int) -> [Int] {
        var starts: [Int] = []
        var segmentStart = 0
        while segmentStart < fileIndices.count {
            var segmentEnd = segmentStart
            while segmentEnd < fileIndices.count, fileIndices[segmentEnd] == fileIndices[segmentStart] { segmentEnd += 1 }
            var start = segmentStart
            while start + window <= segmentEnd {
                starts.append(start)
                start += stride
            }
            segmentStart = segmentEnd
        }
        return starts
    }

    /// Windows `(N, F, W)` from scaled rows `(R, F)`: value `[n, f, t]` is row `start_n + t`, feature f.
    static func assemble(rows: [Float], featureCount: Int, starts: [Int], window: Int) -> [Float] {
        var values = [Float](repeating: 0, count: starts.count * featureCount * window)  // (N, F, W)
        for (sample, start) in starts.enumerated() {
            let base = sample * featureCount * window
            for step in 0..<window {
                let row = (start + step) * featureCount
                for feature in 0..<featureCount {
                    values[base + feature * window + step] = rows[row + feature]
                }
            }
        }
        return values
    }
}
