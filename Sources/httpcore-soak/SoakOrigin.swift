import HTTPCoreServer
import HTTPTypes

/// The server side of the soak: the routes each `SoakPlan` asks for, with their bodies
/// made once, and the faults.
enum SoakOrigin {
    static let smallBody = [UInt8](repeating: UInt8(ascii: "s"), count: 100)
    static let largeBody = (0..<(64 << 10)).map { UInt8(truncatingIfNeeded: $0) }
    static let chunk = [UInt8](repeating: UInt8(ascii: "c"), count: 4 << 10)
    static let chunkCount = 8
    static let faultPrefix = [UInt8](repeating: UInt8(ascii: "f"), count: 1_000)
    /// Over HTTP/1.1 a chunked upload; over HTTP/2, DATA frames without a length.
    static let uploadChunk = [UInt8](repeating: UInt8(ascii: "u"), count: 4 << 10)
    static let uploadChunkCount = 4
    static let uploadBytes = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 10)

    struct InjectedFault: Error {}

    static func path(_ plan: SoakPlan) -> String {
        switch plan.fault {
        case .abortMidBody: return "/fault/abort"
        case .shortBody: return "/fault/short"
        case .slowHead: return "/fault/slow"
        case .failBeforeHead: return "/fault/fail"
        case nil: break
        }
        return switch plan.exchange {
        case .empty: "/empty"
        case .small: "/small"
        case .large: "/large"
        case .chunked: "/chunked"
        case .uploadBytes, .uploadStream: "/upload"
        }
    }

    static func handle(_ request: HTTPServerRequest, _ response: HTTPServerResponseWriter) async throws {
        switch request.head.path {
        case "/empty":
            try await response.respond(HTTPResponse(status: .ok))
        case "/small":
            try await response.respond(HTTPResponse(status: .ok), body: smallBody)
        case "/large":
            try await response.respond(HTTPResponse(status: .ok), body: largeBody)
        case "/chunked":
            try await response.writeHead(HTTPResponse(status: .ok))
            for _ in 0..<chunkCount { try await response.write(chunk) }
            try await response.finish()
        case "/upload":
            var count = 0
            for try await piece in request.body { count += piece.count }
            try await response.respond(HTTPResponse(status: .ok), body: Array(String(count).utf8))
        case "/fault/abort":
            try await response.writeHead(HTTPResponse(status: .ok))
            try await response.write(faultPrefix)
            throw InjectedFault()
        case "/fault/short":
            var head = HTTPResponse(status: .ok)
            head.headerFields[.contentLength] = "4096"
            try await response.writeHead(head)
            try await response.write(faultPrefix)
            try await response.finish()
        case "/fault/slow":
            try await Task.sleep(for: .milliseconds(50))
            try await response.respond(HTTPResponse(status: .ok), body: smallBody)
        case "/fault/fail":
            throw InjectedFault()
        default:
            try await response.respond(HTTPResponse(status: .notFound))
        }
    }
}
