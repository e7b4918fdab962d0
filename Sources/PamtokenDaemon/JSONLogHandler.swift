import Foundation
public import Logging
import Synchronization

/// One JSON object per line on standard error (`log_format = "json"`), for log shippers:
/// `{"ts":"…","level":"info","msg":"…","label":"…", …metadata}`, keys sorted. Metadata keeps its shape:
/// nested dictionaries stay objects and arrays stay arrays, so a shipper can query `peer.uid` rather
/// than parse a Swift description. Lines are written whole, one at a time, so they never interleave.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// One encoder and one output for every handler: an encoder per line cost more than the line. Both
    /// are used only under this lock (JSONEncoder is not documented as safe to share unlocked).
    private static let output = Mutex((handle: FileHandle.standardError, encoder: Self.makeEncoder()))
    /// RFC 3339 with milliseconds, in UTC; a value type, safe to share.
    private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let object = Self.object(
            for: event, label: label, metadata: metadata.merging(metadataProvider?.get() ?? [:]) { $1 }, date: Date())
        Self.output.withLock { output in
            guard var line = try? output.encoder.encode(object) else { return }
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
    case array([JSONLogValue])
    case object([String: JSONLogValue])

    init(_ value: Logger.Metadata.Value) {
        switch value {
        case .string(let text): self = .string(text)
        case .stringConvertible(let convertible): self = .string(convertible.description)
        case .array(let values): self = .array(values.map(JSONLogValue.init))
        case .dictionary(let values): self = .object(values.mapValues(JSONLogValue.init))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        }
    }
}
