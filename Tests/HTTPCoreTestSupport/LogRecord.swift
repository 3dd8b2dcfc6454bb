package import HTTPCore
package import Logging

/// A log record kept in memory by `CollectingLogHandler`.
package struct LogRecord: Sendable {
    package let level: Logger.Level
    package let message: String
    package let metadata: Logger.Metadata

    /// Message and every metadata key and value, as one string to search.
    package var text: String { message + " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }

    /// A metadata value as text.
    package subscript(_ key: String) -> String? { metadata[key].map { "\($0)" } }
}

/// Keeps every record in memory, the logger's own metadata merged in, for tests that
/// assert what was logged by value.
package struct CollectingLogHandler: LogHandler {
    package let records: Locked<[LogRecord]>
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .trace
    package var metadataProvider: Logger.MetadataProvider?

    package init(records: Locked<[LogRecord]>) { self.records = records }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        records.withLock { $0.append(LogRecord(level: event.level, message: "\(event.message)", metadata: merged)) }
    }

    /// A logger at trace level whose records go to `records`.
    package static func logger(_ records: Locked<[LogRecord]>) -> Logger {
        Logger(label: "test") { _ in CollectingLogHandler(records: records) }
    }
}
