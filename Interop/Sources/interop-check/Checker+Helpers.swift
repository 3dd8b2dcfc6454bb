import HTTPCore
import HTTPTypes

/// What every check shares: sending with the status and protocol checked, hashing a
/// streamed body, and comparing a POST's reply with what was sent.
extension Checker {
    /// Sends a request and checks the status (200) and the protocol it went over.
    func send(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: RequestBody = .empty, trace: RequestTrace? = nil
    ) async throws -> Response {
        var options = RequestOptions()
        options.trace = trace
        options.timeouts.total = .seconds(60)
        let response = try await pool.send(try Request(method: method, url: baseURL + path, headers: headers, body: body, options: options))
        try CheckFailure.require(wire.accepts(response.version), "answered over \(response.version), expected \(wire.label)")
        guard response.status.code == 200 else {
            let text = (try? await response.body.collect(upTo: 4096)).map { describe($0) } ?? "unreadable body"
            throw CheckFailure("status \(response.status.code), body \(text)")
        }
        return response
    }

    func checkReply(_ response: Response, _ spec: Manifest.CheckSpec, sent: Payload) async throws {
        switch spec.reply {
        case .echo:
            let (digest, length) = try await hash(response.body)
            try CheckFailure.require(length == sent.bytes.count, "echo of \(length) bytes, sent \(sent.bytes.count)")
            try CheckFailure.require(digest == sent.sha256, "echo differs (SHA-256 \(digest.prefix(16))..., sent \(sent.sha256.prefix(16))...)")
        case .sha256:
            let text = String(decoding: try await response.body.collect(upTo: 4096), as: UTF8.self)
            let expected = "\(sent.sha256) \(sent.bytes.count)"
            try CheckFailure.require(
                text.trimmingSuffixWhitespace == expected,
                "peer got \(text.trimmingSuffixWhitespace.debugDescription), sent \(expected.debugDescription)"
            )
        case nil:
            throw CheckFailure("manifest: \(spec.path) needs a reply mode (echo or sha256)")
        }
    }

    /// SHA-256 and length of a body, hashed chunk by chunk as it streams.
    func hash(_ body: ResponseBody) async throws -> (String, Int) {
        let digest = SHA256()
        var length = 0
        for try await chunk in body {
            digest.update(chunk)
            length += chunk.count
        }
        return (digest.hexDigest(), length)
    }

    func expectedBytes(_ spec: Manifest.CheckSpec) throws(CheckFailure) -> [UInt8] {
        guard let name = spec.expect, let bytes = docroot[name]?.bytes else {
            throw CheckFailure("manifest: \(spec.path) needs an expect file under \(Docroot.keepLimit) bytes")
        }
        return bytes
    }

    /// A body in a few words: its length and start, printable.
    func describe(_ bytes: [UInt8]) -> String {
        let head = String(decoding: bytes.prefix(40), as: UTF8.self).debugDescription
        return "\(bytes.count) bytes \(head)\(bytes.count > 40 ? "..." : "")"
    }
}

extension String {
    fileprivate var trimmingSuffixWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
