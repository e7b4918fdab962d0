import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import TokenServer
import TokenAuthority

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

    @Test("/openapi.yaml answers other methods with 405 and Allow: GET")
    func otherMethods() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/openapi.yaml", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET")
        }
    }
}
