public import HTTPCore

/// The URL to request: `http://` or `https://`, a host, optional port and path. A URL
/// without a scheme gets `http://`, as in curl and httpie.
public struct TargetURL: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let origin: Origin

    public init(_ argument: String) throws(HXFailure) {
        guard !argument.isEmpty else { throw HXFailure(.usage, "the URL is empty") }
        let text = argument.contains("://") ? argument : "http://" + argument
        let scheme = text.prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw HXFailure(.usage, "URL \(argument.debugDescription): only http:// and https:// are supported")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw HXFailure(.usage, "URL \(argument.debugDescription) contains spaces or control characters")
        }
        guard let origin = Origin(text), !origin.host.isEmpty, origin.port > 0 else {
            throw HXFailure(.usage, "URL \(argument.debugDescription) is malformed: it needs http(s)://host[:port][/path]")
        }
        self.text = text
        self.origin = origin
    }

    public var isHTTPS: Bool { origin.scheme == "https" }

    public var description: String { text }
}
