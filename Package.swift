// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "oht50d",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "oht50d", targets: ["oht50d"]),
        .executable(name: "oht50-sim", targets: ["oht50-sim"]),
        .executable(name: "rs485-probe", targets: ["rs485-probe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.7.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Hummingbird's TLS is swift-nio-ssl; named here to check a key against its certificate at start.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Tests only: random interleavings of the safety relay's inputs, shrunk to the shortest failing one
        // (issue 29). No dependencies of its own; Swift Testing integration.
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // libgpiod v1 (bookworm's libgpiod.so.2) or v2 (trixie's libgpiod.so.3) behind one small C API,
        // whichever the system has, loaded with dlopen: one build for both releases.
        .target(name: "CGPIOD"),
        .systemLibrary(
            name: "CModbus", pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]),
        // The config file's YAML (issue 30: Debian's libyaml instead of Yams, which needs Foundation and ICU).
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        .target(name: "OHT50Core"),
        .target(
            name: "OHT50IO",
            dependencies: [
                "OHT50Core", "CModbus", "CGPIOD", "CYAML", "CThreadControl",
            ]),
        .target(
            name: "OHT50Runtime",
            dependencies: [
                "OHT50Core", "OHT50IO", "CThreadControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(name: "OHT50Store", dependencies: ["OHT50Core", "CSQLite"]),
        .target(
            name: "OHT50API",
            dependencies: [
                "OHT50Core", "OHT50IO", "OHT50Runtime", "OHT50Store",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .target(name: "CPosixTTY"),
        .target(name: "CThreadControl"),
        // glibc 2.38's __isoc23_strto*, __isoc23_sscanf and strlcpy for bookworm's 2.36: the arm64 build's
        // static Swift runtime (Debian sid's) calls them. Empty against glibc 2.38 or newer.
        .target(name: "CGlibcCompat"),
        .target(name: "OHT50Sim", dependencies: ["OHT50Core", "CPosixTTY"]),
        // The daemon's HTTP client, for the CLI's status/reset/events and the end-to-end tests.
        .target(name: "OHT50Client", dependencies: ["OHT50Core"]),
        // The three commands as libraries, and the programs: `oht50d` is one multi-call binary that runs
        // rs485-probe or oht50-sim when called by that name (the package installs it once, with links);
        // `rs485-probe` and `oht50-sim` also build on their own for `swift run` and their manual pages.
        .target(
            name: "OHT50SimCLI",
            dependencies: ["OHT50Core", "OHT50Sim", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/oht50-sim"),
        .target(
            name: "RS485ProbeCLI",
            dependencies: ["OHT50Core", "OHT50IO", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/rs485-probe"),
        .target(
            name: "OHT50dCLI",
            dependencies: [
                "OHT50Core", "OHT50IO", "OHT50Runtime", "OHT50API", "OHT50Sim", "OHT50Store", "OHT50Client",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTPS on the TCP API (issue 32): swift-nio-ssl's BoringSSL, which the tests' HTTP client
                // already builds; only this target links it.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Sources/oht50d"),
        .executableTarget(
            name: "oht50d", dependencies: ["OHT50Core", "OHT50dCLI", "RS485ProbeCLI", "OHT50SimCLI", "CGlibcCompat"],
            path: "Sources/Programs/oht50d"),
        .executableTarget(name: "rs485-probe", dependencies: ["OHT50Core", "RS485ProbeCLI"], path: "Sources/Programs/rs485-probe"),
        .executableTarget(name: "oht50-sim", dependencies: ["OHT50Core", "OHT50SimCLI"], path: "Sources/Programs/oht50-sim"),

        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .target(
            name: "OHT50TestSupport", dependencies: ["OHT50Client"],
            path: "Tests/OHT50TestSupport"),
        .testTarget(
            name: "OHT50CoreTests", dependencies: ["OHT50Core", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "OHT50IOTests", dependencies: ["OHT50IO", "OHT50Sim", "OHT50TestSupport", "CGlibcCompat"]),
        .testTarget(
            name: "OHT50RuntimeTests",
            dependencies: ["OHT50Runtime", "OHT50IO", "OHT50Sim", "CMallocCounter", "OHT50TestSupport"]),
        .testTarget(
            name: "OHT50APITests",
            dependencies: [
                "OHT50API", "OHT50Runtime", "OHT50IO", "OHT50TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .testTarget(name: "OHT50SimTests", dependencies: ["OHT50Sim", "OHT50Core"]),
        .testTarget(name: "OHT50StoreTests", dependencies: ["OHT50Store", "OHT50TestSupport"]),
        .testTarget(name: "oht50dTests", dependencies: ["OHT50TestSupport", "OHT50Store", "OHT50Core", "OHT50Sim", "OHT50dCLI"]),
    ]
)

// libFuzzer targets (Fuzz/), only when tools/fuzz builds them: OHT50_FUZZ=1 with `--sanitize fuzzer
// --sanitize address -Xswiftc -parse-as-library`. libFuzzer brings their main(); an ordinary build has
// none to give them, so they are not part of it.
if Context.environment["OHT50_FUZZ"] == "1" {
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzRTURequest", ["OHT50Core", "OHT50Sim"]),
        ("FuzzModbusReply", ["OHT50Core", "OHT50IO", "OHT50Sim"]),
        ("FuzzRegisters", ["OHT50Core"]),
        ("FuzzConfigYAML", ["OHT50Core", "OHT50IO"]),
        ("FuzzHTTPBody", ["OHT50API", .product(name: "Hummingbird", package: "hummingbird")]),
        ("FuzzTripReader", ["OHT50Core", "OHT50Store"]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: dependencies, path: "Fuzz/\(name)"))
        package.products.append(.executable(name: name, targets: [name]))
    }
}

// tools/sanitize thread's tests (the lock-free ring, the seqlock, the safety machine, the safety and bus
// loops) are all in OHT50CoreTests and OHT50RuntimeTests. With OHT50_TSAN=1 the manifest keeps only what
// those two need: the ThreadSanitizer build then compiles no HTTP, storage or programs (Hummingbird, NIO,
// BoringSSL: most of that build's time when nothing is cached).
if Context.environment["OHT50_TSAN"] == "1" {
    let kept: Set<String> = [
        "OHT50Core", "OHT50IO", "OHT50Runtime", "OHT50Sim", "OHT50Client", "OHT50TestSupport", "CMallocCounter",
        "CModbus", "CGPIOD", "CYAML", "CPosixTTY", "CThreadControl", "OHT50CoreTests", "OHT50RuntimeTests",
    ]
    package.targets.removeAll { !kept.contains($0.name) }
    package.products.removeAll()
}
