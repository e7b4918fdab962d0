import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TokenAuthority
import TokenCore

@testable import TokenServer

@Suite("OpenAPI document")
struct OpenAPITests {
    /// docs/openapi.yaml, found from this file's place in the repository (Tests/TokenServerTests/…).
    static let documentURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml")

    @Test("the embedded document equals docs/openapi.yaml byte for byte")
    func embeddedCopyMatchesTheFile() throws {
        let file = try Data(contentsOf: Self.documentURL)
        #expect(Data(PackageResources.openapi_yaml) == file)
    }

    @Test("GET /openapi.yaml serves the document as application/yaml")
    func served() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let file = try Data(contentsOf: Self.documentURL)
        try await fixture.test { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            #expect(Data(response.body.readableBytesView) == file)
            #expect(response.text.hasPrefix("openapi: 3.1"))
        }
    }

    @Test("/openapi.yaml answers other methods with 405 and Allow: GET, HEAD")
    func otherMethods() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET, HEAD")
        }
    }
}

/// The router, docs/openapi.yaml and docs/api.md list the same routes: a route added in one place and
/// forgotten in another fails here.
@Suite("Route list: router, OpenAPI document and API reference agree")
struct RouteListTests {
    static let repository = OpenAPITests.documentURL.deletingLastPathComponent().deletingLastPathComponent()

    /// `METHOD /path` of every operation in docs/openapi.yaml (paths at two spaces, methods at four).
    static func openAPIRoutes() throws -> Set<String> {
        let text = try String(contentsOf: OpenAPITests.documentURL, encoding: .utf8)
        var routes = Set<String>()
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method) { routes.insert("\(method) \(path)") }
            }
        }
        return routes
    }

    /// `METHOD /path` of every table row of docs/api.md that starts with one in backticks.
    static func referenceRoutes() throws -> Set<String> {
        let text = try String(contentsOf: repository.appendingPathComponent("docs/api.md"), encoding: .utf8)
        var routes = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(3).prefix { $0 != "`" }
            let parts = cell.split(separator: " ")
            if parts.count == 2, parts[0].allSatisfy(\.isUppercase), parts[1].hasPrefix("/") { routes.insert(String(cell)) }
        }
        return routes
    }

    @Test("every route of the router is in docs/openapi.yaml and docs/api.md, and nothing else is")
    func sameRoutes() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let served = Set(fixture.server.routeList.map { "\($0.method) \($0.path)" })
        #expect(served.count >= 20)
        #expect(served == (try Self.openAPIRoutes()), "router vs docs/openapi.yaml")
        #expect(served == (try Self.referenceRoutes()), "router vs docs/api.md")
    }

    @Test("the OpenAPI document's version is the one version of pamtoken")
    func version() throws {
        let text = try String(contentsOf: OpenAPITests.documentURL, encoding: .utf8)
        #expect(text.contains("\n  version: \(PamtokenVersion.string)\n"))
    }
}
