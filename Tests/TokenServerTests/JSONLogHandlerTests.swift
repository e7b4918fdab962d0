import Foundation
import Logging
import Testing

@testable import PamtokenDaemon

/// The JSON log line: valid JSON, nested metadata kept as objects and arrays, RFC 3339 milliseconds.
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    static func line(_ metadata: Logger.Metadata, event: Logger.Metadata? = nil) throws -> [String: Any] {
        let event = LogEvent(
            level: .notice, message: "login", metadata: event, source: "test", file: #fileID, function: #function, line: #line)
        let object = JSONLogHandler.object(for: event, label: "pamtokend", metadata: metadata, date: Date(timeIntervalSince1970: 1_800_000_000.25))
        let data = try JSONLogHandler.makeEncoder().encode(object)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("fixed keys, with the time in RFC 3339 with milliseconds, UTC")
    func fixedKeys() throws {
        let line = try Self.line([:])
        #expect(line["ts"] as? String == "2027-01-15T08:00:00.250Z")
        #expect(line["level"] as? String == "notice")
        #expect(line["msg"] as? String == "login")
        #expect(line["label"] as? String == "pamtokend")
    }

    @Test("nested metadata stays structured; the event's metadata wins over the handler's; fixed keys win over both")
    func structure() throws {
        let line = try Self.line(
            ["peer": ["uid": "1000", "pid": "42"], "groups": ["wheel", "users"], "user": "alice", "msg": "spoof"],
            event: ["user": "bob"])
        #expect((line["peer"] as? [String: String]) == ["uid": "1000", "pid": "42"])
        #expect((line["groups"] as? [String]) == ["wheel", "users"])
        #expect(line["user"] as? String == "bob")
        #expect(line["msg"] as? String == "login")
    }
}
