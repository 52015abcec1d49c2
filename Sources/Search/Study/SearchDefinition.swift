import FileFormats

/// The W&B-style shorthand `"method"` for a sampler and a scheduler together.
public enum SearchMethod: String, Sendable, CaseIterable {
    /// Every combination of the listed values, each trained to `max_epochs`.
    case grid
    /// Seeded random configurations, each trained to `max_epochs`.
    case random
    /// Random configurations under synchronous successive halving.
    case sha
    /// Random configurations under asynchronous successive halving (the default).
    case asha
    /// Random configurations under hyperband.
    case hyperband

    public var sampler: SamplerKind { self == .grid ? .grid : .random }

    public var scheduler: SchedulerKind {
        switch self {
        case .grid, .random: return .none
        case .sha: return .sha
        case .asha: return .asha
        case .hyperband: return .hyperband
        }
    }

    /// The shorthand for `sampler` with `scheduler`, if there is one.
    public init?(sampler: SamplerKind, scheduler: SchedulerKind) {
        guard let method = Self.allCases.first(where: { $0.sampler == sampler && $0.scheduler == scheduler }) else { return nil }
        self = method
    }
}

/// Whether a larger or a smaller metric is better.
public enum MetricGoal: String, Sendable, CaseIterable {
    case maximize
    case minimize
}

/// The metric a search optimises, as the trainer names it in its epoch lines.
public struct SearchMetric: Sendable, Equatable {
    public var name: String
    public var goal: MetricGoal

    public init(name: String, goal: MetricGoal) {
        self.name = name
        self.goal = goal
    }

    /// True when `value` is strictly better than `other` for this goal.
    public func isBetter(_ value: Double, than other: Double) -> Bool {
        goal == .maximize ? value > other : value < other
    }

    /// The order of every ranking of trials (the leaderboard, a rung's promotions): the better
    /// value first, and of equal values the lower trial number.
    public func ranksAbove(_ value: Double, number: Int, _ other: Double, number otherNumber: Int) -> Bool {
        if isBetter(value, than: other) { return true }
        if isBetter(other, than: value) { return false }
        return number < otherNumber
    }
}

/// The epochs a search may spend on one trial and how fast successive halving narrows.
public struct EpochBudget: Sendable, Equatable {
    /// Epochs of the first rung (the least a trial is trained).
    public var minimumEpochs: Int
    /// Epochs of the last rung (a trial that is never stopped trains this long).
    public var maximumEpochs: Int
    /// The reduction factor: 1/eta of a rung's trials go on, for eta times the epochs.
    public var eta: Int

    public init(minimumEpochs: Int, maximumEpochs: Int, eta: Int) {
        self.minimumEpochs = minimumEpochs
        self.maximumEpochs = maximumEpochs
        self.eta = eta
    }

    /// The rungs' epochs: `min_epochs * eta^k` while below `max_epochs`, then `max_epochs`
    /// (1, 3, 9, 27 for min 1, max 27, eta 3; 1, 3, 9, 20 for max 20).
    public var rungEpochs: [Int] {
        var rungs: [Int] = []
        var epochs = minimumEpochs
        while epochs < maximumEpochs {
            rungs.append(epochs)
            let (next, overflow) = epochs.multipliedReportingOverflow(by: eta)
            if overflow { break }
            epochs = next
        }
        rungs.append(maximumEpochs)
        return rungs
    }
}

/// One searched (or fixed) hyperparameter: a top-level key of the trial's run file.
public struct SearchParameter: Sendable, Equatable {
    public var name: String
    public var distribution: ParameterDistribution
    /// When set, the parameter exists only in trials where another parameter takes one of some
    /// values (`"when": {"variant": ["attention"]}`); elsewhere the trainer's default applies.
    public var condition: ParameterCondition?

    public init(name: String, distribution: ParameterDistribution, condition: ParameterCondition? = nil) {
        self.name = name
        self.distribution = distribution
        self.condition = condition
    }
}

/// `"when": {"variant": ["attention", "bilstm"]}`: the parameter applies only to trials whose
/// `parameter` is one of `values`.
public struct ParameterCondition: Sendable, Equatable {
    public var parameter: String
    public var values: [JSONValue]

    public func holds(for parameters: TrialParameters) -> Bool {
        parameters[parameter].map { values.contains($0) } ?? false
    }

    /// `variant in ["attention"]`, for messages and reports.
    public var text: String {
        "\(parameter) in [\(values.map(\.canonicalText).joined(separator: ", "))]"
    }
}

extension [SearchParameter] {
    /// `parameters` without the conditional ones whose condition fails in `parameters` (a trial's
    /// configuration once every parameter was drawn).
    func applicable(to parameters: TrialParameters) -> TrialParameters {
        var result = parameters
        for parameter in self {
            if let condition = parameter.condition, !condition.holds(for: parameters) { result[parameter.name] = nil }
        }
        return result
    }
}

/// A search file (`Searches/NAME.json`), read and checked completely before any trial runs.
public struct SearchDefinition: Sendable, Equatable {
    /// The file it came from, for messages.
    public var source: String
    /// The study's name, also its directory under `Searches/`.
    public var name: String
    public var description: String?
    /// How new trials' configurations are chosen.
    public var sampler: SamplerKind
    /// The `tpe` sampler's settings (defaults for the other samplers, which have none).
    public var tpeOptions: TPEOptions
    /// How far trials are trained: to `max_epochs`, or by successive halving.
    public var scheduler: SchedulerKind
    public var metric: SearchMetric
    public var budget: EpochBudget
    /// The trials' `data` object, passed through to the run file unchanged (nil: the built-in
    /// synthetic traffic).
    public var data: JSONValue?
    /// The parameters sorted by name, the order in which they are sampled and enumerated.
    public var parameters: [SearchParameter]
    /// The whole document as read, stored with the study.
    public var document: JSONValue

    /// The shorthand naming the sampler and scheduler (`asha`), or both names (`grid + asha`).
    public var methodName: String {
        SearchMethod(sampler: sampler, scheduler: scheduler)?.rawValue ?? "\(sampler.rawValue) + \(scheduler.rawValue)"
    }

    /// The largest grid the search will enumerate.
    public static let gridLimit = 100_000

    /// Reads and checks the search file at `path`.
    public static func read(path: String) throws(JSONFileError) -> SearchDefinition {
        try SearchDefinition(document: JSONValue.readDocument(path: path), source: path)
    }

    /// Checks `document` (the parsed search file named `source`); every error names the field.
    public init(document: JSONValue, source: String) throws(JSONFileError) {
        var reader = try JSONObjectReader(document, source: source)
        try reader.rejectUnknownKeys(known: ["name", "description", "method", "sampler", "scheduler", "metric", "budget", "data", "parameters"])
        self.source = source
        self.document = document

        guard let name = try reader.string("name") else { throw reader.error("name", "is missing: give the search a name") }
        guard Self.isUsableName(name) else {
            throw reader.error("name", "must be letters, digits, '-', '_' or '.' (it names the directory Searches/\(name)/), not \"\(name)\"")
        }
        self.name = name
        description = try reader.string("description")

        (sampler, tpeOptions, scheduler) = try Self.readSamplerAndScheduler(&reader)

        guard var metricReader = try reader.object("metric") else {
            throw reader.error("metric", "is missing: say which metric to optimise, e.g. {\"name\": \"val_f1_macro\", \"goal\": \"maximize\"}")
        }
        guard let metricName = try metricReader.string("name"), !metricName.isEmpty else {
            throw metricReader.error("name", "is missing: the name of a metric the trainer reports")
        }
        guard let goalName = try metricReader.string("goal") else {
            throw metricReader.error("goal", "is missing: \"maximize\" or \"minimize\"")
        }
        guard let goal = MetricGoal(rawValue: goalName) else {
            throw metricReader.error("goal", "is \"\(goalName)\", not \"maximize\" or \"minimize\"")
        }
        try metricReader.rejectUnknownKeys()
        metric = SearchMetric(name: metricName, goal: goal)

        guard var budgetReader = try reader.object("budget") else {
            throw reader.error("budget", "is missing: give at least {\"max_epochs\": N}")
        }
        budget = try Self.readBudget(&budgetReader, scheduler: scheduler)

        let data = reader.value("data")
        if let data {
            guard case .object = data else { throw reader.error("data", "must be a JSON object, not \(data.typeName)") }
        }
        self.data = data

        guard var parametersReader = try reader.object("parameters") else {
            throw reader.error("parameters", "is missing: list the hyperparameters to search")
        }
        guard case .object(let members) = document.member("parameters"), !members.isEmpty else {
            throw reader.error("parameters", "is empty: list at least one hyperparameter")
        }
        var parameters: [SearchParameter] = []
        for parameterName in members.keys.sorted() {
            guard let value = parametersReader.value(parameterName) ?? (parametersReader.isNull(parameterName) ? .null : nil) else { continue }
            if parameterName == "epochs" {
                throw parametersReader.error(parameterName, "is set by the search's budget: use budget.max_epochs (and min_epochs) instead")
            }
            let field = parametersReader.fieldName(parameterName)
            let (distribution, condition) = try Self.readParameter(value, source: source, field: field)
            parameters.append(SearchParameter(name: parameterName, distribution: distribution, condition: condition))
        }
        try Self.checkConditions(parameters, source: source, field: parametersReader.fieldName)
        self.parameters = parameters
        try reader.rejectUnknownKeys()

        if sampler == .grid {
            try checkGrid(parametersReader)
        }
    }

    /// A stable hash of the file's content (keys sorted, numbers canonical), so resuming a study
    /// with a changed search file can be refused; formatting and `description` do not count.
    public var fingerprint: String {
        guard case .object(var members) = document else { return Self.fingerprint(of: document) }
        members["description"] = nil
        return Self.fingerprint(of: .object(members))
    }

    /// FNV-1a (64 bits) of the canonical text, as 16 hex digits.
    public static func fingerprint(of document: JSONValue) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in document.canonicalText.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The number of configurations when every parameter is discrete, else nil.
    public var configurationCount: Int? {
        var count = 1
        for parameter in parameters {
            guard let values = parameter.distribution.valueCount else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: values)
            if overflow { return Int.max }
            count = product
        }
        return count
    }

    /// Checks the names against what the trainer accepts and reports; the search itself does not
    /// know the trainer, so the caller supplies both sets.
    public func validate(knownParameters: Set<String>, knownMetrics: Set<String>) throws(JSONFileError) {
        for parameter in parameters where !knownParameters.contains(parameter.name) {
            throw JSONFileError(source: source, field: "parameters.\(parameter.name)",
                                message: "is not a setting of a training run (known: \(knownParameters.sorted().joined(separator: ", ")))")
        }
        if !knownMetrics.contains(metric.name) {
            throw JSONFileError(source: source, field: "metric.name",
                                message: "is \"\(metric.name)\", which the trainer does not report (known: \(knownMetrics.sorted().joined(separator: ", ")))")
        }
    }

    // MARK: - Reading the parts

    private static func isUsableName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 100, !name.hasPrefix(".") else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_" || scalar == "."
        }
    }

    /// `method` (the shorthand), or `sampler` and `scheduler` (each with its default: random, asha).
    /// The sampler is a name, or an object with its `name` and settings (`tpe` only).
    private static func readSamplerAndScheduler(_ reader: inout JSONObjectReader) throws(JSONFileError) -> (SamplerKind, TPEOptions, SchedulerKind) {
        let samplerValue = reader.value("sampler")
        let schedulerName = try reader.string("scheduler")
        if let methodName = try reader.string("method") {
            if samplerValue != nil || schedulerName != nil {
                throw reader.error("method", "is a shorthand for a sampler and a scheduler: give either method, or sampler and scheduler")
            }
            guard let method = SearchMethod(rawValue: methodName) else {
                throw reader.error("method", "is \"\(methodName)\", not one of \(SearchMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (method.sampler, TPEOptions(), method.scheduler)
        }
        var sampler = SamplerKind.random
        var options = TPEOptions()
        if let samplerValue {
            (sampler, options) = try readSampler(samplerValue, reader: reader)
        }
        var scheduler = SchedulerKind.asha
        if let schedulerName {
            guard let named = SchedulerKind(rawValue: schedulerName) else {
                throw reader.error("scheduler", "is \"\(schedulerName)\", not one of \(SchedulerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scheduler = named
        }
        return (sampler, options, scheduler)
    }

    /// `"sampler": "tpe"`, or `{"name": "tpe", "n_startup_trials": 5, ...}`.
    private static func readSampler(_ value: JSONValue, reader: JSONObjectReader) throws(JSONFileError) -> (SamplerKind, TPEOptions) {
        let names = SamplerKind.allCases.map(\.rawValue).joined(separator: ", ")
        func kind(_ name: String, field: String) throws(JSONFileError) -> SamplerKind {
            guard let kind = SamplerKind(rawValue: name) else {
                throw JSONFileError(source: reader.source, field: field, message: "is \"\(name)\", not one of \(names)")
            }
            return kind
        }
        switch value {
        case .string(let name):
            return (try kind(name, field: reader.fieldName("sampler")), TPEOptions())
        case .object:
            var options = try JSONObjectReader(value, source: reader.source, path: reader.fieldName("sampler"))
            guard let name = try options.string("name") else {
                throw options.error("name", "is missing: say which sampler (\(names))")
            }
            let sampler = try kind(name, field: options.fieldName("name"))
            guard sampler == .tpe else {
                try options.rejectUnknownKeys()
                return (sampler, TPEOptions())
            }
            return (sampler, try TPEOptions(reading: &options))
        default:
            throw reader.error("sampler", "must be a sampler's name (\(names)) or an object with its \"name\" and settings, not \(value.typeName)")
        }
    }

    private static func readBudget(_ reader: inout JSONObjectReader, scheduler: SchedulerKind) throws(JSONFileError) -> EpochBudget {
        guard let maximum = try reader.integer("max_epochs") else {
            throw reader.error("max_epochs", "is missing: the epochs of a fully trained trial")
        }
        let minimum = try reader.integer("min_epochs") ?? (scheduler.halves ? 1 : maximum)
        let eta = try reader.integer("eta") ?? 3
        try reader.rejectUnknownKeys()
        guard minimum >= 1 else { throw reader.error("min_epochs", "must be at least 1, not \(minimum)") }
        guard maximum >= 1 else { throw reader.error("max_epochs", "must be at least 1, not \(maximum)") }
        guard maximum <= 100_000 else { throw reader.error("max_epochs", "is \(maximum); more than 100000 epochs is surely a mistake") }
        guard minimum <= maximum else {
            throw reader.error("min_epochs", "is \(minimum), more than max_epochs (\(maximum))")
        }
        guard eta >= 2 else {
            throw reader.error("eta", "must be at least 2 (the factor by which each rung narrows), not \(eta)")
        }
        return EpochBudget(minimumEpochs: minimum, maximumEpochs: maximum, eta: eta)
    }

    /// A parameter entry: its distribution, and its `when` condition if it has one.
    static func readParameter(_ value: JSONValue, source: String, field: String) throws(JSONFileError) -> (ParameterDistribution, ParameterCondition?) {
        guard case .object(var members) = value, let when = members.removeValue(forKey: "when") else {
            return (try readDistribution(value, source: source, field: field), nil)
        }
        let distribution = try readDistribution(.object(members), source: source, field: field)
        guard case .object(let condition) = when, condition.count == 1, let (parameter, allowed) = condition.first else {
            throw JSONFileError(source: source, field: "\(field).when",
                                message: "must name one other parameter and its values, e.g. {\"variant\": [\"attention\"]}")
        }
        let values: [JSONValue]
        if case .array(let list) = allowed { values = list } else { values = [allowed] }
        guard !values.isEmpty else {
            throw JSONFileError(source: source, field: "\(field).when.\(parameter)", message: "is empty: list the values for which the parameter applies")
        }
        return (distribution, ParameterCondition(parameter: parameter, values: values))
    }

    /// A condition names another parameter that always exists and takes a fixed set of values,
    /// and values it can take.
    private static func checkConditions(_ parameters: [SearchParameter], source: String, field: (String) -> String) throws(JSONFileError) {
        for parameter in parameters {
            guard let condition = parameter.condition else { continue }
            let whenField = "\(field(parameter.name)).when.\(condition.parameter)"
            guard let other = parameters.first(where: { $0.name == condition.parameter }), other.name != parameter.name else {
                throw JSONFileError(source: source, field: whenField, message: "names no other parameter of this search")
            }
            guard other.condition == nil else {
                throw JSONFileError(source: source, field: whenField, message: "names a parameter that is itself conditional; conditions may only name unconditional ones")
            }
            let choices: [JSONValue]
            switch other.distribution {
            case .categorical(let values): choices = values
            case .constant(let value): choices = [value]
            default:
                throw JSONFileError(source: source, field: whenField, message: "names a parameter with a range (\(other.distribution.name)); a condition needs one with listed values")
            }
            if let unknown = condition.values.first(where: { !choices.contains($0) }) {
                throw JSONFileError(source: source, field: whenField,
                                    message: "lists \(unknown.canonicalText), which is not one of \(other.name)'s values (\(choices.map(\.canonicalText).joined(separator: ", ")))")
            }
        }
    }

    private static let distributionNames = ["categorical", "constant", "int_uniform", "log_uniform_values", "q_uniform", "uniform"]

    /// One entry of `parameters` in W&B's forms: `value`, `values`, or `distribution` with its bounds.
    static func readDistribution(_ value: JSONValue, source: String, field: String) throws(JSONFileError) -> ParameterDistribution {
        var reader = try JSONObjectReader(value, source: source, path: field)
        let distributionName = try reader.string("distribution")
        let hasValue = reader.value("value") != nil || reader.isNull("value")
        let hasValues = reader.value("values") != nil
        reader = try JSONObjectReader(value, source: source, path: field)  // forget the probes

        let kind: String
        if let distributionName {
            kind = distributionName
        } else if hasValue {
            kind = "constant"
        } else if hasValues {
            kind = "categorical"
        } else {
            throw JSONFileError(source: source, field: field,
                                message: "needs \"values\" (a list), \"value\" (a constant) or a \"distribution\" (\(distributionNames.joined(separator: ", ")))")
        }
        _ = try reader.string("distribution")

        let distribution: ParameterDistribution
        switch kind {
        case "constant":
            let constant = reader.value("value") ?? .null
            guard hasValue else { throw reader.error("value", "is missing: a constant parameter needs its value") }
            distribution = .constant(constant)
        case "categorical":
            distribution = .categorical(try readValues(&reader))
        case "uniform", "log_uniform_values", "q_uniform":
            let (minimum, maximum) = try readBounds(&reader)
            if kind == "uniform" {
                distribution = .uniform(minimum: minimum, maximum: maximum)
            } else if kind == "log_uniform_values" {
                guard minimum > 0 else {
                    throw reader.error("min", "must be above 0 for log_uniform_values (a logarithm is taken), not \(minimum)")
                }
                distribution = .logUniform(minimum: minimum, maximum: maximum)
            } else {
                let step = try reader.number("q") ?? 1
                guard step > 0 else { throw reader.error("q", "must be above 0, not \(step)") }
                let first = (minimum / step - 1e-9).rounded(.up), last = (maximum / step + 1e-9).rounded(.down)
                guard first <= last else { throw reader.error("q", "is \(step): no multiple of it lies between min and max") }
                guard last - first < 1e9 else { throw reader.error("q", "is \(step): that makes more than a billion steps") }
                distribution = .quantizedUniform(minimum: minimum, maximum: maximum, step: step)
            }
        case "int_uniform":
            guard let minimum = try reader.integer("min") else { throw reader.error("min", "is missing: int_uniform needs min and max") }
            guard let maximum = try reader.integer("max") else { throw reader.error("max", "is missing: int_uniform needs min and max") }
            guard minimum < maximum else { throw reader.error("min", "is \(minimum), not less than max (\(maximum))") }
            distribution = .integerUniform(minimum: minimum, maximum: maximum)
        case "log_uniform":
            throw reader.error("distribution", "log_uniform takes exponents in W&B and is not supported: use log_uniform_values with the values themselves (e.g. min 1e-4, max 1e-2)")
        default:
            throw reader.error("distribution", "is \"\(kind)\", not one of \(distributionNames.joined(separator: ", "))")
        }
        try reader.rejectUnknownKeys()
        return distribution
    }

    private static func readValues(_ reader: inout JSONObjectReader) throws(JSONFileError) -> [JSONValue] {
        guard let value = reader.value("values") else { throw reader.error("values", "is missing: list the values to choose from") }
        guard case .array(let values) = value else { throw reader.error("values", "must be a list, not \(value.typeName)") }
        guard !values.isEmpty else { throw reader.error("values", "is empty: list at least one value") }
        var seen: Set<String> = []
        for element in values {
            guard seen.insert(element.canonicalText).inserted else {
                throw reader.error("values", "lists \(element.canonicalText) twice")
            }
        }
        return values
    }

    private static func readBounds(_ reader: inout JSONObjectReader) throws(JSONFileError) -> (Double, Double) {
        guard let minimum = try reader.number("min") else { throw reader.error("min", "is missing: this distribution needs min and max") }
        guard let maximum = try reader.number("max") else { throw reader.error("max", "is missing: this distribution needs min and max") }
        guard minimum < maximum else { throw reader.error("min", "is \(minimum), not less than max (\(maximum))") }
        return (minimum, maximum)
    }

    /// A grid needs finitely many values per parameter and a product it can enumerate.
    private func checkGrid(_ parametersReader: JSONObjectReader) throws(JSONFileError) {
        if let conditional = parameters.first(where: { $0.condition != nil }) {
            throw parametersReader.error("\(conditional.name).when", "makes the parameter conditional, which a grid does not enumerate; use random or tpe")
        }
        for parameter in parameters where parameter.distribution.valueCount == nil {
            throw parametersReader.error(parameter.name, "is continuous (\(parameter.distribution.name)); a grid search needs values, value, int_uniform or q_uniform")
        }
        if let count = configurationCount, count > Self.gridLimit {
            throw JSONFileError(source: source, field: document.member("method") != nil ? "method" : "sampler",
                                message: "is grid, but the parameters make \(count == Int.max ? "too many" : String(count)) combinations (the limit is \(Self.gridLimit)); use random or list fewer values")
        }
    }
}

extension JSONValue {
    /// The member `key` of an object, or nil.
    func member(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }
}
