import Foundation
import FileFormats
import Testing
import TestSupport
@testable import Search

/// Our TPE against Optuna's own numbers (`Tests/Fixtures/tpe/optuna-tpe.json`, written by
/// `make_optuna_fixture.py` with Optuna 5.0.0): for fixed trials, the split into good and bad,
/// the Parzen log densities of Optuna's 24 candidates on both sides, the candidate chosen, and
/// the truncated-normal arithmetic underneath.
@Suite("TPE parity with Optuna")
struct OptunaTPEParityTests {
    static let fixture: JSONValue? = {
        let url = TestEnvironment.committedFixtures.appendingPathComponent("tpe/optuna-tpe.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONValue.parse(data, source: url.path)
    }()

    static func cases() throws -> [JSONValue] {
        let fixture = try #require(Self.fixture, "Tests/Fixtures/tpe/optuna-tpe.json is missing or unreadable")
        return try #require(fixture.member("cases")?.arrayValue)
    }

    /// The case's space as our dimensions, by name.
    static func dimensions(_ testCase: JSONValue) throws -> [String: TPEDimension] {
        guard case .object(let space) = try #require(testCase.member("space")) else { throw FixtureError.malformed("space") }
        var dimensions: [String: TPEDimension] = [:]
        for (name, spec) in space {
            let type = spec.member("type")?.stringValue
            let low = spec.member("low")?.numberValue ?? 0, high = spec.member("high")?.numberValue ?? 0
            let isLog = spec.member("log")?.boolValue ?? false
            switch type {
            case "categorical":
                let choices = try #require(spec.member("choices")?.arrayValue)
                dimensions[name] = TPEDimension(name: name, kind: .categorical(count: choices.count), distribution: .categorical(choices))
            case "int":
                dimensions[name] = TPEDimension(name: name, kind: .numerical(low: low, high: high, step: 1, isLogarithmic: isLog),
                                                distribution: .integerUniform(minimum: Int(low), maximum: Int(high)))
            default:
                let step = spec.member("step")?.numberValue ?? 0
                let distribution: ParameterDistribution = step > 0 ? .quantizedUniform(minimum: low, maximum: high, step: step)
                    : isLog ? .logUniform(minimum: low, maximum: high) : .uniform(minimum: low, maximum: high)
                dimensions[name] = TPEDimension(name: name, kind: .numerical(low: low, high: high, step: step, isLogarithmic: isLog),
                                                distribution: distribution)
            }
        }
        return dimensions
    }

    /// Optuna's trials as the model's observations: complete ones reached the rung, pruned ones
    /// stopped at their last reported step (none reported: below every other), failed ones left out.
    static func observations(_ testCase: JSONValue) throws -> [ModelView.Observation] {
        try #require(testCase.member("trials")?.arrayValue).compactMap { trial in
            let number = Int(try #require(trial.member("number")?.numberValue))
            switch trial.member("state")?.stringValue {
            case "complete":
                return ModelView.Observation(number: number, value: try #require(trial.member("value")?.numberValue), epochs: 1000, reachedRung: true)
            case "pruned":
                guard case .object(let steps)? = trial.member("intermediate"), let last = steps.keys.compactMap({ Int($0) }).max() else {
                    return ModelView.Observation(number: number, value: 0, epochs: 0, reachedRung: false)
                }
                return ModelView.Observation(number: number, value: try #require(steps[String(last)]?.numberValue), epochs: last, reachedRung: false)
            default:
                return nil
            }
        }
    }

    static func metric(_ testCase: JSONValue) -> SearchMetric {
        SearchMetric(name: "value", goal: testCase.member("goal")?.stringValue == "minimize" ? .minimize : .maximize)
    }

    static func numbers(_ value: JSONValue?) throws -> [Int] {
        try #require(value?.arrayValue).map { Int($0.numberValue ?? -1) }
    }

    /// A trial's (or candidate's) values of `group` in internal representation.
    static func row(_ parameters: JSONValue, _ group: [TPEDimension]) throws -> [Double] {
        try group.map { dimension in
            let value = try #require(parameters.member(dimension.name))
            return try #require(dimension.internalValue(of: value))
        }
    }

    @Test func theSplitIntoGoodAndBadIsOptunas() throws {
        for testCase in try Self.cases() {
            let name = testCase.member("name")?.stringValue ?? "?"
            let observations = try Self.observations(testCase)
            #expect(observations.count == Int(testCase.member("n")?.numberValue ?? -1), "\(name)")
            #expect(TPESampler.gamma(observations.count) == Int(testCase.member("n_below")?.numberValue ?? -1), "\(name)")
            var splits = [(TPESampler.gamma(observations.count), testCase.member("below"), testCase.member("above"))]
            for forced in testCase.member("forced_splits")?.arrayValue ?? [] {
                splits.append((Int(forced.member("n_below")?.numberValue ?? -1), forced.member("below"), forced.member("above")))
            }
            for (count, below, above) in splits {
                let split = TPESampler.split(observations, metric: Self.metric(testCase), belowCount: count)
                #expect(split.below.map(\.number) == (try Self.numbers(below)), "\(name), \(count) below")
                #expect(split.above.map(\.number) == (try Self.numbers(above)), "\(name), \(count) below")
            }
        }
    }

    @Test func logDensitiesAndTheChosenCandidateAreOptunas() throws {
        var groupsChecked = 0
        for testCase in try Self.cases() {
            let name = testCase.member("name")?.stringValue ?? "?"
            let dimensions = try Self.dimensions(testCase)
            let trials = Dictionary(uniqueKeysWithValues: try #require(testCase.member("trials")?.arrayValue).map {
                (Int($0.member("number")?.numberValue ?? -1), $0.member("params") ?? .null)
            })
            let belowNumbers = try Self.numbers(testCase.member("below")), aboveNumbers = try Self.numbers(testCase.member("above"))
            for group in try #require(testCase.member("groups")?.arrayValue) {
                let names = try #require(group.member("parameters")?.arrayValue).compactMap(\.stringValue)
                let dimensionsOfGroup = try names.map { try #require(dimensions[$0]) }
                let good = ParzenEstimator(observations: try belowNumbers.map { try Self.row(try #require(trials[$0]), dimensionsOfGroup) },
                                           dimensions: dimensionsOfGroup, settings: ParzenSettings())
                let bad = ParzenEstimator(observations: try aboveNumbers.map { try Self.row(try #require(trials[$0]), dimensionsOfGroup) },
                                          dimensions: dimensionsOfGroup, settings: ParzenSettings())
                let candidates = try #require(group.member("candidates")?.arrayValue).map { try Self.row($0, dimensionsOfGroup) }
                let expectedGood = try #require(group.member("log_below")?.arrayValue).compactMap(\.numberValue)
                let expectedBad = try #require(group.member("log_above")?.arrayValue).compactMap(\.numberValue)
                for (index, candidate) in candidates.enumerated() {
                    let ours = (good.logDensity(candidate), bad.logDensity(candidate))
                    #expect(abs(ours.0 - expectedGood[index]) <= 1e-9 * max(1, abs(expectedGood[index])), "\(name) \(names) candidate \(index): l")
                    #expect(abs(ours.1 - expectedBad[index]) <= 1e-9 * max(1, abs(expectedBad[index])), "\(name) \(names) candidate \(index): g")
                }
                #expect(TPESampler.bestCandidate(candidates, good: good, bad: bad) == Int(group.member("chosen")?.numberValue ?? -1), "\(name) \(names)")
                groupsChecked += 1
            }
        }
        #expect(groupsChecked >= 20)
    }

    @Test func truncatedNormalArithmeticIsOptunas() throws {
        let fixture = try #require(Self.fixture)
        for row in try #require(fixture.member("truncnorm")?.arrayValue) {
            let a = row.member("a")?.numberValue ?? .nan, b = row.member("b")?.numberValue ?? .nan
            if let mass = row.member("log_mass")?.numberValue {
                #expect(abs(TruncatedNormal.logGaussMass(a, b) - mass) <= 1e-9 * max(1, abs(mass)), "mass [\(a), \(b)]")
            }
            if let expected = row.member("logpdf")?.numberValue, let x = row.member("x")?.numberValue,
               let loc = row.member("loc")?.numberValue, let scale = row.member("scale")?.numberValue {
                let ours = TruncatedNormal.logDensity(x, mean: loc, deviation: scale, low: loc + a * scale, high: loc + b * scale)
                #expect(abs(ours - expected) <= 1e-9 * max(1, abs(expected)), "logpdf \(x) in [\(a), \(b)]")
            }
        }
        for row in try #require(fixture.member("ppf")?.arrayValue) {
            let q = row.member("q")?.numberValue ?? .nan, a = row.member("a")?.numberValue ?? .nan, b = row.member("b")?.numberValue ?? .nan
            let expected = row.member("x")?.numberValue ?? .nan
            #expect(abs(TruncatedNormal.quantile(q, a: a, b: b) - expected) <= 1e-7 * max(1, abs(expected)), "ppf \(q) in [\(a), \(b)]")
        }
    }

    enum FixtureError: Error { case malformed(String) }
}

private extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let values) = self { return values }; return nil }
    var stringValue: String? { if case .string(let text) = self { return text }; return nil }
    var numberValue: Double? { if case .number(let number) = self { return number }; return nil }
    var boolValue: Bool? { if case .bool(let flag) = self { return flag }; return nil }
}

/// PED-ANOVA against Optuna 5.0's `PedAnovaImportanceEvaluator` on the fixture's complete trials:
/// log-uniform, uniform, stepped, integer and categorical parameters.
@Suite("PED-ANOVA parity with Optuna")
struct PEDANOVAParityTests {
    @Test func importancesAreOptunas() throws {
        let fixture = try #require(OptunaTPEParityTests.fixture)
        guard case .array(let rows)? = fixture.member("ped_anova"), !rows.isEmpty else {
            Issue.record("the fixture has no ped_anova rows")
            return
        }
        for row in rows {
            guard case .string(let name)? = row.member("name"), case .array(let trials)? = row.member("trials"),
                  case .object(let raw)? = row.member("raw") else { throw OptunaTPEParityTests.FixtureError.malformed("ped_anova") }
            let testCase = try #require(try OptunaTPEParityTests.cases().first { $0.member("name") == .string(name) })
            let parameters = try OptunaTPEParityTests.dimensions(testCase).values.map { SearchParameter(name: $0.name, distribution: $0.distribution) }
            let results: [(parameters: TrialParameters, value: Double)] = trials.compactMap { trial in
                guard case .object(let chosen)? = trial.member("params"), case .number(let value)? = trial.member("value") else { return nil }
                return (chosen, value)
            }
            let goal: MetricGoal = row.member("goal") == .string("minimize") ? .minimize : .maximize
            let ours = PEDANOVA.importances(of: results, parameters: parameters, goal: goal)
            // `width` is a log-scaled integer, which search files cannot express (int_uniform is linear).
            for (parameter, expected) in raw where parameter != "width" {
                guard case .number(let value) = expected else { continue }
                let mine = try #require(ours[parameter], "\(name) \(parameter)")
                #expect(abs(mine - value) <= 1e-9 * max(1e-6, abs(value)), "\(name) \(parameter): \(mine) vs Optuna's \(value)")
            }
        }
    }
}
