import Foundation

/// Small Zeek and Suricata logs written to their documented formats, for tests: benign DNS and
/// HTTP connections beside a horizontal port scan, labelled as IoT-23 labels its `conn.log.labeled`
/// (`label` and `detailed-label` joined to `tunnel_parents` by runs of three spaces).
public enum FlowLogSamples {
    /// One connection, with Zeek's fields as text (`-` unset).
    public struct Connection: Sendable {
        public var fields: [String: String]
        public var malicious: Bool
    }

    /// The `Conn::Info` columns written, in Zeek's order.
    public static let connColumns = [
        "ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
        "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
        "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents",
    ]

    /// `count` connections, a third of them a port scan, the same for the same seed.
    public static func connections(count: Int, seed: UInt64) -> [Connection] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { index in
            var fields: [String: String] = [
                "ts": String(format: "%.6f", 1_545_403_816.0 + Double(index) * 0.37),
                "uid": "C\(String(index, radix: 36))x\(next(1_000_000))",
                "id.orig_h": "192.168.1.\(10 + next(20))", "id.orig_p": String(30_000 + next(30_000)),
                "local_orig": "-", "local_resp": "-", "missed_bytes": "0", "tunnel_parents": "(empty)",
            ]
            let kind = index % 3
            if kind == 2 {
                fields["id.resp_h"] = "185.\(next(255)).\(next(255)).\(next(255))"
                fields["id.resp_p"] = String([23, 2323, 8080, 5555][next(4)])
                fields["proto"] = "tcp"; fields["service"] = "-"; fields["conn_state"] = "S0"; fields["history"] = "S"
                let retries = 1 + next(3)
                fields["duration"] = retries == 1 ? "-" : String(format: "%.6f", Double(retries) * 1.0 + Double(next(1000)) / 10_000)
                fields["orig_bytes"] = retries == 1 ? "-" : "0"
                fields["resp_bytes"] = retries == 1 ? "-" : "0"
                fields["orig_pkts"] = String(retries); fields["orig_ip_bytes"] = String(retries * 60)
                fields["resp_pkts"] = "0"; fields["resp_ip_bytes"] = "0"
                return Connection(fields: fields, malicious: true)
            }
            if kind == 0 {
                fields["id.resp_h"] = "8.8.\(next(2) * 4).\(next(2) * 4 + 4)"
                fields["id.resp_p"] = "53"; fields["proto"] = "udp"; fields["service"] = "dns"
                fields["duration"] = String(format: "%.6f", 0.01 + Double(next(900)) / 10_000)
                let query = 30 + next(40)
                let answer = 60 + next(200)
                fields["orig_bytes"] = String(query); fields["resp_bytes"] = String(answer)
                fields["conn_state"] = "SF"; fields["history"] = "Dd"
                fields["orig_pkts"] = "1"; fields["orig_ip_bytes"] = String(query + 28)
                fields["resp_pkts"] = "1"; fields["resp_ip_bytes"] = String(answer + 28)
            } else {
                fields["id.resp_h"] = "93.184.\(next(255)).\(next(255))"
                fields["id.resp_p"] = "80"; fields["proto"] = "tcp"; fields["service"] = "http"
                fields["duration"] = String(format: "%.6f", 0.1 + Double(next(20_000)) / 10_000)
                let sent = 200 + next(800)
                let received = 1_000 + next(50_000)
                let packets = 4 + next(30)
                fields["orig_bytes"] = String(sent); fields["resp_bytes"] = String(received)
                fields["conn_state"] = "SF"; fields["history"] = "ShADadFf"
                fields["orig_pkts"] = String(packets); fields["orig_ip_bytes"] = String(sent + packets * 52)
                fields["resp_pkts"] = String(packets + 2); fields["resp_ip_bytes"] = String(received + (packets + 2) * 52)
            }
            return Connection(fields: fields, malicious: false)
        }
    }

    /// A `conn.log.labeled` as IoT-23 writes it (Zeek TSV, the labels joined to the last field
    /// by three spaces), or a plain `conn.log` without labels.
    public static func zeekTSV(_ connections: [Connection], labelled: Bool = true) -> String {
        var text = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t2018-12-21-15-50-14\n"
        var names = connColumns
        var types = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
                     "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
        if labelled {
            names[names.count - 1] += "   label   detailed-label"
            types[types.count - 1] += "   string   string"
        }
        text += "#fields\t" + names.joined(separator: "\t") + "\n#types\t" + types.joined(separator: "\t") + "\n"
        for connection in connections {
            var values = connColumns.map { connection.fields[$0] ?? "-" }
            if labelled {
                values[values.count - 1] += connection.malicious ? "   Malicious   PartOfAHorizontalPortScan" : "   Benign   -"
            }
            text += values.joined(separator: "\t") + "\n"
        }
        return text + "#close\t2018-12-22-15-50-14\n"
    }

    /// The same connections as Zeek's JSON logs (`LogAscii::use_json`): numbers as numbers,
    /// unset fields left out, sets as lists; labels as `label` and `detailed-label` keys.
    public static func zeekJSON(_ connections: [Connection], labelled: Bool = true) -> String {
        let numeric: Set<String> = ["ts", "id.orig_p", "id.resp_p", "duration", "orig_bytes", "resp_bytes", "missed_bytes",
                                    "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes"]
        return connections.map { connection in
            var members: [String] = []
            for name in connColumns {
                guard let value = connection.fields[name], value != "-" else { continue }
                if name == "tunnel_parents" { members.append("\"\(name)\":[]"); continue }
                members.append("\"\(name)\":" + (numeric.contains(name) ? value : "\"\(value)\""))
            }
            if labelled {
                members.append("\"label\":\"\(connection.malicious ? "Malicious" : "Benign")\"")
                members.append("\"detailed-label\":\"\(connection.malicious ? "PartOfAHorizontalPortScan" : "-")\"")
            }
            return "{" + members.joined(separator: ",") + "}\n"
        }.joined()
    }

    /// The same connections as Suricata EVE flow events (nested `flow` and `tcp` objects), each
    /// with a `label` key, and a `dns` and a `stats` event between them that are not flows.
    public static func eve(_ connections: [Connection]) -> String {
        var lines: [String] = []
        for (index, connection) in connections.enumerated() {
            let fields = connection.fields
            func number(_ name: String) -> String { fields[name].flatMap { $0 == "-" ? nil : $0 } ?? "0" }
            let proto = fields["proto"] == "udp" ? "UDP" : "TCP"
            var event = "{\"timestamp\":\"2018-12-21T15:50:\(String(format: "%02d", index % 60)).000000+0000\",\"flow_id\":\(1_000_000 + index),"
                + "\"event_type\":\"flow\",\"src_ip\":\"\(fields["id.orig_h"] ?? "")\",\"src_port\":\(number("id.orig_p")),"
                + "\"dest_ip\":\"\(fields["id.resp_h"] ?? "")\",\"dest_port\":\(number("id.resp_p")),\"proto\":\"\(proto)\","
            if fields["service"] != "-" { event += "\"app_proto\":\"\(fields["service"] ?? "")\"," }
            event += "\"flow\":{\"pkts_toserver\":\(number("orig_pkts")),\"pkts_toclient\":\(number("resp_pkts")),"
                + "\"bytes_toserver\":\(number("orig_ip_bytes")),\"bytes_toclient\":\(number("resp_ip_bytes")),"
                + "\"age\":\(Int(Double(number("duration")) ?? 0)),\"state\":\"\(connection.malicious ? "new" : "closed")\","
                + "\"reason\":\"timeout\",\"alerted\":false}"
            if proto == "TCP" {
                event += ",\"tcp\":{\"tcp_flags\":\"\(connection.malicious ? "02" : "1b")\",\"syn\":true"
                    + (connection.malicious ? "" : ",\"fin\":true,\"psh\":true,\"ack\":true") + ",\"state\":\"\(connection.malicious ? "syn_sent" : "closed")\"}"
            }
            event += ",\"label\":\"\(connection.malicious ? "Malicious" : "Benign")\"}"
            lines.append(event)
            if index % 7 == 3 {
                lines.append("{\"timestamp\":\"2018-12-21T15:50:00.000000+0000\",\"event_type\":\"dns\",\"src_ip\":\"192.168.1.10\",\"dns\":{\"type\":\"query\",\"rrname\":\"example.com\"}}")
            }
        }
        lines.insert("{\"timestamp\":\"2018-12-21T15:50:00.000000+0000\",\"event_type\":\"stats\",\"stats\":{\"uptime\":8}}", at: min(2, lines.count))
        return lines.joined(separator: "\n") + "\n"
    }
}
