import Foundation
import FileFormats
import Testing
import TrialProtocol

@Suite("The trial protocol")
struct TrialProtocolTests {
    /// An `epochs.jsonl` line as the trainer writes it (keys sorted, per-class lists included).
    static let loggedLine = """
        {"epoch":2,"lr":0.001,"seconds":3.5,"test":{"accuracy":0.8,"f1":[0.7,0.9],"f1_macro":0.8},"test_loss":0.4,\
        "train_loss":0.3,"val_loss":0.35,"validation":{"accuracy":0.9,"confusion_matrix":[[5,1],[0,4]],"f1_macro":0.88,\
        "roc_auc":0.95},"validation_fingerprint":"00ff"}
        """

    @Test func flatNamesComeFromTopLevelNumbersAndTheEvaluationSections() throws {
        guard case .object(let members) = try JSONValue.parse(Data(Self.loggedLine.utf8), source: "line") else {
            Issue.record("not an object")
            return
        }
        #expect(FlatMetrics.flatten(members) == [
            "lr": 0.001, "train_loss": 0.3, "val_loss": 0.35, "test_loss": 0.4,
            "val_accuracy": 0.9, "val_f1_macro": 0.88, "val_roc_auc": 0.95,
            "test_accuracy": 0.8, "test_f1_macro": 0.8,
        ])
    }

    @Test func anEpochLineRoundTripsAndNamesItsTrial() {
        let line = TrialOutputLine.epoch(.init(epoch: 3, metrics: ["val_f1_macro": 0.5, "train_loss": 1.25], seconds: 2))
        let text = line.text(trial: 7)
        #expect(text == #"{"epoch":3,"metrics":{"train_loss":1.25,"val_f1_macro":0.5},"seconds":2,"trial":7}"#)
        #expect(TrialOutputLine(text) == line)
    }

    @Test func statusLinesAndOtherOutputAreTold() {
        let status = TrialOutputLine.status("diverged", details: ["epoch": .number(2), "message": .string("loss is nan")])
        #expect(TrialOutputLine(status.text(trial: 1)) == status)
        #expect(TrialOutputLine("data: 10 training samples") == nil)
        #expect(TrialOutputLine(#"{"epoch":3,"metrics":{"val_f1"#) == nil)  // a line cut by a crash
        #expect(TrialOutputLine(#"{"epoch":0,"metrics":{}}"#) == nil)
    }

    @Test func theLogKeepsTheLastLineOfAnEpochAndSkipsBrokenOnes() {
        let text = Self.loggedLine + "\n{\"epoch\":1,\"train_loss\":9}\nnot json\n{\"epoch\":1,\"train_loss\":0.5}\n{\"epoch\":"
        let records = EpochLogFile.parse(text)
        #expect(records.map(\.epoch) == [1, 2])
        #expect(FlatMetrics.flatten(records[0].record) == ["train_loss": 0.5])
    }

    @Test func theRunFileCarriesTheCoordinatorsKeys() {
        let document = TrialRunFile.document(parameters: ["lr": .number(0.01)], data: .object(["format": .string("synthetic")]),
                                             seed: 42, threads: 2, metric: "val_loss", output: "/s/trials/3/run")
        #expect(document.canonicalText
            == #"{"data":{"format":"synthetic"},"lr":0.01,"metric":"val_loss","output":"/s/trials/3/run","seed":42,"threads":2}"#)
        let folder = StudyFolder(directory: URL(fileURLWithPath: "/s"))
        #expect(folder.runFiles(3).directory.path == "/s/trials/3/run")
        #expect(TrialCommandLine.start(runFile: folder.runFile(3), epochs: 9, trial: 3, threadRequests: folder.threadRequest(3))
            == ["train", "--config", "/s/trials/3/run.json", "--epochs", "9", "--trial", "3", "--thread-requests", "/s/trials/3/threads"])
        #expect(TrialCommandLine.resume(run: folder.runFiles(3), epochs: 27, trial: 3, threadRequests: folder.threadRequest(3))
            == ["train", "--resume", "/s/trials/3/run", "--epochs", "27", "--trial", "3", "--thread-requests", "/s/trials/3/threads"])
    }

    /// A request is one whole number; anything else (no file, a partial or bad one) is no request.
    @Test func aThreadRequestIsOneWholeNumber() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tune-threads-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(ThreadRequest.read(url) == nil)
        try ThreadRequest.write(2, to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "2\n")
        #expect(ThreadRequest.read(url) == 2)
        for text in ["", "0", "-1", "two", "2.5"] {
            try text.write(to: url, atomically: true, encoding: .utf8)
            #expect(ThreadRequest.read(url) == nil, "\(text)")
        }
    }
}
