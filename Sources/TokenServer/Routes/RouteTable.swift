import HTTPTypes
import Hummingbird
import Synchronization

/// Registers routes on the router and remembers which methods each path accepts, so that a request
/// with the wrong method gets 405 with an `Allow` header (docs/api.md#routes) instead of Hummingbird's 404.
struct RouteTable: Sendable {
    private(set) var methods: [String: [HTTPRequest.Method]] = [:]

    init() {}

    mutating func add(
        _ method: HTTPRequest.Method, _ path: String, on router: Router<TokenRequestContext>,
        _ handler: @escaping @Sendable (Request, TokenRequestContext) async throws -> Response
    ) {
        methods[path, default: []].append(method)
        router.on(RouterPath(path), method: method, use: handler)
        if method == .get {
            // RFC 9110 §9.3.2: HEAD is GET without the body, which health checkers and proxies rely on.
            // Not listed in `methods`: the documents list GET routes, and HEAD comes with each.
            router.on(RouterPath(path), method: .head) { request, context in
                var response = try await handler(request, context)
                // The GET's length, with nothing written: NIO's encoder sends no body after HEAD's head.
                response.body = ResponseBody(contentLength: response.body.contentLength) { _ in }
                return response
            }
        }
    }

    /// The methods allowed on a concrete path, or nil when no route has that path.
    func allowedMethods(for path: String) -> [HTTPRequest.Method]? {
        allowedGETAndOthers(for: path).map { $0.contains(.get) ? $0 + [.head] : $0 }
    }

    private func allowedGETAndOthers(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for (pattern, methods) in self.methods {
            let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: true)
            guard patternSegments.count == segments.count else { continue }
            if zip(patternSegments, segments).allSatisfy({ $0.first == "{" || $0 == $1 }) {
                return methods
            }
        }
        return nil
    }
}

/// The route table, filled after the middleware that consults it has been installed (Hummingbird
/// applies middleware only to routes added after it).
final class RouteTableBox: Sendable {
    private let table = Mutex(RouteTable())

    func set(_ table: RouteTable) {
        self.table.withLock { $0 = table }
    }

    func allowedMethods(for path: String) -> [HTTPRequest.Method]? {
        table.withLock { $0.allowedMethods(for: path) }
    }
}
