import Foundation
import FileFormats
import Search
import Testing

@Suite("YAML search files")
struct YAMLSearchFileTests {
    func write(_ text: String, name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tune-yaml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func aYAMLFileReadsLikeItsJSONTwin() throws {
        let yaml = try write("""
            name: twin
            method: asha
            metric: {name: val_f1_macro, goal: maximize}
            budget:
              min_epochs: 1
              max_epochs: 9
              eta: 3
            data: {format: synthetic, flows: 3000}
            parameters:
              variant: {values: [lstm, bilstm]}
              lr: {distribution: log_uniform_values, min: 1e-4, max: 0.01}
              dropout: {distribution: uniform, min: 0.0, max: 0.5}
              lstm_layers: {distribution: int_uniform, min: 1, max: 2}
            """, name: "twin.yaml")
        let json = try write("""
            {"name": "twin", "method": "asha", "metric": {"name": "val_f1_macro", "goal": "maximize"},
             "budget": {"min_epochs": 1, "max_epochs": 9, "eta": 3}, "data": {"format": "synthetic", "flows": 3000},
             "parameters": {"variant": {"values": ["lstm", "bilstm"]},
                            "lr": {"distribution": "log_uniform_values", "min": 0.0001, "max": 0.01},
                            "dropout": {"distribution": "uniform", "min": 0.0, "max": 0.5},
                            "lstm_layers": {"distribution": "int_uniform", "min": 1, "max": 2}}}
            """, name: "twin.json")
        let fromYAML = try SearchDefinition.read(path: yaml)
        let fromJSON = try SearchDefinition.read(path: json)
        #expect(fromYAML.fingerprint == fromJSON.fingerprint)
        #expect(fromYAML.parameters == fromJSON.parameters)
    }

    @Test func badYAMLNamesTheFileAndPlace() throws {
        let broken = try write("name: x\nmetric: {name: val_f1_macro\n", name: "broken.yml")
        do {
            _ = try SearchDefinition.read(path: broken)
            Issue.record("accepted broken YAML")
        } catch {
            #expect(error.description.contains("broken.yml"))
            #expect(error.description.contains("line"), "\(error.description)")
        }
        let twice = try write("name: x\nname: y\n", name: "twice.yaml")
        #expect(throws: JSONFileError.self) { try SearchDefinition.read(path: twice) }
    }
}
