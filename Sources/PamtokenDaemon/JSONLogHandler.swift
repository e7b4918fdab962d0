import Foundation
public import Logging
import Synchronization

/// One JSON object per line on standard error (`log_format = "json"`), for log shippers:
/// `{"ts":"…","level":"info","msg":"…","label":"…", …metadata}`, keys sorted. Metadata keeps its shape:
/// nested dictionaries stay objects and arrays stay arrays, so a shipper can query `peer.uid` rather
/// than parse a Swift description, and numbers given as numbers (`.stringConvertible(42)`) stay
/// numbers. Lines are written whole, one at a time, so they never interleave. Under systemd's journal
/// each line starts with its sd-daemon(3) priority (`<4>{…}`), which journald strips and files.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let journal: Bool

    /// One encoder and one output for every handler: an encoder per line cost more than the line. Both
    /// are used only under this lock (JSONEncoder is not documented as safe to share unlocked).
    private static let output = Mutex((handle: FileHandle.standardError, encoder: Self.makeEncoder()))
    /// RFC 3339 with milliseconds, in UTC; a value type, safe to share.
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// - Parameter journal: start each line with its priority (``JournalStream/isStandardError``).
    public init(label: String, journal: Bool = JournalStream.isStandardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.journal = journal
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let object = Self.object(
            for: event, label: label, metadata: metadata.merging(metadataProvider?.get() ?? [:]) { $1 }, date: Date())
        let prefix = journal ? Array(JournalStream.prefix(event.level).utf8) : []
        Self.output.withLock { output in
            guard let json = try? output.encoder.encode(object) else { return }
            var line = Data(prefix) + json
            line.append(UInt8(ascii: "\n"))
            output.handle.write(line)
        }
    }

    /// The JSON object of one line: the handler's metadata, then the event's (which wins), then the
    /// four fixed keys (which win over any metadata of the same name).
    static func object(for event: LogEvent, label: String, metadata: Logger.Metadata, date: Date) -> JSONLogValue {
        var object: [String: JSONLogValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { object[key] = JSONLogValue(value) }
        object["ts"] = .string(date.formatted(timestamp))
        object["level"] = .string(event.level.rawValue)
        object["msg"] = .string(event.message.description)
        object["label"] = .string(label)
        return .object(object)
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// A metadata value as JSON, keeping its structure.
enum JSONLogValue: Encodable, Equatable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case array([JSONLogValue])
    case object([String: JSONLogValue])

    init(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text): self = .string(text)
        case .stringConvertible(let convertible):
            switch convertible {
            case let value as any BinaryInteger: self = Int64(exactly: value).map(JSONLogValue.integer) ?? .string(convertible.description)
            case let value as Double where value.isFinite: self = .number(value)
            case let value as Bool: self = .boolean(value)
            default: self = .string(convertible.description)
            }
        case .array(let values): self = .array(values.map(JSONLogValue.init))
        case .dictionary(let values): self = .object(values.mapValues(JSONLogValue.init))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .boolean(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        }
    }
}
