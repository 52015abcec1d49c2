@testable import FlowData
import Foundation
import TestSupport
import Testing

/// Zeek conn.log (TSV as IoT-23 labels it, and JSON lines) and Suricata EVE flow events, for
/// training (`loadDataset`) and for live records (`LiveRecordReader`). `val_fraction` 0 and
/// scaler `none` keep rows in file order with their values as read.
@Suite("Zeek and Suricata formats")
struct FlowLogFormatTests {
    let connections = FlowLogSamples.connections(count: 30, seed: 7)

    private func load(_ text: String, format: DataFormat, name: String, configure: (inout DataSpec) -> Void = { _ in }) throws -> PreparedData {
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: format)
        spec.train = [try directory.write(text, to: name)]
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        configure(&spec)
        return try loadDataset(spec)
    }

    @Test("IoT-23's conn.log.labeled: labels split from tunnel_parents, unset reads 0, identifiers dropped")
    func zeekTSVWithIoT23Labels() throws {
        let data = try load(FlowLogSamples.zeekTSV(connections), format: .zeek, name: "conn.log.labeled")
        #expect(data.classNames == ["Benign", "Malicious"])
        #expect(data.train.labels == connections.map { $0.malicious ? 1 : 0 })
        let dropped = Set(data.summary.droppedColumns.map(\.name))
        #expect(dropped.isSuperset(of: ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "tunnel_parents", "detailed-label"]))
        #expect(data.featureNames.contains("id.resp_p") && data.featureNames.contains("conn_state=S0"))
        // The first scan with one SYN has duration, orig_bytes and resp_bytes unset: read as 0.
        let scan = try #require(connections.firstIndex { $0.malicious && $0.fields["duration"] == "-" })
        let width = data.featureNames.count
        for name in ["duration", "orig_bytes", "resp_bytes"] {
            let feature = try #require(data.featureNames.firstIndex(of: name))
            #expect(data.train.values[scan * width + feature] == 0)
        }
        let port = try #require(data.featureNames.firstIndex(of: "id.resp_p"))
        #expect(data.train.values[scan * width + port] == Float(connections[scan].fields["id.resp_p"] ?? ""))
    }

    @Test("Zeek JSON lines give the samples the TSV log gives")
    func zeekJSONMatchesTSV() throws {
        let tsv = try load(FlowLogSamples.zeekTSV(connections), format: .zeek, name: "conn.log")
        let json = try load(FlowLogSamples.zeekJSON(connections), format: .zeek, name: "conn.json")
        #expect(json.featureNames == tsv.featureNames)
        #expect(json.classNames == tsv.classNames)
        #expect(json.train == tsv.train)
    }

    @Test("Suricata EVE: flow events only, nested fields flattened, booleans as 1 and 0")
    func suricataEVE() throws {
        let data = try load(FlowLogSamples.eve(connections), format: .suricataEVE, name: "eve.json")
        #expect(data.train.count == connections.count)
        #expect(data.train.labels == connections.map { $0.malicious ? 1 : 0 })
        for name in ["dest_port", "flow.bytes_toserver", "flow.pkts_toclient", "tcp.syn", "tcp.fin", "proto=TCP", "flow.state=new"] {
            #expect(data.featureNames.contains(name), "\(name) in \(data.featureNames)")
        }
        for name in ["timestamp", "flow_id", "src_ip", "src_port", "dest_ip", "event_type"] {
            #expect(!data.featureNames.contains(name))
        }
        let width = data.featureNames.count
        let fin = try #require(data.featureNames.firstIndex(of: "tcp.fin"))
        let dns = try #require(connections.firstIndex { $0.fields["proto"] == "udp" })
        let http = try #require(connections.firstIndex { $0.fields["service"] == "http" })
        #expect(data.train.values[dns * width + fin] == 0)  // no tcp object: unset
        #expect(data.train.values[http * width + fin] == 1)
    }

    @Test("a Zeek log with a record before #fields, or a ragged record, names the line")
    func zeekErrors() throws {
        do {
            _ = try load("a,b,label\n1,2,x\n", format: .zeek, name: "x.csv")
            Issue.record("a CSV file was read as a Zeek log")
        } catch let error as DataError {
            #expect(error.description.hasSuffix("x.csv line 1: a record before any #fields line (is this a Zeek log?)"), "\(error)")
        }
        var text = FlowLogSamples.zeekTSV(Array(connections.prefix(3)))
        text = text.replacingOccurrences(of: "\tS0\t", with: "\t")
        do {
            _ = try load(text, format: .zeek, name: "ragged.log")
            Issue.record("a ragged record was read")
        } catch let error as DataError {
            #expect(error.description.contains("ragged.log line 11: expected 23 fields as in #fields, found 20"), "\(error)")
        }
    }

    // MARK: - Live records

    /// Every record of `text` through a reader of `pipeline`, as features or problems by line.
    private func liveRecords(_ text: String, pipeline: FeaturePipeline, format: DataFormat? = nil, chunkLines: Int = 7) throws -> [(line: Int, features: [Float]?, problem: RecordProblem?, label: String?)] {
        var reader = try LiveRecordReader(pipeline: pipeline, format: format, source: "live")
        var records: [(line: Int, features: [Float]?, problem: RecordProblem?, label: String?)] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 + "\n" }
        var first = 1
        // Lines arrive in chunks, as a followed file gives them.
        for start in stride(from: 0, to: lines.count, by: chunkLines) {
            let chunk = Array(lines[start..<min(start + chunkLines, lines.count)].joined().utf8)
            try reader.read(chunk, firstLine: first) { record in
                records.append((record.line, record.problem == nil ? Array(record.features) : nil, record.problem, record.label))
            }
            first += min(chunkLines, lines.count - start)
        }
        return records
    }

    @Test("live records are encoded exactly as prediction input, for TSV and JSON alike")
    func liveRecordsMatchPrediction() throws {
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: .zeek)
        spec.train = [try directory.write(FlowLogSamples.zeekTSV(connections), to: "train.log")]
        let pipeline = try loadDataset(spec).pipeline  // fitted scaler: the real formula
        let fresh = FlowLogSamples.connections(count: 40, seed: 99)
        let tsv = FlowLogSamples.zeekTSV(fresh)
        let expected = try pipeline.prepare(files: [try directory.write(tsv, to: "new.log")])
        // Unlabelled logs, as a live sensor writes them, are prediction input too.
        for text in [FlowLogSamples.zeekTSV(fresh, labelled: false), FlowLogSamples.zeekJSON(fresh, labelled: false)] {
            let unlabelled = try pipeline.prepare(files: [try directory.write(text, to: "unlabelled.log")])
            #expect(unlabelled.samples.values == expected.samples.values)
            #expect(unlabelled.samples.labels.isEmpty)
        }
        for text in [tsv, FlowLogSamples.zeekJSON(fresh)] {
            let records = try liveRecords(text, pipeline: pipeline)
            #expect(records.count == fresh.count)
            #expect(records.allSatisfy { $0.problem == nil })
            #expect(records.flatMap { $0.features ?? [] } == expected.samples.values.array)
            #expect(records.map(\.label) == fresh.map { $0.malicious ? "Malicious" : "Benign" })
        }
    }

    @Test("bad live records are passed on with their line and reason; the rest are scored")
    func badLiveRecords() throws {
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: .zeek)
        spec.train = [try directory.write(FlowLogSamples.zeekTSV(connections), to: "train.log")]
        let pipeline = try loadDataset(spec).pipeline
        var lines = FlowLogSamples.zeekTSV(Array(connections.prefix(6))).split(separator: "\n").map(String.init)
        // Lines 9..14 are records: spoil three of them.
        lines[9] = lines[9].replacingOccurrences(of: "\tSF\t", with: "\tXYZ\t")          // unknown category
        lines[10] = lines[10].components(separatedBy: "\t").dropLast(2).joined(separator: "\t")  // too few fields
        var fields = lines[11].components(separatedBy: "\t")
        fields[16] = "many"                                                               // orig_pkts
        lines[11] = fields.joined(separator: "\t")
        let records = try liveRecords(lines.joined(separator: "\n") + "\n", pipeline: pipeline)
        #expect(records.map(\.line) == [9, 10, 11, 12, 13, 14])
        #expect(records.filter { $0.problem == nil }.map(\.line) == [9, 13, 14])
        #expect(records[1].problem == .unknownCategory(column: "conn_state", value: "XYZ"))
        #expect(records[2].problem?.description.contains("expected 23 fields as in #fields, found 19") == true, "\(String(describing: records[2].problem))")
        #expect(records[3].problem == .notANumber(column: "orig_pkts", value: "many"))
    }

    @Test("records of another kind than the model's are refused plainly")
    func otherRecordsAreRefused() throws {
        let directory = try TemporaryDirectory()
        var spec = DataSpec(format: .zeek)
        spec.train = [try directory.write(FlowLogSamples.zeekTSV(connections), to: "train.log")]
        let zeek = try loadDataset(spec).pipeline
        let csv = "Flow ID,Dst Port,Flow Duration,Label\n1,80,100,BENIGN\n"
        do {
            _ = try liveRecords(csv, pipeline: zeek)
            Issue.record("CSV records were read by a Zeek model")
        } catch let error as DataError {
            #expect(error.description.contains("live line 1"), "\(error)")
            #expect(error.description.contains("the model was trained on zeek records"), "\(error)")
        }
        do {
            _ = try liveRecords(csv, pipeline: zeek, format: .cicflowmeter)
            Issue.record("CSV records were read by a Zeek model")
        } catch let error as DataError {
            #expect(error.description.contains("lack 15 of the 15 columns the model reads"), "\(error)")
            #expect(error.description.contains("cannot score these (read as cicflowmeter)"), "\(error)")
        }
        do {
            _ = try liveRecords(FlowLogSamples.eve(connections), pipeline: zeek)
            Issue.record("EVE records were read by a Zeek model")
        } catch let error as DataError {
            #expect(error.description.contains("not the kind of zeek record the model was trained on"), "\(error)")
        }
    }
}
