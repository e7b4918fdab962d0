import ArgumentParser
import Hummingbird
import PAMTokenAuth

/// A complete local service protected by pamtoken, in a dozen lines that matter: `GET /whoami`
/// answers with the Linux user behind the Bearer token.
///
///     pamtoken-example-whoami --port 8080 --socket /run/pamtoken/pamtoken.sock
///     curl -H "Authorization: Bearer $(pamtoken token)" http://127.0.0.1:8080/whoami
@main
struct WhoAmI: AsyncParsableCommand {
    @Option(help: "The pamtokend Unix socket to fetch keys from.")
    var socket = "/run/pamtoken/pamtoken.sock"

    @Option(help: "Fetch keys from this URL instead (e.g. http://127.0.0.1:8719).")
    var daemonURL: String?

    @Option(help: "Port to listen on (loopback).")
    var port = 8080

    @Option(help: "Only members of this group may call.")
    var group: String?

    func run() async throws {
        let source = DaemonKeySetSource(address: daemonURL.map { .url($0) } ?? .unixSocket(socket))
        let router = Router(context: WhoAmIContext.self)
        router.add(middleware: PAMTokenMiddleware(verifier: PAMTokenVerifier(source: source), requiredGroup: group))
        router.get("/whoami") { _, context -> String in
            let identity = context.identity!
            return "\(identity.user) uid=\(identity.uid) groups=\(identity.groups.joined(separator: ","))\n"
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

/// The request context: Hummingbird's basics plus the identity the middleware fills in.
struct WhoAmIContext: PAMTokenRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: PAMTokenIdentity?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
