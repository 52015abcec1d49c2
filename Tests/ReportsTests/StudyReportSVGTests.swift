import Foundation
import Testing
@testable import Reports

/// Every plot of the fixed study is well-formed XML with the series and points the study implies.
@Suite struct StudyReportSVGTests {
    static func plot(_ name: String, of report: StudyReport, sourceLocation: SourceLocation = #_sourceLocation) -> SVGInspector? {
        guard let plot = report.plots.first(where: { $0.fileName == name }) else {
            Issue.record("no plot \(name)", sourceLocation: sourceLocation)
            return nil
        }
        let (inspector, wellFormed) = SVGInspector.parse(plot.chart.svg)
        #expect(wellFormed, "\(name) is not well-formed XML: \(String(describing: inspector.error))", sourceLocation: sourceLocation)
        return inspector
    }

    @Test func everyPlotIsWellFormedXML() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(report.plots.map(\.fileName) == ["history.svg", "learning-curves.svg", "variants.svg", "param-conv_channels.svg",
                                                  "param-dropout.svg", "param-lr.svg", "param-lstm_hidden.svg"])
        for plot in report.plots {
            let (inspector, wellFormed) = SVGInspector.parse(plot.chart.svg)
            #expect(wellFormed, "\(plot.fileName): \(String(describing: inspector.error))")
            #expect(inspector.elements.first?.name == "svg")
            #expect(!inspector.texts(class: "axis-title").contains(""), "\(plot.fileName) has an empty axis title")
            #expect(!inspector.texts(class: "tick").isEmpty, "\(plot.fileName) has no tick labels")
        }
    }

    @Test func historyShowsEachTrialByStateAndTheBestSoFar() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let svg = Self.plot("history.svg", of: report) else { return }
        #expect(svg.seriesIDs == ["series-state-complete", "series-state-pruned", "series-state-failed", "series-best-so-far"])
        #expect(svg.count("circle", class: "point", inGroup: "series-state-complete") == 1)
        #expect(svg.count("circle", class: "point", inGroup: "series-state-pruned") == 6)
        #expect(svg.count("circle", class: "point", inGroup: "series-state-failed") == 1)  // trial 4 has no value
        #expect(svg.count("polyline", class: "step", inGroup: "series-best-so-far") == 1)
        #expect(svg.texts(class: "legend-entry") == ["complete (1)", "pruned (6)", "failed (1)", "best so far"])
        #expect(svg.texts(class: "chart-title") == ["Optimisation history"])
    }

    @Test func learningCurvesShowTheFiveBestTrialsEpochByEpoch() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let svg = Self.plot("learning-curves.svg", of: report) else { return }
        #expect(svg.seriesIDs == ["series-trial-1", "series-trial-5", "series-trial-7", "series-trial-6", "series-trial-0"])
        #expect(svg.count("circle", class: "point", inGroup: "series-trial-1") == 9)
        #expect(svg.count("polyline", class: "line", inGroup: "series-trial-1") == 1)
        #expect(svg.count("circle", class: "point", inGroup: "series-trial-5") == 2)
        #expect(svg.count("circle", class: "point", inGroup: "series-trial-0") == 1)
        #expect(svg.texts(class: "legend-entry").first == "trial 1 (bilstm)")
        #expect(svg.elements.filter { $0.classes.contains("guide") }.count == 3)  // rungs at 1, 3, 9 epochs
    }

    @Test func variantsShowEachTrialAndTheMeanWithItsSpread() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let svg = Self.plot("variants.svg", of: report) else { return }
        #expect(svg.count("circle", class: "point", inGroup: "series-variant-lstm") == 3)
        #expect(svg.count("circle", class: "point", inGroup: "series-variant-bilstm") == 2)
        #expect(svg.count("circle", class: "point", inGroup: "series-variant-attention") == 3)
        #expect(svg.count("line", class: "mean", inGroup: "series-variant-mean") == 3)
        #expect(svg.texts(class: "tick").suffix(3) == ["lstm", "bilstm", "attention"])
    }

    @Test func logUniformParametersGetALogAxis() throws {
        let (report, directory) = try StudyReportFixture.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let svg = Self.plot("param-lr.svg", of: report) else { return }
        #expect(svg.texts(class: "axis-title").first == "lr (log scale)")
        let ticks = svg.elements.filter { $0.classes.contains("tick") && $0.groupID == nil }.map(\.text)
        #expect(ticks.contains("0.0001") && ticks.contains("0.001") && ticks.contains("0.01"), "ticks: \(ticks)")
        let points = ["complete", "pruned", "failed"].reduce(0) { $0 + svg.count("circle", class: "point", inGroup: "series-state-\($1)") }
        #expect(points == 8)
    }
}
