// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tune", targets: ["tune"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System library: Debian's libopenblas-dev, found through pkg-config.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Our own AVX-512 single-precision GEMM micro-kernels, chosen at run time when the CPU
        // has AVX-512 (per-function target attributes, so no special compiler flags).
        .target(name: "CKernels"),
        // Float32 tensors, seeded RNG and kernels; the only user of COpenBLAS.
        .target(name: "Tensor", dependencies: ["COpenBLAS", "CKernels"]),
        // Layers with forward/backward, the CNN+LSTM model, loss, Adam, schedulers, safetensors.
        .target(name: "NN", dependencies: ["Tensor", "FileFormats"]),
        // NPY and flow-record formats, cleaning, scalers, splits, batches, synthetic traffic.
        .target(name: "FlowData", dependencies: ["Tensor", "FileFormats"]),
        // Strict JSON (and YAML) reading with file, line and field in every error (run and search files);
        // formats shared across modules: CSV tables, the safetensors header, benchmark configurations.
        .target(name: "FileFormats", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The trial protocol between the trainer and the search: run and study folder layout, the
        // run file a coordinator writes, the stdout and epochs.jsonl lines with their flat metric
        // names, the exit statuses. Training, Search, Reports and the CLI use it.
        .target(name: "TrialProtocol", dependencies: ["FileFormats"]),
        // Search spaces, samplers, successive halving, studies and their journal (SQLite or
        // PostgreSQL). Does not import NN or Training: a trial is a process.
        .target(name: "Search", dependencies: [
            "FileFormats", "TrialProtocol",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        // Study reports and benchmark tables: Markdown, CSV, SVG plots. Reads studies and run
        // folders; does not import Training or NN.
        .target(name: "Reports", dependencies: ["Search", "FileFormats", "TrialProtocol"]),
        // Training runs, metrics, checkpoints, benchmarks.
        .target(name: "Training", dependencies: ["NN", "FlowData", "Tensor", "FileFormats", "TrialProtocol"]),
        // Live detection: flow records from stdin or a followed file, scored in micro-batches by a
        // trained model, written as EVE-like JSON lines.
        .target(name: "Detection", dependencies: ["Training", "FlowData", "FileFormats"]),
        // The command-line tool: parses arguments and calls into the libraries.
        .executableTarget(
            name: "tune",
            dependencies: [
                "Search", "Reports", "Training", "Detection", "NN", "FlowData", "Tensor", "FileFormats", "TrialProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared helpers for tests: locating fixtures and data, tolerances.
        .target(name: "TestSupport", dependencies: ["Tensor", "FlowData"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "FlowData", "TestSupport"]),
        .testTarget(name: "FlowDataTests", dependencies: ["FlowData", "Tensor", "TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "FileFormats", "TrialProtocol", "TestSupport"]),
        .testTarget(name: "TrialProtocolTests", dependencies: ["TrialProtocol", "FileFormats"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Search", "FileFormats", "TrialProtocol", "TestSupport"]),
        // Runs the release `tune` binary on real data (TUNE_BIN; scripts/test builds it).
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Search", "TrialProtocol"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "NN", "FlowData", "Tensor", "FileFormats", "TrialProtocol", "TestSupport"]),
    ]
)
