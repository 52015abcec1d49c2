/// UNSW-NB15 (Moustafa and Slay 2015): the training/testing-set CSVs with a header ending in
/// `attack_cat, label`, and the four raw CSVs without header (49 columns, names below).
enum UNSWNB15 {
    /// The 49 columns of the raw UNSW-NB15_1..4.csv files (NUSW-NB15_features.csv).
    static let rawNames = [
        "srcip", "sport", "dstip", "dsport", "proto", "state", "dur", "sbytes", "dbytes", "sttl",
        "dttl", "sloss", "dloss", "service", "Sload", "Dload", "Spkts", "Dpkts", "swin", "dwin",
        "stcpb", "dtcpb", "smeansz", "dmeansz", "trans_depth", "res_bdy_len", "Sjit", "Djit",
        "Stime", "Ltime", "Sintpkt", "Dintpkt", "tcprtt", "synack", "ackdat", "is_sm_ips_ports",
        "ct_state_ttl", "ct_flw_http_mthd", "is_ftp_login", "ct_ftp_cmd", "ct_srv_src",
        "ct_srv_dst", "ct_dst_ltm", "ct_src_ltm", "ct_src_dport_ltm", "ct_dst_sport_ltm",
        "ct_dst_src_ltm", "attack_cat", "label",
    ]

    static let schema = FlowSchema(
        format: .unswNB15, fixedNames: nil, defaultLabel: "attack_cat",
        nonFeatureColumns: ["label", "attack_cat"],
        identifierColumns: ["id", "srcip", "sport", "dstip", "dsport", "stime", "ltime"],
        symbolicColumns: ["proto", "service", "state"], normalLabels: ["normal", "0"],
        normalizeLabel: normalizeLabel,
        identity: [
            .init(column: "srcip", key: "src_ip"), .init(column: "sport", key: "src_port"),
            .init(column: "dstip", key: "dest_ip"), .init(column: "dsport", key: "dest_port"),
            .init(column: "proto", key: "proto"), .init(column: "stime", key: "flow_timestamp"),
        ])

    /// Trims the category; an empty `attack_cat` (raw files) is `Normal`, and the raw files'
    /// `Backdoors` is the partitioned sets' `Backdoor`.
    @Sendable static func normalizeLabel(_ text: String) -> String {
        let label = TextDecoding.trimmed(text)
        if label.isEmpty { return "Normal" }
        if label == "Backdoors" { return "Backdoor" }
        return label
    }

    /// True when the first record of a file is data rather than a header (raw files).
    static func looksHeaderless(_ firstRecord: [String]) -> Bool {
        firstRecord.count == rawNames.count
            && !firstRecord.contains(where: { columnKey($0) == "label" || columnKey($0) == "attack_cat" })
    }
}
