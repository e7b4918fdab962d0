import Foundation
public import Logging
import Synchronization
import TokenCore

/// One logfmt line per event on standard error (`log_format = "text"`, the default):
/// `time=… level=info msg="login" user=alice session=…` — readable by people and parsed as it stands
/// by Loki, Vector, Grafana and `lnav`. Under systemd's journal the line starts with its sd-daemon(3)
/// priority (`<6>`) instead of a time, which journald records itself.
///
/// swift-log's `StreamLogHandler` prints metadata unquoted (`user=Alice Liddell` is two fields to a
/// logfmt reader) and knows nothing of priorities; no maintained package here writes logfmt.
public struct LogfmtLogHandler: LogHandler {
    /// The least severe level written (`log_level`).
    public var logLevel: Logger.Level = .info
    /// Fields added to every line of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Fields from the task's context (swift-log's metadata providers).
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let journal: Bool

    private static let output = Mutex(FileHandle.standardError)
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// - Parameter journal: write priorities rather than times (``JournalStream/isStandardError``).
    public init(label: String, journal: Bool = JournalStream.isStandardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.journal = journal
        self.metadataProvider = metadataProvider
    }

    /// One field of ``metadata``.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one whole line, never interleaved with another.
    public func log(event: LogEvent) {
        let fields = metadata.merging(metadataProvider?.get() ?? [:]) { $1 }.merging(event.metadata ?? [:]) { $1 }
        let line = Self.line(for: event, label: label, metadata: fields, date: journal ? nil : Date()) + "\n"
        Self.output.withLock { $0.write(Data(line.utf8)) }
    }

    /// The line of one event: the time (or the journal priority when `date` is nil), level, message and
    /// label, then the metadata sorted by key. Fixed keys win over metadata of the same name.
    static func line(for event: LogEvent, label: String, metadata: Logger.Metadata, date: Date?) -> String {
        var parts: [String] = []
        if let date { parts.append("time=" + date.formatted(timestamp)) }
        parts.append("level=" + event.level.rawValue)
        parts.append("msg=" + quoted(event.message.description))
        parts.append("label=" + quoted(label))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !["time", "level", "msg", "label"].contains(key) {
            parts.append(Self.key(key) + "=" + quoted(text(value)))
        }
        let line = parts.joined(separator: " ")
        return date == nil ? JournalStream.prefix(event.level) + line : line
    }

    /// A value in logfmt: bare when it is one plain word, else in double quotes with `"`, `\` and
    /// control characters escaped, so that every line stays one line and one set of fields.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        return plain ? value : QuotedString.quote(value)
    }

    /// Keys are ours and plain already; anything else is made plain rather than quoted.
    private static func key(_ key: String) -> String {
        String(key.unicodeScalars.map { $0.value > 0x20 && $0.value < 0x7F && $0 != "=" && $0 != "\"" ? Character($0) : "_" })
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array, .dictionary: value.description
        }
    }
}
