import Foundation
import TestSupport
import Testing

/// `tune detect` as a user runs it: the release binary scoring CIC-IDS2017 records piped in or
/// appended to a followed file, and Zeek logs, with a small model trained for the purpose.
@Suite("tune detect, end to end", .serialized)
struct DetectTests {
    /// One small 16-class CIC-IDS2017 model for the suite (seconds to train).
    nonisolated(unsafe) private static var cicModel: URL?

    private func cicModel(_ binary: URL, _ data: URL) throws -> URL {
        if let model = Self.cicModel { return model }
        let folder = TuneBinary.temporaryFolder("detect-model")
        let run: [String: Any] = [
            "conv_channels": [32, 64], "lstm_hidden": 32, "threads": 1, "seed": 1, "epochs": 2,
            "output": folder.appendingPathComponent("out").path,
            "data": ["format": "cicflowmeter", "max_per_class": 80,
                     "train": data.appendingPathComponent("cicids2017-improved/*.csv").path],
        ]
        let file = folder.appendingPathComponent("run.json")
        try JSONSerialization.data(withJSONObject: run).write(to: file)
        let trained = try TuneBinary.run(binary, ["train", "--config", file.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = folder.appendingPathComponent("out/best.safetensors")
        Self.cicModel = model
        return model
    }

    /// The header and the first `count` records of each of `classes`' files.
    private func records(_ data: URL, classes: [String], count: Int) throws -> (header: String, rows: [String]) {
        var header = ""
        var rows: [String] = []
        for name in classes {
            let text = try String(contentsOf: data.appendingPathComponent("cicids2017-improved/\(name).csv"), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            header = lines[0]
            rows += lines.dropFirst().prefix(count)
        }
        return (header, rows)
    }

    private func events(_ lines: [String]) -> [[String: Any]] {
        lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// The line number in a `tune` event's or prediction's source (`... line N`).
    private func line(of source: String) -> Int? {
        source.components(separatedBy: " line ").last.flatMap { Int($0) }
    }

    @Test func aPipedFileGivesTheClassesAndProbabilitiesOfTunePredict() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let folder = TuneBinary.temporaryFolder("detect-piped")
        var (header, rows) = try records(data, classes: ["BENIGN_2500", "DDoS_2500", "Portscan_2500", "FTP-Patator_2500"], count: 150)
        // A record with an infinite rate: `tune predict` skips such rows, and so does detect.
        var fields = rows[7].components(separatedBy: ",")
        let rate = try #require(header.components(separatedBy: ",").firstIndex(of: "Flow Bytes/s"))
        fields[rate] = "Infinity"
        rows[7] = fields.joined(separator: ",")
        let input = folder.appendingPathComponent("flows.csv")
        try (([header] + rows).joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)

        let predictions = folder.appendingPathComponent("predictions.csv")
        let predicted = try TuneBinary.run(binary, ["predict", "--model", model.path, "--input", input.path, "--output", predictions.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let table = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\r\n").map { $0.components(separatedBy: ",") }
        let classNames = table[0].filter { $0.hasPrefix("p_") }.map { String($0.dropFirst(2)) }
        #expect(classNames.count == 16)

        let detected = try TuneBinary.run(binary, ["detect", "--model", model.path], input: input)
        #expect(detected.status == 0, "\(detected.stderr)")
        #expect(detected.stderr.contains("stdin line 9: column 'Flow Bytes/s' is NaN or infinite; record skipped"), "\(detected.stderr)")
        #expect(detected.stderr.contains("scored 599 flows"), "\(detected.stderr)")
        let scored = events(detected.stdout.split(separator: "\n").map(String.init))
        #expect(scored.count == table.count - 1)
        for (row, event) in zip(table.dropFirst(), scored) {
            let tune = try #require(event["tune"] as? [String: Any])
            #expect(line(of: row[0]) == line(of: tune["source"] as? String ?? ""))
            #expect(tune["predicted"] as? String == row[1])
            let probabilities = try #require(tune["probabilities"] as? [String: Double])
            for (index, name) in classNames.enumerated() {
                let expected = try #require(Double(row[row.count - classNames.count + index]))
                // Six decimals as printed; batches of another size may round the last one the other way.
                #expect(abs((probabilities[name] ?? -1) - expected) <= 1.5e-6, "\(name) on \(row[0])")
            }
            #expect(event["event_type"] as? String == (row[1] == "BENIGN" ? "flow" : "alert"))
            #expect(event["src_ip"] is String && event["dest_port"] is Int && event["flow_id"] is String)
        }
    }

    @Test func aWindowModelScoresTheWindowsTunePredictCuts() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("detect-window")
        let run: [String: Any] = [
            "conv_channels": [16, 32], "lstm_hidden": 16, "threads": 1, "seed": 1, "epochs": 1,
            "layout": "window", "window": 8, "stride": 3, "output": folder.appendingPathComponent("out").path,
            "data": ["format": "cicflowmeter", "binary": true, "max_per_class": 100,
                     "train": [data.appendingPathComponent("cicids2017-improved/BENIGN_2500.csv").path,
                               data.appendingPathComponent("cicids2017-improved/DDoS_2500.csv").path]],
        ]
        let file = folder.appendingPathComponent("run.json")
        try JSONSerialization.data(withJSONObject: run).write(to: file)
        let trained = try TuneBinary.run(binary, ["train", "--config", file.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = folder.appendingPathComponent("out/best.safetensors").path
        let (header, rows) = try records(data, classes: ["BENIGN_2500", "DDoS_2500"], count: 40)
        let input = folder.appendingPathComponent("flows.csv")
        try (([header] + rows).joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let predictions = folder.appendingPathComponent("predictions.csv")
        let predicted = try TuneBinary.run(binary, ["predict", "--model", model, "--input", input.path, "--output", predictions.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let table = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\r\n").dropFirst().map { $0.components(separatedBy: ",") }
        let detected = try TuneBinary.run(binary, ["detect", "--model", model], input: input)
        #expect(detected.status == 0, "\(detected.stderr)")
        let scored = events(detected.stdout.split(separator: "\n").map(String.init))
        // Windows of 8 flows every 3 flows, each named by its last flow: lines 9, 12, ..., 81.
        #expect(scored.count == (80 - 8) / 3 + 1 && table.count == scored.count)
        for (row, event) in zip(table, scored) {
            let tune = try #require(event["tune"] as? [String: Any])
            #expect(line(of: row[0]) == line(of: tune["source"] as? String ?? ""))
            #expect(tune["predicted"] as? String == row[1])
            #expect(abs((tune["attack_probability"] as? Double ?? -1) - (Double(row[row.count - 1]) ?? 0)) <= 1.5e-6)
        }
    }

    @Test func followScoresEveryRecordOnceThroughBurstsARotationAndATruncation() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let folder = TuneBinary.temporaryFolder("detect-follow")
        let (header, rows) = try records(data, classes: ["BENIGN_2500", "DoS_Hulk_2500", "SSH-Patator_2500"], count: 110)
        let path = folder.appendingPathComponent("flows.csv")
        func append(_ text: String, to url: URL = path) throws {
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }
        func lines(_ slice: ArraySlice<String>) -> String { slice.map { $0 + "\n" }.joined() }
        try ([header] + rows[0..<100]).map { $0 + "\n" }.joined().write(to: path, atomically: true, encoding: .utf8)

        let detector = try LiveTune(binary, ["detect", "--model", model.path, "--input", path.path, "--follow",
                                             "--max-delay", "20", "--stats-interval", "0"])
        #expect(detector.lines(atLeast: 100, timeout: 30).count == 100)
        // Bursts, one of them cut in the middle of a line.
        try append(lines(rows[100..<150]))
        let cut = lines(rows[150..<200])
        let middle = cut.index(cut.startIndex, offsetBy: cut.count / 2 + 17)
        try append(String(cut[..<middle]))
        usleep(80_000)
        try append(String(cut[middle...]))
        try append(lines(rows[200..<250]))
        #expect(detector.lines(atLeast: 250, timeout: 30).count == 250)
        // Rotation as logrotate does it: the old file renamed (and written once more), a new one.
        let rotated = folder.appendingPathComponent("flows.csv.1")
        try FileManager.default.moveItem(at: path, to: rotated)
        try append(lines(rows[250..<260]), to: rotated)
        usleep(50_000)
        try ([header] + rows[260..<320]).map { $0 + "\n" }.joined().write(to: path, atomically: false, encoding: .utf8)
        #expect(detector.lines(atLeast: 320, timeout: 30).count == 320)
        // Truncated in place and written from the start.
        try ([header] + rows[320..<325]).map { $0 + "\n" }.joined().write(to: path, atomically: false, encoding: .utf8)
        #expect(detector.lines(atLeast: 325, timeout: 30).count == 325)
        detector.signalGroup(SIGINT)
        #expect(detector.finish() == 0, "\(detector.stderr)")

        let sources = events(detector.stdoutLines).compactMap { ($0["tune"] as? [String: Any])?["source"] as? String }
        let expected = (2...261).map { "\(path.path) line \($0)" } + (2...61).map { "\(path.path) line \($0)" }
            + (2...6).map { "\(path.path) line \($0)" }
        #expect(sources == expected)
    }

    @Test func aRecordWrittenAloneIsScoredWithinTheMaximumDelay() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let (header, rows) = try records(data, classes: ["DDoS_2500"], count: 8)
        let detector = try LiveTune(binary, ["detect", "--model", model.path, "--max-delay", "50", "--stats-interval", "0"])
        detector.write(header + "\n" + rows[0] + "\n")
        #expect(detector.lines(atLeast: 1, timeout: 30).count == 1)  // warmed up
        var delays: [Double] = []
        for (index, row) in rows.dropFirst().prefix(5).enumerated() {
            usleep(300_000)
            let written = LiveTune.now()
            detector.write(row + "\n")
            let lines = detector.lines(atLeast: index + 2, timeout: 10)
            guard lines.count == index + 2 else { Issue.record("record \(index + 2) was not scored"); break }
            delays.append(lines[index + 1].time - written)
        }
        detector.closeInput()
        #expect(detector.finish() == 0, "\(detector.stderr)")
        // Each waits for the batch's deadline (nothing else arrives), and is out soon after it.
        #expect(delays.allSatisfy { $0 >= 0.045 }, "\(delays)")
        #expect(delays.sorted()[delays.count / 2] <= 0.050 + 0.020, "\(delays)")
    }

    @Test func sigtermScoresTheRecordsHeldAndExitsZero() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let (header, rows) = try records(data, classes: ["Portscan_2500"], count: 3)
        let detector = try LiveTune(binary, ["detect", "--model", model.path, "--max-delay", "60000"])
        detector.write(([header] + rows).map { $0 + "\n" }.joined())
        #expect(detector.lines(atLeast: 1, timeout: 0.5).isEmpty)  // held for the batch's minute
        detector.signalGroup(SIGTERM)
        #expect(detector.finish() == 0, "\(detector.stderr)")
        #expect(detector.stdoutLines.count == 3)
        #expect(detector.stderr.contains("scored 3 flows"), "\(detector.stderr)")
    }

    @Test func badRecordsAreSkippedWithTheirLineAndTheRestScored() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let folder = TuneBinary.temporaryFolder("detect-bad")
        var (header, rows) = try records(data, classes: ["BENIGN_2500"], count: 6)
        rows[1] = rows[1].components(separatedBy: ",").dropLast(3).joined(separator: ",")   // line 3
        var fields = rows[3].components(separatedBy: ",")                                     // line 5
        let duration = try #require(header.components(separatedBy: ",").firstIndex(of: "Flow Duration"))
        fields[duration] = "fast"
        rows[3] = fields.joined(separator: ",")
        let input = folder.appendingPathComponent("flows.csv")
        try (([header] + rows).joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let result = try TuneBinary.run(binary, ["detect", "--model", model.path, "--input", input.path])
        #expect(result.status == 0, "\(result.stderr)")
        let sources = events(result.stdout.split(separator: "\n").map(String.init))
            .compactMap { ($0["tune"] as? [String: Any])?["source"] as? String }
        #expect(sources.compactMap(line(of:)) == [2, 4, 6, 7])
        let fieldCount = header.components(separatedBy: ",").count
        #expect(result.stderr.contains("\(input.path) line 3: expected \(fieldCount) fields, found \(fieldCount - 3); record skipped"), "\(result.stderr)")
        // The second bad record comes within the same second: counted, not printed.
        #expect(result.stderr.contains("1 more record skipped since the last message"), "\(result.stderr)")
        #expect(result.stderr.contains("scored 4 flows") && result.stderr.contains("2 records skipped"), "\(result.stderr)")
    }

    @Test func aZeekModelScoresZeekJSONAsPredictScoresTheTSVAndRefusesCICFlowMeterRecords() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let folder = TuneBinary.temporaryFolder("detect-zeek")
        let train = folder.appendingPathComponent("conn.log.labeled")
        try FlowLogSamples.zeekTSV(FlowLogSamples.connections(count: 600, seed: 3)).write(to: train, atomically: true, encoding: .utf8)
        let run: [String: Any] = [
            "conv_channels": [16, 32], "lstm_hidden": 16, "threads": 1, "seed": 1, "epochs": 2,
            "output": folder.appendingPathComponent("out").path,
            "data": ["format": "zeek", "binary": true, "train": train.path],
        ]
        let file = folder.appendingPathComponent("run.json")
        try JSONSerialization.data(withJSONObject: run).write(to: file)
        let trained = try TuneBinary.run(binary, ["train", "--config", file.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = folder.appendingPathComponent("out/best.safetensors").path

        let fresh = FlowLogSamples.connections(count: 90, seed: 44)
        let tsv = folder.appendingPathComponent("new.log")
        let json = folder.appendingPathComponent("new.json")
        try FlowLogSamples.zeekTSV(fresh).write(to: tsv, atomically: true, encoding: .utf8)
        try FlowLogSamples.zeekJSON(fresh).write(to: json, atomically: true, encoding: .utf8)
        let predictions = folder.appendingPathComponent("predictions.csv")
        let predicted = try TuneBinary.run(binary, ["predict", "--model", model, "--input", tsv.path, "--output", predictions.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let table = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\r\n").dropFirst().map { $0.components(separatedBy: ",") }
        let detected = try TuneBinary.run(binary, ["detect", "--model", model, "--input", json.path])
        #expect(detected.status == 0, "\(detected.stderr)")
        let scored = events(detected.stdout.split(separator: "\n").map(String.init))
        #expect(scored.count == fresh.count && table.count == fresh.count)
        for (row, event) in zip(table, scored) {
            let tune = try #require(event["tune"] as? [String: Any])
            #expect(tune["predicted"] as? String == row[1])
            #expect(abs((tune["attack_probability"] as? Double ?? -1) - (Double(row[row.count - 1]) ?? 0)) <= 1.5e-6)
            #expect(event["src_ip"] is String && event["dest_port"] is Int && event["proto"] as? String != nil)
        }

        // CICFlowMeter records into the Zeek model: one plain error, exit 2, nothing scored.
        let cic = data.appendingPathComponent("cicids2017-improved/Botnet_736.csv")
        let refused = try TuneBinary.run(binary, ["detect", "--model", model, "--input", cic.path])
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("Botnet_736.csv line 1") && refused.stderr.contains("the model was trained on zeek records"), "\(refused.stderr)")
        let asCSV = try TuneBinary.run(binary, ["detect", "--model", model, "--input", cic.path, "--format", "cicflowmeter"])
        #expect(asCSV.status == 2)
        #expect(asCSV.stderr.contains("cannot score these (read as cicflowmeter)"), "\(asCSV.stderr)")
    }

    @Test func badArgumentsGetOneClearErrorAndExitTwo() throws {
        guard let binary = TuneBinary.locate(), let data = TestEnvironment.dataDirectory() else { return }
        let model = try cicModel(binary, data)
        let folder = TuneBinary.temporaryFolder("detect-args")
        let cases: [([String], String)] = [
            (["detect", "--model", model.path, "--format", "npy"], "--format 'npy' is not a flow-record format"),
            (["detect", "--model", model.path, "--threshold", "1.5"], "--threshold must be between 0 and 1"),
            (["detect", "--model", model.path, "--max-batch", "0"], "--max-batch must be at least 1"),
            (["detect", "--model", model.path, "--follow"], "--follow needs --input FILE"),
            (["detect", "--model", folder.appendingPathComponent("missing.safetensors").path], "missing.safetensors"),
            (["detect", "--model", model.path, "--input", folder.appendingPathComponent("none.csv").path], "none.csv: cannot read the file: no such file"),
        ]
        for (arguments, message) in cases {
            let result = try TuneBinary.run(binary, arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            // The error is the first line (argument errors add the usage after it).
            #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "\(arguments): \(result.stderr)")
        }
    }
}
