import HTTPCore
import HTTPCoreClient
import HTTPTypes

/// Records every request a `ClosureTransport` is given and answers each with `answer`.
final class RecordingTransport: Sendable {
    private let recorded = Locked<[(head: HTTPRequest, body: [UInt8], options: RequestOptions)]>([])
    let answer: @Sendable (Request) -> Response

    convenience init(status: HTTPResponse.Status = .ok, fields: HTTPFields = [:], body: String = "") {
        self.init(status: status, fields: fields, bytes: Array(body.utf8))
    }

    init(status: HTTPResponse.Status = .ok, fields: HTTPFields = [:], bytes: [UInt8]) {
        answer = { _ in Response(head: HTTPResponse(status: status, headerFields: fields), body: ResponseBody(bytes: bytes), version: .http1_1) }
    }

    var transport: ClosureTransport {
        ClosureTransport { [recorded, answer] request in
            var body: [UInt8] = []
            let source = request.body.makeChunkSource()
            while let chunk = try await source.next() { body += chunk }
            recorded.withLock { $0.append((request.head, body, request.options)) }
            return answer(request)
        }
    }

    var requests: [(head: HTTPRequest, body: [UInt8], options: RequestOptions)] { recorded.withLock { $0 } }
    var last: (head: HTTPRequest, body: [UInt8], options: RequestOptions)? { requests.last }

    func client(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.transport = transport
        configure(&configuration)
        return try HTTPClient(configuration: configuration)
    }
}

extension HTTPRequest {
    /// Every field as `name: value`, in order.
    var fieldLines: [String] { headerFields.map { "\($0.name): \($0.value)" } }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
