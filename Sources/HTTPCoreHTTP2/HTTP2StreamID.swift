/// An HTTP/2 stream of a connection, as the stream API names it (aioh2's `stream_id`).
/// Odd for streams the client opens, even for none (push is off).
public struct HTTP2StreamID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    public var description: String { "stream \(rawValue)" }
}
