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

    @Test("numbers given as numbers stay numbers")
    func numbers() throws {
        let line = try Self.line(["retry_after": .stringConvertible(5), "duration_ms": .stringConvertible(0.25), "status": "200"])
        #expect(line["retry_after"] as? Int == 5)
        #expect(line["duration_ms"] as? Double == 0.25)
        #expect(line["status"] as? String == "200", "text stays text")
    }
}

/// The text log line: logfmt, one line per event whatever the values, priorities under the journal.
@Suite("logfmt log lines")
struct LogfmtLogHandlerTests {
    static func event(_ level: Logger.Level = .warning, _ message: Logger.Message = "login failed") -> LogEvent {
        LogEvent(level: level, message: message, metadata: nil, source: "test", file: #fileID, function: #function, line: #line)
    }

    @Test("fields are key=value, values with spaces, quotes or newlines quoted and escaped, keys sorted")
    func quoting() {
        let line = LogfmtLogHandler.line(
            for: Self.event(), label: "pamtokend",
            metadata: ["user": "Alice Liddell", "peer": "uid 1000 pid 7", "reason": "a \"b\"\nc", "session": "abc", "empty": ""],
            date: Date(timeIntervalSince1970: 1_800_000_000.25))
        #expect(
            line
                == #"time=2027-01-15T08:00:00.250Z level=warning msg="login failed" label=pamtokend empty="" peer="uid 1000 pid 7" reason="a \"b\"\nc" session=abc user="Alice Liddell""#
        )
        #expect(!line.contains("\n"))
    }

    @Test("under the journal a line starts with its sd-daemon priority and has no time")
    func journal() {
        let expected: [(Logger.Level, String)] = [
            (.debug, "<7>"), (.info, "<6>"), (.notice, "<5>"), (.warning, "<4>"), (.error, "<3>"), (.critical, "<2>"),
        ]
        for (level, prefix) in expected {
            let line = LogfmtLogHandler.line(for: Self.event(level, "x"), label: "pamtokend", metadata: [:], date: nil)
            #expect(line == "\(prefix)level=\(level.rawValue) msg=x label=pamtokend")
        }
    }
}
