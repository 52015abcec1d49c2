import FlowData
import Foundation
import Testing

/// Scalers against values computed by hand (NumPy conventions: population standard deviation,
/// linear-interpolated quantiles), and their stored forms.
@Suite("Scaler")
struct ScalerTests {
    let columns: [[Double]] = [
        [1, 2, 3, 4, 100],        // heavy tail
        [-5, 0, 5, 10, 15],
        [7, 7, 7, 7, 7],          // no spread
    ]

    @Test("standard: (x - mean) / population std; zero spread gives scale 1")
    func standard() {
        let scaler = Scaler.fit(ScalerChoice(kind: .standard, logTransform: false), columns: columns)
        #expect(scaler.center == [22, 5, 7])
        let variance = [441.0, 400, 361, 324, 6084].reduce(0, +) / 5
        #expect(abs(scaler.scale[0] - variance.squareRoot()) < 1e-12)
        #expect(abs(scaler.scale[1] - 50.0.squareRoot()) < 1e-12)
        #expect(scaler.scale[2] == 1)
        #expect(scaler.transform(7, feature: 2) == 0)
    }

    @Test("robust: (x - median) / (q95 - q5) with NumPy's linear interpolation")
    func robust() {
        let scaler = Scaler.fit(ScalerChoice(kind: .robust, logTransform: false), columns: columns)
        #expect(scaler.center == [3, 5, 7])
        // np.percentile([1,2,3,4,100], [5, 95]) = [1.2, 80.8]
        #expect(abs(scaler.scale[0] - (80.8 - 1.2)) < 1e-9)
        #expect(abs(scaler.scale[1] - (14.0 - -4.0)) < 1e-9)
        #expect(scaler.scale[2] == 1)
    }

    @Test("min-max maps the training range onto [0, 1]")
    func minMax() {
        let scaler = Scaler.fit(ScalerChoice(kind: .minMax, logTransform: false), columns: columns)
        #expect(scaler.transform(1, feature: 0) == 0)
        #expect(scaler.transform(100, feature: 0) == 1)
        #expect(scaler.transform(5, feature: 1) == 0.5)
    }

    @Test("log- variants apply sign(x) * log1p(|x|) before fitting and scaling")
    func logVariants() {
        let scaler = Scaler.fit(ScalerChoice(kind: .standard, logTransform: true), columns: columns)
        let logged = columns[0].map { log1p($0) }
        let mean = logged.reduce(0, +) / 5
        #expect(abs(scaler.center[0] - mean) < 1e-12)
        #expect(Scaler.signedLog1p(-9) == -log1p(9))
        let logOnly = Scaler.fit(ScalerChoice(kind: .none, logTransform: true), columns: columns)
        #expect(logOnly.transform(-9, feature: 1) == -log1p(9))
    }

    @Test("run-file names parse and print back", arguments: [
        "none", "standard", "robust", "minmax", "log", "log-standard", "log-robust", "log-minmax",
    ])
    func names(_ name: String) throws {
        #expect(try ScalerChoice(name: name).name == name)
        #expect(try ScalerChoice(name: "min-max").kind == .minMax)
    }

    @Test("JSON round trip and rejection of a damaged scaler")
    func storage() throws {
        let scaler = Scaler.fit(ScalerChoice(kind: .robust, logTransform: true), columns: columns)
        let restored = try Scaler(jsonString: scaler.jsonString())
        #expect(restored == scaler)
        #expect(throws: DataError.self) { try Scaler(jsonString: "{\"choice\": 3}") }
        #expect(throws: DataError.self) {
            try Scaler(jsonString: #"{"choice":{"kind":"standard","logTransform":false},"center":[0],"scale":[0]}"#)
        }
    }
}
