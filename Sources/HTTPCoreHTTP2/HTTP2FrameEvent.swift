/// A frame (or a frame's effect) on an HTTP/2 connection, for logging at trace level:
/// kinds, stream ids, sizes and error codes, never a header value or a body byte.
/// `HTTP2Connection.Configuration.frameObserver` hears them in the order nghttp2 reports.
public enum HTTP2FrameEvent: Sendable, Equatable, CustomStringConvertible {
    /// HEADERS (with any CONTINUATION): a head, an informational head, or trailers.
    case headersReceived(stream: Int32, trailers: Bool)
    case dataReceived(stream: Int32, bytes: Int)
    case endStreamReceived(stream: Int32)
    case resetReceived(stream: Int32, code: UInt32)
    /// The stream is gone (`code` is the RST_STREAM code, ours or the peer's, or 0).
    case streamClosed(stream: Int32, code: UInt32)
    case goawayReceived(lastStreamID: Int32, code: UInt32)
    case goawaySent(code: UInt32)
    case pingReceived
    case pingAckReceived
    case settingsReceived(maxConcurrentStreams: Int)
    case settingsAcknowledged
    /// Body bytes of `stream` framed into DATA.
    case dataSent(stream: Int32, bytes: Int)
    /// The frame carrying END_STREAM of our side went out.
    case endStreamSent(stream: Int32)
    /// A head or trailers over the header list limit: the stream is reset.
    case headerListTooLarge(stream: Int32)
    case priorityUpdateReceived(stream: Int32)

    public var description: String {
        switch self {
        case .headersReceived(let stream, let trailers): "HEADERS received on \(stream)\(trailers ? " (trailers)" : "")"
        case .dataReceived(let stream, let bytes): "DATA received on \(stream), \(bytes) bytes"
        case .endStreamReceived(let stream): "END_STREAM received on \(stream)"
        case .resetReceived(let stream, let code): "RST_STREAM received on \(stream), code \(code)"
        case .streamClosed(let stream, let code): "stream \(stream) closed, code \(code)"
        case .goawayReceived(let last, let code): "GOAWAY received, last stream \(last), code \(code)"
        case .goawaySent(let code): "GOAWAY sent, code \(code)"
        case .pingReceived: "PING received"
        case .pingAckReceived: "PING ACK received"
        case .settingsReceived(let limit): "SETTINGS received, max concurrent streams \(limit)"
        case .settingsAcknowledged: "SETTINGS ACK received"
        case .dataSent(let stream, let bytes): "DATA sent on \(stream), \(bytes) bytes"
        case .endStreamSent(let stream): "END_STREAM sent on \(stream)"
        case .headerListTooLarge(let stream): "header list too large on \(stream)"
        case .priorityUpdateReceived(let stream): "PRIORITY_UPDATE received for \(stream)"
        }
    }

    init(_ event: NGHTTP2Session.Event) {
        switch event {
        case .headers(let stream, _, let kind): self = .headersReceived(stream: stream, trailers: kind == .trailers)
        case .data(let stream, let bytes): self = .dataReceived(stream: stream, bytes: bytes.count)
        case .endStream(let stream): self = .endStreamReceived(stream: stream)
        case .resetByPeer(let stream, let code): self = .resetReceived(stream: stream, code: code)
        case .closed(let stream, let code): self = .streamClosed(stream: stream, code: code)
        case .goaway(let last, let code, _): self = .goawayReceived(lastStreamID: last, code: code)
        case .pingAck: self = .pingAckReceived
        case .pingReceived: self = .pingReceived
        case .settings(let limit): self = .settingsReceived(maxConcurrentStreams: limit)
        case .settingsAcknowledged: self = .settingsAcknowledged
        case .headerListTooLarge(let stream): self = .headerListTooLarge(stream: stream)
        case .priorityUpdate(let stream, _): self = .priorityUpdateReceived(stream: stream)
        case .goawaySent(let code): self = .goawaySent(code: code)
        case .endStreamSent(let stream): self = .endStreamSent(stream: stream)
        case .bodyFramed(let stream, let count): self = .dataSent(stream: stream, bytes: count)
        }
    }
}
