import Foundation
import FileFormats
import Testing
@testable import Search

@Suite("Samplers")
struct SamplerTests {
    static func values(_ distribution: ParameterDistribution, count: Int = 4000) -> [Double] {
        (0..<count).map { trial in
            var generator = SearchRandom(seed: 11, trialNumber: trial, stream: .parameters)
            return SearchFixtures.number(["x": distribution.sample(using: &generator)], "x")
        }
    }

    @Test func uniformStaysInRangeAndSpreads() {
        let samples = Self.values(.uniform(minimum: -1, maximum: 3))
        #expect(samples.allSatisfy { $0 >= -1 && $0 < 3 })
        let mean = samples.reduce(0, +) / Double(samples.count)
        #expect(abs(mean - 1) < 0.1)
        for quarter in 0..<4 {  // each quarter of the range gets about a quarter of the draws
            let inside = samples.filter { $0 >= -1 + Double(quarter) && $0 < Double(quarter) }.count
            #expect(abs(Double(inside) / Double(samples.count) - 0.25) < 0.03)
        }
    }

    @Test func logUniformSpreadsEvenlyOverDecades() {
        let samples = Self.values(.logUniform(minimum: 1e-5, maximum: 1e-1))
        #expect(samples.allSatisfy { $0 >= 1e-5 && $0 <= 1e-1 })
        for decade in -5 ..< -1 {
            let low = pow(10, Double(decade)), high = pow(10, Double(decade + 1))
            let inside = samples.filter { $0 >= low && $0 < high }.count
            #expect(abs(Double(inside) / Double(samples.count) - 0.25) < 0.03, "decade \(decade)")
        }
    }

    @Test func integerUniformHitsBothEndsAndNothingElse() {
        let samples = Self.values(.integerUniform(minimum: 2, maximum: 5), count: 2000)
        #expect(Set(samples) == [2, 3, 4, 5])
        for value in 2...5 {
            #expect(abs(Double(samples.filter { $0 == Double(value) }.count) / 2000 - 0.25) < 0.04)
        }
    }

    @Test func quantizedUniformLandsOnSteps() {
        let distribution = ParameterDistribution.quantizedUniform(minimum: 0.05, maximum: 0.5, step: 0.1)
        let samples = Self.values(distribution, count: 1000)
        #expect(Set(samples) == [0.1, 0.2, 0.3, 0.4, 0.5])  // written exactly: 0.3, not 0.30000000000000004
        #expect(distribution.valueCount == 5)
        #expect(samples.allSatisfy { distribution.contains(.number($0)) })
        #expect(Set(Self.values(.quantizedUniform(minimum: 16, maximum: 64, step: 16), count: 200)) == [16, 32, 48, 64])
    }

    @Test func categoricalAndConstant() {
        let choices: [JSONValue] = [.string("lstm"), .bool(true), .array([.number(1), .number(2)]), .number(0.5)]
        var seen: Set<String> = []
        for trial in 0..<200 {
            var generator = SearchRandom(seed: 0, trialNumber: trial, stream: .parameters)
            let value = ParameterDistribution.categorical(choices).sample(using: &generator)
            #expect(choices.contains(value))
            seen.insert(value.canonicalText)
            #expect(ParameterDistribution.constant(.string("x")).sample(using: &generator) == .string("x"))
        }
        #expect(seen.count == 4)
    }

    @Test func gridIsCompleteAndOrdered() throws {
        let definition = try SearchFixtures.definition("""
            {"name": "g", "method": "grid", "metric": {"name": "m", "goal": "maximize"}, "budget": {"max_epochs": 2},
             "parameters": {"b": {"values": ["x", "y", "z"]},
                            "a": {"distribution": "int_uniform", "min": 1, "max": 2},
                            "c": {"distribution": "q_uniform", "min": 0, "max": 1, "q": 0.5},
                            "d": {"value": 7}}}
            """)
        let sampler = GridSampler(parameters: definition.parameters)
        #expect(sampler.count == 18)
        let all = (0..<18).compactMap { sampler.parameters(forTrial: $0) }
        #expect(Set(all.map(\.canonicalText)).count == 18)
        #expect(all.allSatisfy { $0["d"] == .number(7) })
        #expect(all[0].canonicalText == #"{"a":1,"b":"x","c":0,"d":7}"#)
        #expect(all[1].canonicalText == #"{"a":1,"b":"x","c":0.5,"d":7}"#)  // the last name varies fastest
        #expect(all[3].canonicalText == #"{"a":1,"b":"y","c":0,"d":7}"#)
        #expect(all[17].canonicalText == #"{"a":2,"b":"z","c":1,"d":7}"#)
        #expect(sampler.parameters(forTrial: 18) == nil)
    }

    @Test func seededRandomIsRepeatableAndDependsOnlyOnSeedAndNumber() throws {
        let definition = try SearchFixtures.definition(SearchFixtures.space(method: "random"))
        let sampler = RandomSampler(parameters: definition.parameters, seed: 42)
        let again = RandomSampler(parameters: definition.parameters, seed: 42)
        let other = RandomSampler(parameters: definition.parameters, seed: 43)
        let forward = (0..<50).compactMap { sampler.parameters(forTrial: $0) }
        let backward = (0..<50).reversed().compactMap { again.parameters(forTrial: $0) }.reversed()
        #expect(forward == Array(backward))
        #expect(forward.map(\.canonicalText) != (0..<50).compactMap { other.parameters(forTrial: $0)?.canonicalText })
        #expect(Set(forward.map(\.canonicalText)).count == 50)
        for parameters in forward {
            for parameter in definition.parameters {
                #expect(parameters[parameter.name].map(parameter.distribution.contains) == true)
            }
        }
        #expect(SearchRandom.trainingSeed(studySeed: 42, trialNumber: 3) == SearchRandom.trainingSeed(studySeed: 42, trialNumber: 3))
        #expect(SearchRandom.trainingSeed(studySeed: 42, trialNumber: 3) != SearchRandom.trainingSeed(studySeed: 42, trialNumber: 4))
    }

    @Test func randomNeverRepeatsAConfigurationAndStopsWhenTheSpaceIsExhausted() throws {
        let definition = try SearchFixtures.definition("""
            {"name": "small", "method": "random", "metric": {"name": "m", "goal": "maximize"}, "budget": {"max_epochs": 1},
             "parameters": {"a": {"values": [1, 2, 3]}, "b": {"values": [true, false]}}}
            """)
        let sampler = RandomSampler(parameters: definition.parameters, seed: 5)
        var used: Set<String> = []
        var drawn: [TrialParameters] = []
        for trial in 0..<10 {
            guard let parameters = sampler.parameters(forTrial: trial, excluding: used) else { break }
            #expect(!used.contains(parameters.canonicalText))
            used.insert(parameters.canonicalText)
            drawn.append(parameters)
        }
        #expect(drawn.count == 6)
        #expect(sampler.parameters(forTrial: 6, excluding: used) == nil)
    }
}
