import HTTPCore
import HTTPTypes

/// Feeds a `ResponseBody` from the connection: each `nextPart` reads only as much as the
/// consumer asks for, so the socket applies backpressure to the server. A streamed request
/// body may still be uploading beside it; an upload failure surfaces from the next read.
final class HTTP1ResponseBodySource: ResponseBodySource {
    private let connection: HTTP1Connection
    private let exchange: HTTP1Exchange

    init(connection: HTTP1Connection, exchange: HTTP1Exchange) {
        self.connection = connection
        self.exchange = exchange
    }

    func nextPart() async throws -> ResponseBodyPart {
        do {
            try Task.checkCancellation()
            while true {
                switch try await connection.nextEvent(exchange) {
                case .body(let bytes):
                    return .data(bytes)
                case .trailers(let fields):
                    exchange.trailers = fields
                case .end(let close):
                    await connection.finish(exchange, close: close)
                    return .end(exchange.trailers)
                case .informational, .head, .readMore, .awaitUpload:
                    throw HTTPCoreError(.malformedResponse, "a second head inside a body")
                }
            }
        } catch {
            throw await connection.fail(exchange, error)
        }
    }

    func release() { connection.release(exchange) }
}
