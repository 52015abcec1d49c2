import Foundation
import Testing
import TestSupport
@testable import Search

@Suite("The example search files")
struct ExampleSearchTests {
    /// Run-file keys a search may set (DESIGN.md "Data and the run file"); the trainer's own
    /// list lives in Training, which this library does not import.
    static let runFileKeys: Set<String> = [
        "layout", "scaler", "window", "stride", "variant", "conv_channels", "kernel_size", "lstm_hidden",
        "lstm_layers", "dropout", "heads", "head_dim", "batch_size", "lr", "weight_decay", "clip_norm",
        "plateau", "seed",
    ]

    @Test(arguments: ["quickstart", "nsl-kdd", "cicids2017", "cicids2017-short", "variants"])
    func exampleIsValid(name: String) throws {
        let path = TestEnvironment.packageRoot.appendingPathComponent("Searches/\(name).json").path
        let definition = try SearchDefinition.read(path: path)
        #expect(definition.name == name)
        try definition.validate(knownParameters: Self.runFileKeys, knownMetrics: ["val_f1_macro", "val_loss"])
        #expect(definition.data != nil)
    }
}
