/// Suricata's EVE JSON output (https://docs.suricata.io/en/latest/output/eve/eve-json-format.html):
/// one event per line; only `"event_type": "flow"` events are flows. Nested objects become dotted
/// columns (`flow.pkts_toserver`, `tcp.syn`); booleans read as 1 and 0. EVE carries no label, so a
/// training file names its own (`label` unless `data.label` says otherwise).
enum SuricataEVE {
    static let usualColumns = [
        "timestamp", "flow_id", "in_iface", "event_type", "src_ip", "src_port", "dest_ip", "dest_port",
        "proto", "app_proto", "flow.pkts_toserver", "flow.pkts_toclient", "flow.bytes_toserver",
        "flow.bytes_toclient", "flow.start", "flow.end", "flow.age", "flow.state", "flow.reason",
        "flow.alerted", "tcp.tcp_flags", "tcp.tcp_flags_ts", "tcp.tcp_flags_tc", "tcp.syn", "tcp.fin",
        "tcp.rst", "tcp.psh", "tcp.ack", "tcp.urg", "tcp.ecn", "tcp.cwr", "tcp.state", "label",
    ]

    static let schema = FlowSchema(
        format: .suricataEVE, fixedNames: nil, defaultLabel: "label", nonFeatureColumns: [],
        identifierColumns: [
            "timestamp", "flow_id", "in_iface", "event_type", "src_ip", "src_port", "dest_ip",
            "community_id", "pcap_cnt", "host", "parent_id", "vlan", "flow.start", "flow.end",
            "pkt_src", "tx_id",
        ],
        symbolicColumns: [
            "proto", "app_proto", "app_proto_ts", "app_proto_tc", "app_proto_orig", "app_proto_expected",
            "flow.state", "flow.reason", "flow.action", "tcp.state", "tcp.tcp_flags", "tcp.tcp_flags_ts",
            "tcp.tcp_flags_tc",
        ],
        normalLabels: ["benign", "normal"], normalizeLabel: { TextDecoding.trimmed($0) },
        unset: .dashIsZero, usualColumns: usualColumns,
        identity: [
            .init(column: "flow_id", key: "flow_id"), .init(column: "src_ip", key: "src_ip"),
            .init(column: "src_port", key: "src_port"), .init(column: "dest_ip", key: "dest_ip"),
            .init(column: "dest_port", key: "dest_port"), .init(column: "proto", key: "proto"),
            .init(column: "flow.start", key: "flow_timestamp"),
        ])
}
