import Foundation
import FileFormats
import Testing
import Training
import TrialProtocol

@Suite("Run files")
struct RunConfigurationTests {
    func parse(_ text: String) throws(JSONFileError) -> RunConfiguration {
        try RunConfiguration.parse(JSONValue.parse(Data(text.utf8), source: "run.json"), source: "run.json")
    }

    @Test func defaultsAreTheSeeds() throws {
        let run = try parse(#"{"data": {"format": "synthetic"}}"#)
        #expect(run.model.variant == .lstm && run.model.convChannels == [128, 256] && run.model.kernelSize == 3)
        #expect(run.model.lstmHidden == 128 && run.model.lstmLayers == 1 && run.model.dropout == 0.3)
        #expect(run.options.batchSize == 64 && run.options.epochs == 20 && run.options.learningRate == 1e-3)
        #expect(run.options.clipNorm == 5 && run.options.plateauFactor == 0.1 && run.options.plateauPatience == 10)
    }

    /// Trials of a search differ in their model seed; they must validate on the same samples. The
    /// split and the class cap come from the data's `split_seed` alone.
    @Test func theModelSeedLeavesTheValidationSplitAlone() throws {
        func load(_ text: String) throws -> TrainingData {
            try parse(text).loadTrainingData(source: "run.json").data
        }
        let data = #""data": {"format": "synthetic", "flows": 600, "max_per_class": 90}"#
        let first = try load("{\(data), \"seed\": 1}")
        let second = try load("{\(data), \"seed\": 2, \"scaler\": \"robust\"}")
        #expect(first.validation.labels == second.validation.labels && first.train.labels == second.train.labels)
        #expect(first.validationFingerprint != nil && first.validationFingerprint == second.validationFingerprint)
        let resplit = try load(#"{"data": {"format": "synthetic", "flows": 600, "max_per_class": 90, "split_seed": 4}, "seed": 1}"#)
        #expect(resplit.validationFingerprint != first.validationFingerprint)
    }

    @Test func everyKeyOfTheDesignExampleIsRead() throws {
        let run = try parse("""
            { "data": { "format": "cicflowmeter", "train": "data/cic/*.csv" },
              "layout": "features", "scaler": "log-standard",
              "variant": "attention", "conv_channels": [64, 128], "kernel_size": 5, "lstm_hidden": 96,
              "lstm_layers": 2, "dropout": 0.1, "heads": 2, "head_dim": 32,
              "batch_size": 32, "epochs": 9, "lr": 0.003, "weight_decay": 0.0001, "clip_norm": null,
              "plateau": { "factor": 0.5, "patience": 2 }, "seed": 7, "threads": 2,
              "metric": "val_accuracy", "output": "runs/cic-1" }
            """)
        #expect(run.preprocessing == ["layout": .string("features"), "scaler": .string("log-standard")])
        #expect(run.model.variant == .attention && run.model.convChannels == [64, 128] && run.model.kernelSize == 5)
        #expect(run.model.lstmHidden == 96 && run.model.lstmLayers == 2 && run.model.heads == 2 && run.model.headDim == 32)
        #expect(run.options.batchSize == 32 && run.options.epochs == 9 && run.options.weightDecay == 0.0001)
        #expect(run.options.clipNorm == nil && run.options.plateauFactor == 0.5 && run.options.plateauPatience == 2)
        #expect(run.options.seed == 7 && run.options.threads == 2 && run.options.metric == "val_accuracy")
        #expect(run.output == "runs/cic-1")
    }

    @Test(arguments: [
        ("", "run.json line 1, column 1: is empty"),
        ("{\n \"data\": {},\n \"epochs\": 3,\n}", "run.json line 4, column 1: expects a quoted key"),
        (#"{"data": {}, "data": {}}"#, #"repeats the key "data""#),
        (#"{"data": {}, "epochs": "ten"}"#, "'epochs' must be a number, not a string"),
        (#"{"data": {}, "epochs": 2.5}"#, "'epochs' must be a whole number"),
        (#"{"data": {}, "learning_rate": 0.1}"#, "'learning_rate' is not a known setting"),
        (#"{"data": {}, "plateau": {"patience": 1, "mode": "max"}}"#, "'plateau.mode' is not a known setting"),
        (#"{"epochs": 3}"#, "'data' is required"),
        (#"{"data": {}, "variant": "gru"}"#, "'variant' must be lstm, bilstm or attention"),
        (#"{"data": {}, "batch_size": 1}"#, "'batch_size' must be at least 2"),
        (#"{"data": {}, "dropout": 1.5}"#, "'dropout' must be in [0, 1)"),
        (#"{"data": {}, "metric": "val_f2"}"#, "'metric' 'val_f2' is not a metric"),
        (#"{"data": {}, "seed": -1}"#, "'seed' must not be negative"),
        (#"[1, 2]"#, "run.json must be a JSON object, not a list"),
    ])
    func badRunFilesNameTheProblem(text: String, expected: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(error.description.hasPrefix("run.json"), "\(error.description)")
        }
    }
}
