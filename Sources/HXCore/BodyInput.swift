public import HTTPCoreClient

/// Where one body argument's bytes come from, as curl spells it: `@-` is stdin, `@path`
/// a file, anything else the text itself.
public enum BodyInput: Sendable, Hashable {
    case text(String)
    case file(String)
    case stdin

    public init(argument: String) {
        if argument == "@-" {
            self = .stdin
        } else if argument.hasPrefix("@") {
            self = .file(String(argument.dropFirst()))
        } else {
            self = .text(argument)
        }
    }

    /// Fails now, as a usage error, if the file is missing or unreadable, so a bad path is
    /// reported before any connection is made.
    public func check() throws(HXFailure) {
        if case .file(let path) = self {
            guard !path.isEmpty else { throw HXFailure(.usage, "'@' must be followed by a file name (or '-' for stdin)") }
            _ = try StandardIO.regularFileSize(path)
        }
    }

    /// The bytes in memory (stdin read to its end).
    public func bytes(stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> [UInt8] {
        switch self {
        case .text(let text): Array(text.utf8)
        case .file(let path): try StandardIO.readFile(path)
        case .stdin: try stdin()
        }
    }

    /// A request body: a regular file streams from disk with its length known; text, stdin
    /// and other files (pipes, devices) are read into memory first.
    public func body(stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> HTTPClient.Body {
        if case .file(let path) = self, try StandardIO.regularFileSize(path) != nil { return .file(path) }
        return .bytes(try bytes(stdin: stdin))
    }
}
