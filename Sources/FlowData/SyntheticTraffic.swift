import Foundation
import Tensor

/// A deterministic generator of flow records that look like CICFlowMeter output: benign sessions
/// (web, DNS, SSH) with bursts of SYN flood, port scan, slow DoS and brute force. The embedded
/// default data so the quickstart runs anywhere; a demo, never a benchmark.
///
/// Flows come in episodes (runs of one attack with benign background), so the `window` layout
/// sees attack context as it would in a capture. The same seed gives the same flows.
public enum SyntheticTraffic {
    public static let classNames = ["benign", "syn-flood", "port-scan", "slow-dos", "brute-force"]

    public static let featureNames = [
        "Dst Port", "Protocol", "Flow Duration", "Total Fwd Packets", "Total Bwd Packets",
        "Total Length of Fwd Packets", "Total Length of Bwd Packets", "Fwd Packet Length Mean",
        "Bwd Packet Length Mean", "Flow Bytes/s", "Flow Packets/s", "Flow IAT Mean", "Flow IAT Std",
        "SYN Flag Count", "ACK Flag Count", "FIN Flag Count", "RST Flag Count", "PSH Flag Count",
        "Init Win Bytes", "Down/Up Ratio",
    ]

    /// `count` flows as a table with the columns above and a label per flow, in time order.
    static func table(count: Int, seed: UInt64) -> FlowTable {
        var generator = SeededGenerator(seed: seed)
        var table = FlowTable(numericNames: featureNames, symbolicNames: [])
        table.files = ["synthetic(seed \(seed))"]
        table.labelNames = classNames
        table.numeric.reserveCapacity(count * featureNames.count)
        while table.rowCount < count {
            // Episodes: 40 % benign stretches, otherwise an attack burst over benign background
            // (about half the flows benign, an eighth of each attack).
            let attack = generator.nextUnitFloat() < 0.4 ? 0 : 1 + generator.nextIndex(below: 4)
            let length = attack == 0 ? 20 + generator.nextIndex(below: 40) : 10 + generator.nextIndex(below: 30)
            for _ in 0..<length where table.rowCount < count {
                let kind = attack != 0 && generator.nextUnitFloat() < 0.8 ? attack : 0
                table.numeric.append(contentsOf: flow(kind: kind, generator: &generator))
                table.labelCodes.append(Int32(kind))
                table.fileIndices.append(0)
                table.lines.append(Int32(truncatingIfNeeded: table.rowCount))
            }
        }
        return table
    }

    /// The feature values of one flow of class `kind` (an index into `classNames`).
    private static func flow(kind: Int, generator: inout SeededGenerator) -> [Double] {
        func logNormal(_ median: Double, _ spread: Double) -> Double {
            median * exp(spread * Double(generator.nextNormal()))
        }
        func chance(_ probability: Double) -> Double {
            Double(generator.nextUnitFloat()) < probability ? 1 : 0
        }
        var port: Double
        var proto = 6.0
        var duration: Double          // microseconds
        var forwardPackets: Double
        var backwardPackets: Double
        var forwardSize: Double       // bytes per packet
        var backwardSize: Double
        var syn = 1.0, ack = 1.0, fin = 1.0, rst = 0.0, psh = 1.0
        var window = 64_240.0
        switch kind {
        case 1:  // SYN flood: a lone SYN to a web server, no answer, no handshake.
            port = 80
            duration = logNormal(3, 1.0)
            forwardPackets = 1 + chance(0.2)
            backwardPackets = chance(0.1)
            forwardSize = 0
            backwardSize = 0
            (ack, fin, psh) = (0, 0, 0)
            rst = chance(0.1)
            window = [512, 1024, 2048][generator.nextIndex(below: 3)]
        case 2:  // Port scan: one probe per port, answered by RST.
            port = Double(1 + generator.nextIndex(below: 65_535))
            duration = logNormal(40, 0.8)
            forwardPackets = 1
            backwardPackets = 1
            forwardSize = 0
            backwardSize = 0
            (ack, fin, psh, rst) = (chance(0.5), 0, 0, 1)
            window = 1024
        case 3:  // Slow DoS (slowloris): long, nearly idle connections dribbling header bytes.
            port = 80
            duration = logNormal(60_000_000, 0.5)
            forwardPackets = (logNormal(8, 0.4)).rounded()
            backwardPackets = (logNormal(3, 0.5)).rounded()
            forwardSize = logNormal(20, 0.3)
            backwardSize = logNormal(10, 0.5)
            fin = chance(0.1)
            window = 29_200
        case 4:  // Brute force: short SSH/FTP logins with small, regular packets.
            port = chance(0.5) == 1 ? 22 : 21
            duration = logNormal(2_000_000, 0.4)
            forwardPackets = (logNormal(14, 0.2)).rounded()
            backwardPackets = (logNormal(16, 0.2)).rounded()
            forwardSize = logNormal(60, 0.15)
            backwardSize = logNormal(70, 0.15)
            window = 29_200
        default:  // Benign: web browsing, DNS lookups and interactive SSH.
            let service = generator.nextUnitFloat()
            if service < 0.6 {
                port = chance(0.8) == 1 ? 443 : 80
                duration = logNormal(800_000, 1.5)
                forwardPackets = max(2, (logNormal(10, 0.9)).rounded())
                backwardPackets = max(1, (logNormal(14, 1.0)).rounded())
                forwardSize = logNormal(180, 0.7)
                backwardSize = logNormal(900, 0.6)
            } else if service < 0.9 {
                port = 53
                proto = 17
                duration = logNormal(30_000, 1.0)
                forwardPackets = 1 + chance(0.1)
                backwardPackets = 1 + chance(0.1)
                forwardSize = logNormal(40, 0.2)
                backwardSize = logNormal(120, 0.5)
                (syn, ack, fin, psh) = (0, 0, 0, 0)
                window = 0
            } else {
                port = 22
                duration = logNormal(20_000_000, 1.2)
                forwardPackets = max(4, (logNormal(40, 1.0)).rounded())
                backwardPackets = max(4, (logNormal(45, 1.0)).rounded())
                forwardSize = logNormal(70, 0.6)
                backwardSize = logNormal(110, 0.7)
            }
        }
        duration = max(1, duration.rounded())
        forwardPackets = max(1, forwardPackets)
        let forwardBytes = (forwardPackets * forwardSize).rounded()
        let backwardBytes = (backwardPackets * backwardSize).rounded()
        let packets = forwardPackets + backwardPackets
        let seconds = duration / 1_000_000
        let interArrival = duration / max(packets - 1, 1)
        return [
            port, proto, duration, forwardPackets, backwardPackets, forwardBytes, backwardBytes,
            forwardBytes / forwardPackets, backwardPackets > 0 ? backwardBytes / backwardPackets : 0,
            (forwardBytes + backwardBytes) / seconds, packets / seconds,
            interArrival, interArrival * logNormal(0.8, 0.5),
            syn, ack, fin, rst, psh * min(forwardPackets, 1 + (forwardPackets / 3).rounded()),
            window, (backwardPackets / forwardPackets).rounded(.down),
        ]
    }
}
