import Foundation
import FileFormats

/// The `__metadata__` strings of a safetensors file, read from its header alone
/// (`SafetensorsHeader`) without loading the tensors, so Reports need not depend on NN.
public struct SafetensorsMetadata: Sendable, Equatable {
    public var values: [String: String]

    public init(values: [String: String]) {
        self.values = values
    }

    /// Reads the metadata of the file at `url`.
    public static func read(_ url: URL) throws(ReportError) -> SafetensorsMetadata {
        do {
            return SafetensorsMetadata(values: try SafetensorsHeader.read(url).metadata)
        } catch .io(let message) {
            throw ReportError(path: url.path, message: message)
        } catch {
            throw ReportError(path: url.path, message: "is not a valid safetensors file: \(error.description)")
        }
    }

    /// The class names the model was trained on (`class_names`, a JSON list of strings), if present.
    public var classNames: [String]? {
        guard let text = values["class_names"],
              case .array(let elements)? = try? JSONValue.parse(Data(text.utf8), source: "class_names") else { return nil }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element else { return nil }
            names.append(name)
        }
        return names
    }
}
