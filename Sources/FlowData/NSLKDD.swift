/// NSL-KDD (Tavallaee et al. 2009): headerless CSV of 43 fields, the 41 features below, the attack
/// name and a difficulty level (0-21) that is not a feature.
enum NSLKDD {
    /// The 41 feature names of `field-names.csv`; protocol_type, service and flag are symbolic.
    static let featureNames = [
        "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
        "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
        "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
        "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
        "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
        "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
        "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
        "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
        "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
    ]

    static let symbolicColumns = ["protocol_type", "service", "flag"]

    static let schema = FlowSchema(
        format: .nslKDD, fixedNames: featureNames + ["attack", "difficulty"], defaultLabel: "attack",
        nonFeatureColumns: ["difficulty"], identifierColumns: [], symbolicColumns: symbolicColumns,
        normalLabels: ["normal"], normalizeLabel: normalizeLabel,
        identity: [.init(column: "protocol_type", key: "proto")])

    /// Trims the name and drops KDD Cup 99's trailing full stop (`normal.`).
    @Sendable static func normalizeLabel(_ text: String) -> String {
        let label = TextDecoding.trimmed(text)
        return label.hasSuffix(".") ? String(label.dropLast()) : label
    }

    /// The attack family of each attack name: `attack-types.csv` for the 22 training names plus
    /// the mapping used in the literature for the 17 names that occur only in KDDTest+.
    static let families: [String: String] = [
        "normal": "normal",
        // attack-types.csv
        "back": "dos", "land": "dos", "neptune": "dos", "pod": "dos", "smurf": "dos", "teardrop": "dos",
        "ipsweep": "probe", "nmap": "probe", "portsweep": "probe", "satan": "probe",
        "ftp_write": "r2l", "guess_passwd": "r2l", "imap": "r2l", "multihop": "r2l", "phf": "r2l",
        "spy": "r2l", "warezclient": "r2l", "warezmaster": "r2l",
        "buffer_overflow": "u2r", "loadmodule": "u2r", "perl": "u2r", "rootkit": "u2r",
        // test-only names
        "apache2": "dos", "mailbomb": "dos", "processtable": "dos", "udpstorm": "dos",
        "mscan": "probe", "saint": "probe",
        "httptunnel": "r2l", "named": "r2l", "sendmail": "r2l", "snmpgetattack": "r2l",
        "snmpguess": "r2l", "worm": "r2l", "xlock": "r2l", "xsnoop": "r2l",
        "ps": "u2r", "sqlattack": "u2r", "xterm": "u2r",
    ]

    /// The family of `attack` (case-insensitive), or nil for a name outside the table.
    static func family(of attack: String) -> String? {
        families[attack.lowercased()]
    }
}
