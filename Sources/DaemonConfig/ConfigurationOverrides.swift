/// Settings given on `pamtokend`'s command line (docs/configuration.md), which win over every other source.
///
/// Each property mirrors one flag and is `nil` when the flag was not given. Values are passed raw, as
/// typed by the user, and are parsed and validated by ``ConfigurationLoader`` so that errors name the
/// flag (`--listen: …`). An empty array counts as "not given", because that is what a repeatable
/// option yields when absent.
public struct ConfigurationOverrides: Sendable, Equatable {
    /// `--listen ADDR` (repeatable): `unix:/path` or `tcp:HOST:PORT`.
    public var listen: [String]?
    /// `--state-dir DIR`.
    public var stateDirectory: String?
    /// `--pam-service NAME`.
    public var pamService: String?
    /// `--issuer URL`.
    public var issuer: String?
    /// `--audience AUD` (repeatable).
    public var audiences: [String]?
    /// `--access-ttl SECONDS`.
    public var accessTTL: Int?
    /// `--refresh-ttl SECONDS`.
    public var refreshTTL: Int?
    /// `--session-max-age SECONDS`.
    public var sessionMaxAge: Int?
    /// `--signing-alg ES256|EdDSA|RS256|HS256` (any letter case).
    public var signingAlgorithm: String?
    /// `--reuse-grace SECONDS`.
    public var reuseGrace: Int?
    /// `--idle-exit SECONDS`.
    public var idleExit: Int?
    /// `--log-level LEVEL`.
    public var logLevel: String?
    /// `--log-format text|json`.
    public var logFormat: String?

    public init(
        listen: [String]? = nil,
        stateDirectory: String? = nil,
        pamService: String? = nil,
        issuer: String? = nil,
        audiences: [String]? = nil,
        accessTTL: Int? = nil,
        refreshTTL: Int? = nil,
        sessionMaxAge: Int? = nil,
        signingAlgorithm: String? = nil,
        reuseGrace: Int? = nil,
        idleExit: Int? = nil,
        logLevel: String? = nil,
        logFormat: String? = nil
    ) {
        self.listen = listen
        self.stateDirectory = stateDirectory
        self.pamService = pamService
        self.issuer = issuer
        self.audiences = audiences
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.sessionMaxAge = sessionMaxAge
        self.signingAlgorithm = signingAlgorithm
        self.reuseGrace = reuseGrace
        self.idleExit = idleExit
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// The given flags as raw settings, in the documented key order.
    var settings: [(ConfigurationKey, RawSetting)] {
        var result: [(ConfigurationKey, RawSetting)] = []
        func add(_ key: ConfigurationKey, _ raw: RawSetting?) {
            if let raw { result.append((key, raw)) }
        }
        add(.listen, listen.flatMap { $0.isEmpty ? nil : .texts($0) })
        add(.stateDir, stateDirectory.map(RawSetting.text))
        add(.pamService, pamService.map(RawSetting.text))
        add(.issuer, issuer.map(RawSetting.text))
        add(.audience, audiences.flatMap { $0.isEmpty ? nil : .texts($0) })
        add(.accessTTL, accessTTL.map(RawSetting.integer))
        add(.refreshTTL, refreshTTL.map(RawSetting.integer))
        add(.sessionMaxAge, sessionMaxAge.map(RawSetting.integer))
        add(.reuseGrace, reuseGrace.map(RawSetting.integer))
        add(.signingAlg, signingAlgorithm.map(RawSetting.text))
        add(.idleExit, idleExit.map(RawSetting.integer))
        add(.logLevel, logLevel.map(RawSetting.text))
        add(.logFormat, logFormat.map(RawSetting.text))
        return result
    }
}
