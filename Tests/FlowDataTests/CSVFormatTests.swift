import FlowData
import Foundation
import Testing

/// The CSV readers through `loadDataset`: RFC 4180 quoting, line endings, number syntax,
/// lenient decoding, the UNSW-NB15 and generic formats. `val_fraction` 0 and scaler `none`
/// keep rows in file order with their values as read.
@Suite("CSV formats")
struct CSVFormatTests {
    private func load(_ text: String, format: DataFormat = .csv, label: String? = "label",
                      configure: (inout DataSpec) -> Void = { _ in }) throws -> PreparedData {
        try load(Array(text.utf8), format: format, label: label, configure: configure)
    }

    private func load(_ bytes: [UInt8], format: DataFormat = .csv, label: String? = "label",
                      configure: (inout DataSpec) -> Void = { _ in }) throws -> PreparedData {
        let directory = try TemporaryDirectory()
        let path = try directory.write(bytes, to: "data.csv")
        var spec = DataSpec(format: format)
        spec.train = [path]
        spec.label = label
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        configure(&spec)
        return try loadDataset(spec)
    }

    @Test("quoted fields: delimiters, doubled quotes and line breaks inside quotes")
    func quoting() throws {
        let text = "a,\"b, with comma\",label\n1,2,\"say \"\"hi\"\"\"\n\"3\",\"4\",\"multi\nline\"\n5,6,x\n"
        let data = try load(text)
        #expect(data.featureNames == ["a", "b, with comma"])
        #expect(data.classNames == ["multi\nline", "say \"hi\"", "x"])
        #expect(data.train.values == [1, 2, 3, 4, 5, 6])
        #expect(data.train.labels == [1, 0, 2])
    }

    @Test("an error after a multi-line quoted field reports the physical line")
    func lineNumbersAfterQuotedBreaks() throws {
        let text = "a,b,label\n1,2,\"one\ntwo\nthree\"\n3,oops,x\n"
        let error = try #require(throws: DataError.self) { _ = try load(text) }
        #expect(error.description.contains("data.csv line 5"))
    }

    @Test("CRLF, CR-only and missing final line break; blank lines and a BOM are ignored",
          arguments: ["\r\n", "\r", "\n"])
    func lineEndings(_ newline: String) throws {
        let text = "\u{FEFF}a,b,label" + newline + "1,2,x" + newline + newline + "3,4,y" + newline + "5,6,x"
        let data = try load(text)
        #expect(data.featureNames == ["a", "b"])
        #expect(data.train.values == [1, 2, 3, 4, 5, 6])
        #expect(data.summary.train.rowsRead == 3)
    }

    @Test("numbers parse as strtod does (to Float), in every notation flow files use")
    func numbers() throws {
        var generator = SystemRandomNumberGenerator()
        var lines = ["value,other,label"]
        var texts: [String] = ["0", "-0.0", "+7", "1e3", "1E-3", "2.5e+10", " 42 ", "0.1", "123456789012345678901234",
                               "1869799.0642906628", "4.9e-324", "1.7976931348623157e308", "3.4028235e38", ".5", "5."]
        for _ in 0..<2_000 {
            let value = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -12...12, using: &generator)))
            texts.append(Bool.random(using: &generator) ? "\(value)" : String(format: "%.17g", value))
        }
        for (index, text) in texts.enumerated() { lines.append("\(text),\(index),\(index % 2 == 0 ? "x" : "y")") }
        let data = try load(lines.joined(separator: "\n"))
        #expect(data.train.count == texts.count)
        for (index, text) in texts.enumerated() {
            let expected = Float(strtod(text.trimmingCharacters(in: .whitespaces), nil))
            let actual = data.train.values[index * 2]
            #expect(actual == expected || abs(actual - expected) <= abs(expected) * 1.2e-7, "\(text): \(actual) vs \(expected)")
        }
    }

    @Test("Infinity, NaN and empty values drop their row and are counted per column")
    func nonFinite() throws {
        let text = "a,b,label\n1,2,x\nInfinity,2,x\n3,-inf,y\n4,NaN,y\n5,,x\n6,7,y\n"
        let data = try load(text)
        #expect(data.summary.train.rowsRead == 6)
        #expect(data.summary.train.nonFiniteRowsDropped == 4)
        #expect(data.summary.nonFiniteValues == ["a": 1, "b": 3])
        #expect(data.train.values == [1, 2, 6, 7])
    }

    @Test("a Windows-1252 byte in a label is decoded, and CICFlowMeter's dash spelled '-'")
    func lenientDecoding() throws {
        let header = " Destination Port, Flow Duration, Fwd Header Length, Fwd Header Length, Label\n"
        var bytes = Array((header + "80,10,20,20,BENIGN\n443,11,21,21,BENIGN\n").utf8)
        bytes += Array("80,12,22,22,Web Attack ".utf8) + [0x96] + Array(" Brute Force\n".utf8)
        let cic = try load(bytes, format: .cicflowmeter, label: nil)
        #expect(cic.classNames == ["BENIGN", "Web Attack - Brute Force"])
        #expect(cic.featureNames == ["Destination Port", "Flow Duration", "Fwd Header Length"])
        let generic = try load(bytes, format: .csv, label: "Label")
        #expect(generic.classNames == ["BENIGN", "Web Attack \u{2013} Brute Force"])
    }

    @Test("UNSW-NB15 partitioned sets: attack_cat classes, label for binary, proto/service/state one-hot")
    func unswPartitioned() throws {
        let text = """
            id,dur,proto,service,state,spkts,sbytes,attack_cat,label
            1,0.1,tcp,-,FIN,6,258,Normal,0
            2,0.2,udp,dns,INT,2,114,Generic,1
            3,0.3,tcp,http,FIN,8,800,Exploits,1
            4,0.1,tcp,-,FIN,4,300,Normal,0
            """
        let data = try load(text, format: .unswNB15, label: nil)
        #expect(data.classNames == ["Exploits", "Generic", "Normal"])
        #expect(data.featureNames == ["dur", "spkts", "sbytes", "proto=tcp", "proto=udp", "service=-", "service=dns",
                                      "service=http", "state=FIN", "state=INT"])
        #expect(data.summary.droppedColumns.map(\.name).contains("id"))
        let binary = try load(text, format: .unswNB15, label: "label") { $0.binary = true }
        #expect(binary.train.labels == [0, 1, 1, 0])
    }

    @Test("UNSW-NB15 raw files without header: 49 columns, empty attack_cat is Normal")
    func unswRaw() throws {
        func row(_ category: String, _ label: Int, _ bytes: Int) -> String {
            var fields = ["59.166.0.0", "1390", "149.171.126.6", "53", "udp", "CON"]
            fields += (0..<7).map { "\($0 + bytes)" } + ["dns"] + (0..<33).map { "\($0 * bytes % 7)" }
            fields += [category, "\(label)"]
            return fields.joined(separator: ",")
        }
        let text = [row("", 0, 1), row(" Fuzzers ", 1, 2), row("Backdoors", 1, 3), row("", 0, 4)].joined(separator: "\n")
        let data = try load(text, format: .unswNB15, label: nil)
        #expect(data.classNames == ["Backdoor", "Fuzzers", "Normal"])
        #expect(data.summary.train.rowsRead == 4)
        #expect(!data.featureNames.contains("srcip") && !data.featureNames.contains("sport"))
    }

    @Test("generic CSV: symbolic columns one-hot from training; unseen test categories counted")
    func genericSymbolic() throws {
        let directory = try TemporaryDirectory()
        let train = try directory.write("size,colour,kind\n1,red,a\n2,blue,b\n3,red,a\n4,blue,b\n", to: "train.csv")
        let test = try directory.write("size,colour,kind\n5,green,a\n6,red,b\n7,green,c\n", to: "test.csv")
        var spec = DataSpec(format: .csv)
        spec.train = [train]
        spec.test = [test]
        spec.label = "kind"
        spec.symbolic = ["colour"]
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        let data = try loadDataset(spec)
        #expect(data.featureNames == ["size", "colour=blue", "colour=red"])
        #expect(data.train.values == [1, 0, 1, 2, 1, 0, 3, 0, 1, 4, 1, 0])
        let testSamples = try #require(data.test)
        #expect(testSamples.values == [5, 0, 0, 6, 0, 1])
        #expect(data.summary.unknownCategories == ["colour": 2])  // both green rows, before the "c" row is dropped
        #expect(data.summary.unknownLabels == ["c": 1])
        #expect(data.summary.test?.unknownLabelSamplesDropped == 1)
    }

    @Test("several files per split, by list and by glob, in sorted order")
    func severalFiles() throws {
        let directory = try TemporaryDirectory()
        try directory.write("v,label\n1,x\n2,y\n", to: "part-b.csv")
        try directory.write("v,label\n3,x\n4,y\n", to: "part-a.csv")
        try directory.write("v,label\n5,x\n", to: "other.csv")
        var spec = DataSpec(format: .csv)
        spec.label = "label"
        spec.valFraction = 0
        spec.scaler = ScalerChoice(kind: .none, logTransform: false)
        spec.train = [directory.path("part-*.csv"), directory.path("other.csv")]
        let data = try loadDataset(spec)
        #expect(data.train.values == [3, 4, 1, 2, 5])
    }
}
