import Foundation

extension BenchmarkSetup {
    /// The machine as a report names it: the CPU model from /proc/cpuinfo, the number of cores
    /// this process may use, and the load average when the benchmark started, since other work
    /// on the machine slows every run (`Intel(R) Xeon(R) Processor, 2 cores, load average 0.52`).
    public static func machineDescription(cpuInfoPath: String = "/proc/cpuinfo", loadAveragePath: String = "/proc/loadavg") -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let model = cpuModel(cpuInfo: (try? String(contentsOfFile: cpuInfoPath, encoding: .utf8)) ?? "") ?? "unknown CPU"
        var text = "\(model), \(cores) core\(cores == 1 ? "" : "s")"
        if let load = (try? String(contentsOfFile: loadAveragePath, encoding: .utf8))?.split(separator: " ").first {
            text += ", load average \(load) at the start (1 minute)"
        }
        return text
    }

    /// The first `model name` of a /proc/cpuinfo text, or nil.
    static func cpuModel(cpuInfo: String) -> String? {
        for line in cpuInfo.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !model.isEmpty { return model }
        }
        return nil
    }
}
