/// Zeek's `conn.log` (https://docs.zeek.org/en/current/scripts/base/protocols/conn/main.zeek.html),
/// as TSV or JSON lines, and IoT-23's labelled copies (`label`, `detailed-label` appended).
enum ZeekConnLog {
    /// The fields of `Conn::Info` in Zeek's order (`ip_proto` since Zeek 6), then IoT-23's labels.
    static let usualColumns = [
        "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
        "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
        "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents", "ip_proto",
        "label", "detailed-label",
    ]

    static let schema = FlowSchema(
        format: .zeek, fixedNames: nil, defaultLabel: "label",
        nonFeatureColumns: ["detailed-label", "detailed_label"],
        // Times, the connection id, addresses, the source port and tunnel ids name a capture, not
        // its traffic; the responder port stays a feature as CICFlowMeter's `Dst Port` does.
        identifierColumns: [
            "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "tunnel_parents", "orig_l2_addr",
            "resp_l2_addr", "community_id",
        ],
        symbolicColumns: ["proto", "service", "conn_state", "local_orig", "local_resp", "history"],
        normalLabels: ["benign", "normal"], normalizeLabel: { TextDecoding.trimmed($0) },
        unset: .dashIsZero, usualColumns: usualColumns,
        identity: [
            .init(column: "uid", key: "flow_id"), .init(column: "id.orig_h", key: "src_ip"),
            .init(column: "id.orig_p", key: "src_port"), .init(column: "id.resp_h", key: "dest_ip"),
            .init(column: "id.resp_p", key: "dest_port"), .init(column: "proto", key: "proto"),
            .init(column: "ts", key: "flow_timestamp"),
        ])
}
