/// How label texts become classes.
public enum LabelMode: String, Codable, Sendable {
    /// One class per label text (attack name).
    case names
    /// Two classes, `normal` (0) and `attack` (1).
    case binary
    /// NSL-KDD attack families: normal, dos, probe, r2l, u2r.
    case families

    /// The class of one label text; throws for a name outside the NSL-KDD family table.
    func map(_ label: String, schema: FlowSchema, normalLabel: String?, location: @autoclosure () -> String) throws -> String {
        switch self {
        case .names:
            return label
        case .binary:
            if let normalLabel { return label.lowercased() == normalLabel.lowercased() ? "normal" : "attack" }
            return schema.isNormal(label) ? "normal" : "attack"
        case .families:
            guard let family = NSLKDD.family(of: label) else {
                throw DataError.inconsistent(
                    source: location(),
                    reason: "attack name '\(label)' has no NSL-KDD family (set \"families\": false to use attack names)")
            }
            return family
        }
    }

    /// Fixed class names where the mode defines them (binary: normal = 0, attack = 1).
    var fixedClassNames: [String]? {
        self == .binary ? ["normal", "attack"] : nil
    }
}
