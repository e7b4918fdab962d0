// swift-tools-version:6.2
// pamtoken — a Linux login token agent: PAM → JWT access tokens + rotating refresh tokens.

import PackageDescription

/// The same upcoming features Hummingbird and jwt-kit build with: explicit existentials, imports that
/// are visible only where they are written, and internal-by-default imports so that no dependency
/// leaks through a public API by accident.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "pamtoken",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pamtokend", targets: ["pamtokend"]),
        .executable(name: "pamtoken", targets: ["pamtoken"]),
        .executable(name: "pamtoken-pamcheck", targets: ["pamtoken-pamcheck"]),
        // For Swift services: verify pamtoken access tokens offline; Hummingbird middleware.
        .library(name: "PAMTokenAuth", targets: ["PAMTokenAuth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        // The only C in the project: libpam's headers and a few inline helpers.
        // pkgConfig: SwiftPM then names the package to install when pam.pc (libpam0g-dev) is missing.
        .systemLibrary(
            name: "CPAM",
            pkgConfig: "pam",
            providers: [.apt(["libpam0g-dev"])]
        ),
        // The Swift face of PAM. The only module that imports CPAM.
        .target(
            name: "LinuxPAM",
            dependencies: [
                "CPAM",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The commit and dependency versions of the build, for `--version --verbose`: a leaf module whose
        // BuildInfo.swift the plugin writes at build time, so that a new commit rebuilds nothing else.
        .target(
            name: "PamtokenBuild",
            swiftSettings: swiftSettings,
            plugins: ["BuildInfoPlugin"]
        ),
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Plugins/BuildInfoPlugin"),
        // The domain: claims, keys and the JWKS, issuing and verifying tokens, refresh-token secrets, time.
        .target(
            name: "TokenCore",
            dependencies: [
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Sessions and refresh tokens in SQLite through GRDB.
        .target(
            name: "TokenStore",
            dependencies: [
                "TokenCore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The same session store in PostgreSQL, for a fleet of hosts sharing one issuer (docs/fleet.md).
        .target(
            name: "PostgresStore",
            dependencies: [
                "TokenCore",
                "TokenStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The daemon's settings: defaults, TOML file, PAMTOKEN_* environment, flags.
        .target(
            name: "DaemonConfig",
            dependencies: [
                "TokenCore",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings
        ),
        // The relying-party library: a JWKS-caching verifier and a Hummingbird middleware.
        .target(
            name: "PAMTokenAuth",
            dependencies: [
                "PamtokenWire",
                "TokenCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // An example relying party: a service that says who called it.
        .executableTarget(
            name: "pamtoken-example-whoami",
            dependencies: [
                "PAMTokenAuth",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/whoami",
            swiftSettings: swiftSettings
        ),
        // The JSON the daemon and its clients exchange, as Codable types: one definition for the server,
        // the CLI, PAMTokenAuth and the benchmark. No dependencies.
        .target(
            name: "PamtokenWire",
            swiftSettings: swiftSettings
        ),
        // Form and JSON request bodies into OAuth parameters: untrusted bytes, so a module of its own
        // that the fuzzer links without the server.
        .target(
            name: "OAuthBody",
            swiftSettings: swiftSettings
        ),
        // The domain rules: grants, throttling, PAM admission, account checks, sessions, admin operations,
        // garbage collection, metrics. Knows nothing of HTTP; fails with its own typed errors.
        .target(
            name: "TokenAuthority",
            dependencies: [
                "PamtokenWire",
                "TokenCore",
                "TokenStore",
                "LinuxPAM",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP only: Hummingbird routes, middleware, listeners, and the one place where domain failures
        // become RFC 6749/6750 responses. Never imports LinuxPAM, CPAM, TOMLKit or DaemonConfig.
        .target(
            name: "TokenServer",
            dependencies: [
                "OAuthBody",
                "PamtokenWire",
                "TokenCore",
                "TokenStore",
                "TokenAuthority",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // docs/openapi.yaml (through a link), compiled in: the daemon never reads it at run time.
            resources: [.embedInCode("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        // The daemon put together: buildServices(configuration:), systemd notify and socket activation,
        // idle exit, the garbage-collection service, log handlers.
        .target(
            name: "PamtokenDaemon",
            dependencies: [
                "TokenServer",
                "TokenAuthority",
                "TokenCore",
                "TokenStore",
                "PostgresStore",
                "LinuxPAM",
                "DaemonConfig",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pamtokend",
            dependencies: [
                "PamtokenDaemon",
                "PamtokenBuild",
                "LinuxPAM",
                "DaemonConfig",
                "TokenCore",
                "TokenStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The CLI's commands, client and session files, as a library so tests drive them with injected I/O.
        .target(
            name: "PamtokenCLI",
            dependencies: [
                "PamtokenBuild",
                "PamtokenWire",
                "TokenCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "pamtoken",
            dependencies: [
                "PamtokenCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Asks PAM about one user from the command line: an admin's diagnostic and the tests' way to
        // run PAM under pam_wrapper (which must be preloaded into a fresh process).
        .executableTarget(
            name: "pamtoken-pamcheck",
            dependencies: [
                "LinuxPAM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The load generator and in-process limits of scripts/bench. Built with everything
        // else so that it cannot rot; run from a release build.
        .executableTarget(
            name: "pamtoken-bench",
            dependencies: [
                "PamtokenWire",
                "TestSupport",
                "TokenCore",
                "TokenStore",
                "LinuxPAM",
                "PamtokenCLI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/pamtoken-bench",
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets that start daemons (test targets cannot import each other).
        .target(
            name: "TestSupport",
            dependencies: ["TokenCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenServerTests",
            dependencies: [
                "TestSupport",
                "PamtokenWire",
                "TokenServer",
                "TokenAuthority",
                "PamtokenDaemon",
                "OAuthBody",
                "TokenCore",
                "TokenStore",
                "LinuxPAM",
                "DaemonConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PamtokenCLITests",
            dependencies: [
                "TestSupport",
                "PamtokenWire",
                "PamtokenCLI",
                "TokenCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PAMTokenAuthTests",
            dependencies: [
                "TestSupport",
                "PAMTokenAuth",
                "TokenCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DaemonConfigTests",
            dependencies: ["DaemonConfig", "TokenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LinuxPAMTests",
            dependencies: ["LinuxPAM", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenCoreTests",
            dependencies: [
                "TestSupport",
                "TokenCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TokenStoreTests",
            dependencies: [
                "TestSupport",
                "TokenStore",
                "PostgresStore",
                "TokenAuthority",
                "TokenCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// libFuzzer targets, in the manifest only when PAMTOKEN_FUZZ is set: their `main` calls
// libFuzzer's driver, so they link only in a `-sanitize=fuzzer` build, which `scripts/fuzz` makes.
if Context.environment["PAMTOKEN_FUZZ"] != nil {
    package.targets.append(.systemLibrary(name: "CFuzzer", path: "Fuzz/CFuzzer"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Fuzz/Support", swiftSettings: swiftSettings))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-body", ["OAuthBody"]),
        ("fuzz-token", ["TokenCore", "TestSupport"]),
        ("fuzz-config", ["DaemonConfig"]),
        ("fuzz-authorize", ["OAuthBody"]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name,
                dependencies: target.dependencies + ["FuzzSupport"],
                path: "Fuzz/Targets/\(target.name)",
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
            ))
        package.products.append(.executable(name: target.name, targets: [target.name]))
    }
}
