/// CICFlowMeter flow CSVs (CIC-IDS2017, CIC-IDS2018): the original "MachineLearningCVE" header
/// (leading spaces, a duplicated `Fwd Header Length`, `Infinity`/`NaN` values, a mangled dash in
/// `Web Attack` labels) and the improved re-extraction (`id, Flow ID, ..., Label, Attempted Category`).
enum CICFlowMeter {
    /// Flow ids, addresses, source ports and timestamps identify the capture, not the attack;
    /// `Attempted Category` is a second label of the improved data set.
    static let identifierColumns = [
        "id", "Flow ID", "Src IP", "Src Port", "Dst IP", "Timestamp",
        "Source IP", "Source Port", "Destination IP",
    ]

    static let schema = FlowSchema(
        format: .cicflowmeter, fixedNames: nil, defaultLabel: "Label",
        nonFeatureColumns: ["Attempted Category"], identifierColumns: identifierColumns,
        symbolicColumns: [], normalLabels: ["benign"], normalizeLabel: normalizeLabel)

    /// Trims the label and spells the `Web Attack – XSS` dash as `-`, however the original files
    /// mangled it (a Windows-1252 en dash, or U+FFFD after a bad re-encoding), so original and
    /// improved files name the class the same way.
    @Sendable static func normalizeLabel(_ text: String) -> String {
        var label = TextDecoding.trimmed(text)
        if label.unicodeScalars.contains(where: { $0 == "\u{2013}" || $0 == "\u{FFFD}" || $0 == "\u{96}" }) {
            label = String(String.UnicodeScalarView(label.unicodeScalars.map { scalar in
                scalar == "\u{2013}" || scalar == "\u{FFFD}" || scalar == "\u{96}" ? "-" : scalar
            }))
        }
        return label
    }
}
