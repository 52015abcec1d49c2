import Reports
import Testing

@Suite("Benchmark statistics")
struct BenchmarkReportStatisticsTests {
    @Test func meanAndSampleStandardDeviation() {
        let statistic = BenchmarkStatistic([1, 2, 3, 4])
        #expect(statistic.count == 4)
        #expect(statistic.mean == 2.5)
        // sum of squares 5, over n - 1 = 3.
        #expect(statistic.standardDeviation == (5.0 / 3).squareRoot())
        let pair = BenchmarkStatistic([0.99, 0.97])
        #expect(abs(pair.mean - 0.98) < 1e-15)
        #expect(abs((pair.standardDeviation ?? 0) - 0.0141421356237309) < 1e-12)
    }

    @Test func fewValuesHaveNoSpreadAndNonFiniteValuesAreLeftOut() {
        let one = BenchmarkStatistic([0.5])
        #expect(one.count == 1 && one.mean == 0.5 && one.standardDeviation == nil)
        let none = BenchmarkStatistic([])
        #expect(none.count == 0 && none.mean.isNaN && none.standardDeviation == nil)
        let mixed = BenchmarkStatistic([1, .nan, 3, .infinity])
        #expect(mixed.count == 2 && mixed.mean == 2 && mixed.standardDeviation == 2.0.squareRoot())
        #expect(BenchmarkStatistic([7, 7, 7]).standardDeviation == 0)
    }

    @Test func textShowsTheSpreadToTwoSignificantDigits() {
        #expect(BenchmarkStatistic([0.9870, 0.9887]).text(minimumDecimals: 4) == "0.9879 ± 0.0012")
        // A spread smaller than the fourth decimal gets more decimals instead of becoming 0.
        #expect(BenchmarkStatistic([0.98765, 0.98770]).text(minimumDecimals: 4) == "0.987675 ± 0.000035")
        #expect(BenchmarkStatistic([1200, 1300]).text(minimumDecimals: 0) == "1250 ± 71")
        #expect(BenchmarkStatistic([12.1, 12.9]).text(minimumDecimals: 2) == "12.50 ± 0.57")
        #expect(BenchmarkStatistic([0.5, 0.5]).text(minimumDecimals: 4) == "0.5000 ± 0")
        #expect(BenchmarkStatistic([0.5]).text(minimumDecimals: 4) == "0.5000")
        #expect(BenchmarkStatistic([]).text(minimumDecimals: 4) == "–")
    }
}
