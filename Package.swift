// swift-tools-version: 6.1
import PackageDescription

// Dependency directions are fixed (see shared/STYLE.md and docs/architecture.md):
//   vigil -> Director -> {Config, Control, HA, IPVS, HealthCheck, Alerts} -> Vocabulary;  Control -> {HA, IPVS, HealthCheck};
//   IPVS -> CGenl; HA -> CNFTables (libnftables, for no_accept's drop rules), Crypto (AH's HMAC-MD5);
//   {Config, HealthCheck} -> RegexMatch -> CPCRE2 (libpcre2-8: url { regex }, compiled and checked by Config,
//   matched over the body by HealthCheck).
// Alerts (the SMTP client and the alert queue) imports no other Vigil module: the Director says what to mail.
// HA, IPVS and HealthCheck never import each other or Config. Vocabulary is the leaf every module may import:
// one IP address type, one monotonic instant, one script command and its runner.
// CLinux is a header-only shim for Linux socket/netlink definitions that the
// Glibc overlay does not expose (sockaddr_ll, rtnetlink macros, epoll); HA and
// HealthCheck may use it. Only IPVS imports CGenl.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Without the ConfigurationSupport trait: swift-configuration is not needed and costs build time.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already in the graph through Hummingbird; `vigil run` is one ServiceGroup.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGenl",
            pkgConfig: "libnl-genl-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-genl-3-dev"])]
        ),
        // libnftables: the no_accept / vrrp_strict drop rules for VIPs, as keepalived keeps them in nftables.
        .systemLibrary(
            name: "CNFTables",
            pkgConfig: "libnftables",
            providers: [.apt(["libnftables-dev"])]
        ),
        // libpcre2-8: url { regex } of HTTP_GET and SSL_GET. Only RegexMatch imports it.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "CLinux"),
        // A compiled PCRE2 pattern and its streaming matcher over a body that arrives in pieces.
        .target(name: "RegexMatch", dependencies: ["CPCRE2"], swiftSettings: strict),
        .target(name: "Vocabulary", swiftSettings: strict),
        .target(name: "Config", dependencies: ["Vocabulary", "RegexMatch"], swiftSettings: strict),
        // BFD (RFC 5880/5881) for keepalived's `bfd_instance`: the session as a value, UDP sockets in an actor.
        .target(
            name: "BFD",
            dependencies: ["Vocabulary", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "HA",
            dependencies: [
                "CLinux", "CNFTables", "Vocabulary",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                // HMAC-MD5-96 of `auth_type AH`.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IPVS",
            dependencies: ["CGenl", "Vocabulary", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "HealthCheck",
            dependencies: [
                "CLinux", "Vocabulary", "RegexMatch",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // E-mail alerts: a sans-IO SMTP client, the message format, a bounded queue and a socket adapter.
        .target(
            name: "Alerts",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Status, metrics, dashboard, the control endpoint and systemd notification: what an operator sees.
        .target(
            name: "Control",
            dependencies: [
                "Vocabulary", "HA", "IPVS", "HealthCheck",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Director",
            dependencies: [
                "Vocabulary", "Config", "HA", "IPVS", "HealthCheck", "Control", "Alerts", "RegexMatch", "BFD",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "vigil",
            dependencies: [
                "Director",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Unit tier: `swift test` — no root, no network, no sleeps.
        // Test-only literals (`"10.0.0.1"` as an IPAddress …), shared by the test targets.
        .target(name: "TestSupport", dependencies: ["Vocabulary"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"], swiftSettings: strict),
        .testTarget(name: "RegexMatchTests", dependencies: ["RegexMatch"], swiftSettings: strict),
        .testTarget(name: "ConfigTests", dependencies: ["Vocabulary", "TestSupport", "Config", "RegexMatch"], swiftSettings: strict),
        .testTarget(name: "HATests", dependencies: ["Vocabulary", "TestSupport", "HA"], swiftSettings: strict),
        .testTarget(name: "BFDTests", dependencies: ["Vocabulary", "BFD"], swiftSettings: strict),
        .testTarget(name: "IPVSTests", dependencies: ["Vocabulary", "TestSupport", "IPVS"], swiftSettings: strict),
        .testTarget(name: "HealthCheckTests", dependencies: ["Vocabulary", "TestSupport", "HealthCheck", "RegexMatch"], swiftSettings: strict),
        .testTarget(name: "ControlTests", dependencies: ["Vocabulary", "TestSupport", "Control"], swiftSettings: strict),
        .testTarget(name: "DirectorTests", dependencies: ["Vocabulary", "TestSupport", "Director", "Alerts", "RegexMatch"], swiftSettings: strict),
        .testTarget(name: "AlertsTests", dependencies: ["Alerts"], swiftSettings: strict),
        // Integration tiers. Their tests are enabled only when VIGIL_TIER names
        // the tier (`make test-host`, `make test-vm` set it); under that tier a
        // missing prerequisite is a failure with a message, never a skip.
        .testTarget(name: "HAIntegrationTests", dependencies: ["Vocabulary", "TestSupport", "HA", "Director"], swiftSettings: strict),
        .testTarget(name: "HealthCheckIntegrationTests", dependencies: ["Vocabulary", "TestSupport", "HealthCheck", "Director", "Config"], swiftSettings: strict),
        .testTarget(name: "IPVSKernelTests", dependencies: ["Vocabulary", "TestSupport", "IPVS", "Director"], swiftSettings: strict),
    ]
)
