import ArgumentParser
import Foundation
import PamtokenWire
import TokenCore

/// `pamtoken verify`: check a JWT the way a relying party would, against the daemon's published keys.
struct VerifyCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an access token against the daemon's JWKS and print its claims.",
        discussion: """
            Checks the signature (with the key and algorithm the JWKS names for the token's kid), the typ \
            header (at+jwt), iss (the daemon's issuer from its discovery document), aud (one of the daemon's \
            audiences, which discovery lists, or --audience), nbf and exp. Prints \
            the claims as JSON; exits 1 with the reason when the token is invalid. The JWKS is cached next \
            to the session and fetched again when a token names a key it lacks. Verification is offline: a \
            token of a session revoked since it was issued stays valid until it expires.

            Examples:
              pamtoken verify "$TOKEN"
              pamtoken token | pamtoken verify
              pamtoken verify --audience my-service < token.txt
            """)

    @OptionGroup var daemon: DaemonOptions

    @Argument(help: "The token (default: read from standard input).")
    var token: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The audience the token's aud must include (default: the daemon's audiences, from its discovery document).", valueName: "aud"))
    var audience: String?

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        guard let input = token ?? context.console.readAll(limit: 64 * 1024) else { throw CLIError.refused("invalid token: \(TokenError.malformed)") }
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw CLIError.usage("no token given: pass it as an argument or on standard input") }
        guard let jwt = UnverifiedJWT(text), let kid = jwt.header.kid else { throw CLIError.refused("invalid token: \(TokenError.malformed)") }

        // The keys decide what verifies: take them only where nobody else can alter them in transit.
        if case .tcp(let host, _, _) = address, !IPAddress.isLoopback(host: host) {
            throw CLIError.usage("verify takes keys only over the Unix socket or a loopback --url, not from \(address)")
        }
        let api = context.daemon(address)
        let metadata = try await api.metadata()
        let directory = try SessionPaths.directory(environment: context.environment, homeDirectory: context.homeDirectory)
        let cache = KeyCache(api: api, paths: SessionPaths(directory: directory, address: address), now: context.clock.now)
        let keys: VerificationKeys
        switch try await cache.keys(for: kid) {
        case .found(let jwks, let algorithm):
            do {
                keys = try await VerificationKeys.fromJWKS(jwks, algorithm: algorithm)
            } catch {
                throw DaemonClientError(.badResponse, address: address, reason: "the JWKS cannot be read")
            }
        case .unknown(publishesNone: true):
            throw CLIError.refused("cannot verify: pamtokend publishes no public keys (it signs with HS256)")
        case .unknown(publishesNone: false):
            throw CLIError.refused("invalid token: \(TokenError.unknownKey)")
        }

        let audiences = audience.map { [$0] } ?? metadata.pamtokenAudiences ?? ["pamtoken"]
        let verifier = TokenVerifier(issuer: metadata.issuer, audiences: audiences, clock: context.clock) { keys }
        do {
            _ = try await verifier.verify(text)
        } catch {
            throw CLIError.refused("invalid token: \(error)")
        }
        context.print(JSONCoding.pretty(json: jwt.payload) ?? String(decoding: jwt.payload, as: UTF8.self))
    }
}
