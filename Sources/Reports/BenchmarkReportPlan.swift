import FileFormats
import Search

/// What `tune bench --space FILE` compares, read from a search file: one configuration per
/// variant (those the file's `variant` parameter lists, else all three), or the configurations
/// of an optional top-level `configurations` list. Every other parameter is held at one value
/// (`fixedValueRule`), so configurations differ only where the file says.
public struct BenchmarkPlan: Sendable, Equatable {
    /// The search file without its `configurations` key.
    public var definition: SearchDefinition
    public var configurations: [BenchmarkConfiguration]
    /// True when the file listed its configurations; false for one configuration per variant.
    public var isListed: Bool

    /// The variants compared when the file does not narrow them.
    public static let variants = ["lstm", "bilstm", "attention"]

    /// How a searched parameter becomes the single value every configuration uses.
    public static let fixedValueRule = "a parameter's `value` as given; `values`: the first listed; `uniform`: (min + max) / 2; "
        + "`log_uniform_values`: the geometric midpoint √(min · max); `int_uniform` and `q_uniform`: the middle allowed value "
        + "(the lower of the two middles)"

    /// The run's `data` object; the built-in synthetic traffic when the file has none.
    public var data: JSONValue { definition.data ?? .object(["format": .string("synthetic")]) }

    /// Reads the search file at `path` (JSON, or YAML by extension) and plans its configurations;
    /// `knownParameters` and `knownMetrics` are what the trainer accepts and reports.
    public static func read(path: String, knownParameters: Set<String>, knownMetrics: Set<String>) throws(JSONFileError) -> BenchmarkPlan {
        try BenchmarkPlan(document: JSONValue.readDocument(path: path), source: path,
                          knownParameters: knownParameters, knownMetrics: knownMetrics)
    }

    /// Plans the configurations of a parsed search file named `source`.
    public init(document: JSONValue, source: String, knownParameters: Set<String>, knownMetrics: Set<String>) throws(JSONFileError) {
        var searchDocument = document
        var listed: JSONValue?
        if case .object(var members) = document {
            listed = members.removeValue(forKey: "configurations")
            searchDocument = .object(members)
        }
        definition = try SearchDefinition(document: searchDocument, source: source)
        try definition.validate(knownParameters: knownParameters, knownMetrics: knownMetrics)

        var base: [String: JSONValue] = [:]
        for parameter in definition.parameters {
            base[parameter.name] = Self.fixedValue(of: parameter.distribution)
        }
        if let listed {
            isListed = true
            configurations = try Self.listedConfigurations(listed, base: base, source: source, knownParameters: knownParameters)
        } else {
            isListed = false
            configurations = try Self.variantConfigurations(definition, base: base)
        }
    }

    /// The single value a distribution contributes to every configuration (`fixedValueRule`).
    public static func fixedValue(of distribution: ParameterDistribution) -> JSONValue {
        switch distribution {
        case .constant(let value): return value
        case .categorical(let values): return values.first ?? .null
        case .uniform(let minimum, let maximum): return .number((minimum + maximum) / 2)
        case .logUniform(let minimum, let maximum): return .number((minimum * maximum).squareRoot())
        case .integerUniform, .quantizedUniform:
            let count = distribution.valueCount ?? 1
            return distribution.value(at: (count - 1) / 2) ?? .null
        }
    }

    /// One configuration per value of the `variant` parameter (all three when it is absent).
    private static func variantConfigurations(_ definition: SearchDefinition, base: [String: JSONValue]) throws(JSONFileError) -> [BenchmarkConfiguration] {
        var values: [JSONValue] = variants.map { .string($0) }
        if let parameter = definition.parameters.first(where: { $0.name == "variant" }) {
            switch parameter.distribution {
            case .constant(let value): values = [value]
            case .categorical(let listed): values = listed
            default:
                throw JSONFileError(source: definition.source, field: "parameters.variant",
                                    message: "must list variants with \"values\" (or one \"value\") for a benchmark")
            }
        }
        var configurations: [BenchmarkConfiguration] = []
        for variant in values {
            guard case .string(let name) = variant else {
                throw JSONFileError(source: definition.source, field: "parameters.variant",
                                    message: "lists \(variant.canonicalText); variants are names such as \"lstm\"")
            }
            var settings = base
            settings["variant"] = variant
            configurations.append(BenchmarkConfiguration(label: name, settings: settings))
        }
        return configurations
    }

    /// The file's `configurations`: a list of objects of run-file hyperparameters (plus an
    /// optional `name`), each laid over the fixed values of `parameters`.
    private static func listedConfigurations(_ listed: JSONValue, base: [String: JSONValue], source: String,
                                             knownParameters: Set<String>) throws(JSONFileError) -> [BenchmarkConfiguration] {
        guard case .array(let entries) = listed, !entries.isEmpty else {
            throw JSONFileError(source: source, field: "configurations",
                                message: "must be a non-empty list of objects such as {\"name\": \"small\", \"variant\": \"lstm\", \"lstm_hidden\": 64}")
        }
        var configurations: [BenchmarkConfiguration] = []
        for (index, entry) in entries.enumerated() {
            let field = "configurations[\(index)]"
            guard case .object(var members) = entry else {
                throw JSONFileError(source: source, field: field, message: "must be an object of hyperparameters, not \(entry.typeName)")
            }
            var label: String?
            if let name = members.removeValue(forKey: "name") {
                guard case .string(let text) = name, !text.isEmpty else {
                    throw JSONFileError(source: source, field: field + ".name", message: "must be a non-empty string")
                }
                label = text
            }
            for key in members.keys.sorted() where !knownParameters.contains(key) {
                let message = key == "epochs" || key == "data" || key == "seed" || key == "threads" || key == "metric" || key == "output"
                    ? "is set by the benchmark for every run (budget.max_epochs, data, --seeds, --threads, metric)"
                    : "is not a setting of a training run (known: \(knownParameters.sorted().joined(separator: ", ")))"
                throw JSONFileError(source: source, field: "\(field).\(key)", message: message)
            }
            var settings = base
            for (key, value) in members { settings[key] = value }
            let resolved = label ?? Self.label(overrides: members, index: index)
            if configurations.contains(where: { $0.label == resolved }) {
                throw JSONFileError(source: source, field: field, message: "is named \"\(resolved)\" like an earlier configuration; give it another \"name\"")
            }
            configurations.append(BenchmarkConfiguration(label: resolved, settings: settings))
        }
        return configurations
    }

    /// A label from a configuration's own keys, `variant` first (`variant=bilstm, lstm_hidden=64`).
    private static func label(overrides: [String: JSONValue], index: Int) -> String {
        guard !overrides.isEmpty else { return "configuration \(index + 1)" }
        let keys = overrides.keys.sorted { ($0 == "variant" ? 0 : 1, $0) < ($1 == "variant" ? 0 : 1, $1) }
        return keys.map { key in
            "\(key)=\(BenchmarkPlan.settingText(overrides[key] ?? .null))"
        }.joined(separator: ", ")
    }

    /// A setting's value for tables: strings without quotes, everything else as canonical JSON.
    public static func settingText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.canonicalText
    }
}
