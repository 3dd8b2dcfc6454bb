import HTTPCore
import HTTPCoreDecoding
import HTTPCorePool
import HTTPTypes
import Synchronization

/// Runs the checks against one endpoint of a peer through one pool, so the checks after the
/// first also exercise connection reuse.
///
/// Every check asserts content: exact bytes, or SHA-256 and length, plus the status and the
/// protocol version the response came over.
struct Checker {
    let pool: ConnectionPool
    let baseURL: String
    let wire: WireProtocol
    let docroot: Docroot
    let smallBody: Payload
    let largeBody: Payload
    /// The peer's GET check, run again after HEAD.
    let followUp: Manifest.CheckSpec?

    static let uploadChunk = 64 << 10
    static let parallelRequests = 16

    func run(_ kind: CheckKind, _ spec: Manifest.CheckSpec) async -> Outcome {
        do {
            switch kind {
            case .get: try await get(spec)
            case .head: try await head(spec)
            case .parallel: try await parallel(spec)
            case .post: try await post(spec)
            case .download: try await download(spec)
            case .upload: try await upload(spec)
            case .trailers: try await trailers(spec)
            case .idle: try await idle(spec)
            case .gzip: try await compressed(spec, coding: "gzip")
            case .br: try await compressed(spec, coding: "br")
            case .duplex: try await duplex(spec)
            }
            return .pass
        } catch let failure as CheckFailure {
            return .fail(failure.reason)
        } catch let error as HTTPCoreError {
            return .fail("\(error.code): \(error.detail)")
        } catch {
            return .fail("\(error)")
        }
    }

    private func get(_ spec: Manifest.CheckSpec, trace: RequestTrace? = nil) async throws {
        let expected = try expectedBytes(spec)
        let response = try await send("GET", spec.path, trace: trace)
        let body = try await response.body.collect(upTo: Docroot.keepLimit)
        try CheckFailure.require(body == expected, "body differs: \(describe(body)), expected \(describe(expected))")
    }

    /// The peer compresses (its Content-Encoding says so) and the decoded body is the file.
    private func compressed(_ spec: Manifest.CheckSpec, coding: String) async throws {
        let expected = try expectedBytes(spec)
        let response = try await send("GET", spec.path, headers: [("Accept-Encoding", coding)])
        let encoding = response.head.headerFields[.contentEncoding]
        try CheckFailure.require(encoding == coding, "Content-Encoding \(encoding ?? "none"), expected \(coding)")
        let decoded = ResponseBody(source: try DecodingBodySource(BodyAsSource(response.body), contentEncoding: encoding!))
        let body = try await decoded.collect(upTo: Docroot.keepLimit)
        try CheckFailure.require(body == expected, "decoded body differs: \(describe(body)), expected \(describe(expected))")
    }

    private func head(_ spec: Manifest.CheckSpec) async throws {
        guard let name = spec.expect, let file = docroot[name] else { throw CheckFailure("manifest: head needs an expect file") }
        let response = try await send("HEAD", spec.path)
        // RFC 9110 §9.3.2: the length a GET would get, or no Content-Length at all.
        if let declared = response.head.headerFields[.contentLength] {
            try CheckFailure.require(Int(declared) == file.length, "Content-Length \(declared), expected \(file.length)")
        }
        let body = try await response.body.collect(upTo: Docroot.keepLimit)
        try CheckFailure.require(body.isEmpty, "a body after HEAD: \(describe(body))")
        // A client that took the announced length as a body to read would now be out of
        // step: the peer's small GET must still come back intact.
        if let get = followUp { try await self.get(get) }
    }

    private func parallel(_ spec: Manifest.CheckSpec) async throws {
        let expected = try expectedBytes(spec)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<Checker.parallelRequests {
                group.addTask {
                    let response = try await send("GET", spec.path)
                    let body = try await response.body.collect(upTo: Docroot.keepLimit)
                    try CheckFailure.require(body == expected, "request \(index): \(describe(body)), expected \(describe(expected))")
                }
            }
            try await group.waitForAll()
        }
        guard wire == .h2 || wire == .h2c else { return }
        // Every peer here allows at least 100 streams: 16 requests need one connection.
        let connections = pool.snapshot.origins.flatMap(\.connections)
        try CheckFailure.require(connections.count == 1, "HTTP/2 used \(connections.count) connections for \(Checker.parallelRequests) requests")
    }

    private func post(_ spec: Manifest.CheckSpec) async throws {
        let response = try await send("POST", spec.path, body: .bytes(smallBody.bytes))
        try await checkReply(response, spec, sent: smallBody)
    }

    private func upload(_ spec: Manifest.CheckSpec) async throws {
        // No length: HTTP/1.1 sends it chunked, HTTP/2 as DATA frames under flow control.
        let response = try await send("POST", spec.path, body: .stream(largeBody.chunks(of: Checker.uploadChunk)))
        try await checkReply(response, spec, sent: largeBody)
    }

    private func download(_ spec: Manifest.CheckSpec) async throws {
        guard let name = spec.expect, let file = docroot[name] else { throw CheckFailure("manifest: download needs an expect file") }
        let response = try await send("GET", spec.path)
        if let declared = response.head.headerFields[.contentLength] {
            try CheckFailure.require(Int(declared) == file.length, "Content-Length \(declared), expected \(file.length)")
        }
        let (digest, length) = try await hash(response.body)
        try CheckFailure.require(length == file.length, "received \(length) bytes, expected \(file.length)")
        try CheckFailure.require(digest == file.sha256, "SHA-256 \(digest.prefix(16))..., expected \(file.sha256.prefix(16))...")
    }

    private func trailers(_ spec: Manifest.CheckSpec) async throws {
        guard let trailer = spec.trailer, let name = HTTPField.Name(trailer.name) else {
            throw CheckFailure("manifest: trailers needs a valid trailer name and value")
        }
        let expected = try expectedBytes(spec)
        // Some peers (nginx over HTTP/1.1, hypercorn) send trailers only to a client that
        // says it takes them.
        let response = try await send("GET", spec.path, headers: [("TE", "trailers")])
        let body = try await response.body.collect(upTo: Docroot.keepLimit)
        try CheckFailure.require(body == expected, "body differs: \(describe(body)), expected \(describe(expected))")
        guard let trailers = response.body.trailers else { throw CheckFailure("no trailers after the body") }
        try CheckFailure.require(
            trailers[name] == trailer.value,
            "trailer \(trailer.name): \(trailers[name].map { "\"\($0)\"" } ?? "missing"), expected \"\(trailer.value)\"; got [\(trailers.map { "\($0.name): \($0.value)" }.joined(separator: ", "))]"
        )
    }

    private func idle(_ spec: Manifest.CheckSpec) async throws {
        guard let wait = spec.wait else { throw CheckFailure("manifest: idle needs a wait") }
        try await get(spec)
        try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        // Which connections the pool handed out, reused or new, in order.
        let acquired = Mutex<[Bool]>([])
        try await get(spec, trace: RequestTrace { entry in
            if case .acquired(_, let reused, _, _) = entry.event { acquired.withLock { $0.append(reused) } }
        })
        let reuses = acquired.withLock { $0 }
        // A reuse would mean the peer never closed, and the check proved nothing.
        try CheckFailure.require(reuses.last == false, "served on a connection idle for \(wait) s: the peer did not close it")
    }
}
