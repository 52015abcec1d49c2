import FileFormats
import Reports
import Testing

@Suite struct CSVTableTests {
    @Test func quotesOnlyWhatNeedsIt() {
        #expect(CSVTable.quoted("plain") == "plain")
        #expect(CSVTable.quoted("a,b") == "\"a,b\"")
        #expect(CSVTable.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.quoted("two\nlines") == "\"two\nlines\"")
        #expect(CSVTable.quoted(" padded") == "\" padded\"")
    }

    @Test func predictionsEndInCRLFAndKeepPaddedFieldsBare() {
        #expect(CSVTable.line([" padded", "a,b"], style: .predictions) == " padded,\"a,b\"\r\n")
        #expect(CSVTable(header: ["x"], rows: [["1"]], style: .predictions).text == "x\r\n1\r\n")
    }

    @Test func numbersAreShortestRoundTripTextAndFiniteNumbersDropNaN() {
        #expect(CSVTable.number(0.25) == "0.25" && CSVTable.number(1e-05) == "1e-05" && CSVTable.number(nil) == "")
        #expect(CSVTable.number(.nan) == "nan" && CSVTable.finiteNumber(.nan) == "" && CSVTable.finiteNumber(1234.5) == "1234.5")
    }

    @Test func writtenTextParsesBackToTheSameValues() throws {
        let table = CSVTable(header: ["name", "value", "note"],
                             rows: [["a", "1.5", ""], ["b,c", "-2", "line\nbreak"], ["\"q\"", "", " x "]])
        #expect(try CSVTable.parse(table.text) == table)
    }

    @Test func ragedRowsAndOpenQuotesAreErrors() {
        #expect(throws: CSVTableError.self) { try CSVTable.parse("a,b\n1\n") }
        #expect(throws: CSVTableError.self) { try CSVTable.parse("a\n\"open\n") }
    }

    @Test func markdownCellsCannotBreakTheTable() {
        let table = MarkdownTable(header: ["trial", "note"], alignments: [.right, .left], rows: [["1", "a|b\nc"]])
        #expect(table.text == "| trial | note |\n| ---: | --- |\n| 1 | a\\|b c |\n")
    }
}
