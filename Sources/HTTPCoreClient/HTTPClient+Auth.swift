import HTTPCore
import HTTPTypes

extension HTTPClient {
    /// The most times one request is sent again for its auth flow (a Digest 401, then a
    /// stale nonce).
    public static let maxAuthRounds = 2

    /// Sends `spec` through its auth flow: the request's own (per-request or from the
    /// URL's userinfo) or the client's. The flow applies only to `chainOrigin`, the origin
    /// of the chain's first request, and never once the chain has dropped Authorization (a
    /// hop to another origin, even back again). A retry replays the body; a stream body
    /// cannot be replayed and fails `.bodyNotReplayable` rather than going out empty.
    func sendAuthenticated(_ spec: RequestSpec, chainOrigin: Origin?, chain: inout RedirectChain) async throws -> (Request, HTTPCore.Response, start: HTTPInstant) {
        guard let auth = spec.auth ?? configuration.auth, spec.url.origin == chainOrigin,
              !spec.strippedFields.contains(.authorization)
        else { return try await send(spec, chain: &chain) }
        var authRequest = ClientAuthRequest(
            method: spec.method, url: spec.url.string, target: spec.url.requestTarget, headerFields: try HeaderList.fields(spec.headers)
        )
        try auth.authorize(&authRequest)
        var round = 0
        while true {
            var sent = spec
            sent.headers = NameValuePairs(authRequest.headerFields.map { ($0.name.rawName, $0.value) })
            let (request, response, start) = try await send(sent, chain: &chain)
            guard round < Self.maxAuthRounds else { return (request, response, start) }
            let again: Bool
            do {
                again = try auth.retry(&authRequest, after: ClientAuthResponse(status: response.status.code, headerFields: response.head.headerFields), round: round)
            } catch {
                response.body.close()
                throw error
            }
            guard again else { return (request, response, start) }
            guard spec.body.isReplayable else {
                response.body.close()
                throw HTTPCoreError(.bodyNotReplayable, "the \(response.status.code) response asks for the request again with credentials, and a stream body can be sent once")
            }
            // Recorded before the drain's end of the body, as a status retry is
            // (HTTPClientObserver: an attempt's end followed by another is marked so).
            spec.trace?.record(.retry(attempt: round + 2, status: response.status.code, failure: nil), at: clock.now)
            await Self.drain(response.body)
            round += 1
        }
    }

    /// Reads a small body to its end so the connection can serve the retry; a larger one
    /// (or a failing one) is let go.
    private static func drain(_ body: ResponseBody, upTo limit: Int = 64 << 10) async {
        var read = 0
        do {
            for try await chunk in body {
                read += chunk.count
                if read > limit { break }
            }
        } catch {}
        body.close()
    }

    /// `url` resolved as `resolve(_:params:)` does, with credentials in its userinfo
    /// (`https://user:pass@host/`, percent-decoded) taken out as Basic auth for this
    /// request.
    func resolveWithUserinfo(_ url: String, params: NameValuePairs) throws(HTTPCoreError) -> (ClientURL, BasicAuth?) {
        let (stripped, userinfo) = ClientURL.strippingUserinfo(url)
        return (try resolve(stripped, params: params), userinfo)
    }
}

extension ClientURL {
    /// `text` without the userinfo of its authority, and that userinfo as Basic auth (user
    /// and password percent-decoded, the password empty when absent). A relative URL, or
    /// one without `@` in its authority, comes back as it is.
    static func strippingUserinfo(_ text: String) -> (String, BasicAuth?) {
        guard let separator = schemeSeparator(in: text) else { return (text, nil) }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.utf8.lastIndex(of: UInt8(ascii: "@")) else { return (text, nil) }
        let userinfo = authority[..<at]
        let colon = userinfo.utf8.firstIndex(of: UInt8(ascii: ":"))
        let user = PercentEncoding.decode(userinfo[..<(colon ?? userinfo.endIndex)])
        let password = colon.map { PercentEncoding.decode(userinfo[userinfo.index(after: $0)...]) } ?? ""
        let stripped = String(text[..<separator.upperBound]) + text[authority.index(after: at)...]
        return (stripped, user.isEmpty && password.isEmpty ? nil : BasicAuth(user: user, password: password))
    }
}

extension PercentEncoding {
    /// `%XX` sequences to their bytes, read as UTF-8; a `%` not followed by two hex digits
    /// stays as it is.
    static func decode(_ text: Substring) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = HexDigit.value(bytes[index + 1]), let low = HexDigit.value(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
