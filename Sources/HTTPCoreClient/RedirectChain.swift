import HTTPCore
import HTTPTypes

/// The redirect rules as a value: given the request just sent and its response's status
/// and Location, the next request or a typed error. It does no I/O; the client sends.
///
/// - 303 becomes GET without a body (HEAD stays HEAD); 301 and 302 turn POST into GET
///   without a body; 307 and 308 keep method and body, which must be replayable.
/// - A hop to another origin drops Authorization, Proxy-Authorization and Cookie for the
///   rest of the chain (so does https to http: another origin).
/// - Only http and https Locations are followed; a malformed one is an error, never taken
///   as same-origin. Coming back to a request already made (same method, URL and fields
///   as sent, the jar's cookies included) is a loop; more than `maxRedirects` hops is too
///   many.
struct RedirectChain {
    static let credentialFields: [HTTPField.Name] = [.authorization, .proxyAuthorization, .cookie]
    static let bodyFields: [HTTPField.Name] = [.contentType, .contentLength, .transferEncoding]

    let policy: RedirectPolicy
    private(set) var hops = 0
    /// The first request, kept as it is until a second one comes: most requests are never
    /// redirected, and need no signature and no set (three allocations each).
    private var first: HTTPRequest?
    private var seen: Set<String> = []

    init(policy: RedirectPolicy) { self.policy = policy }

    /// Records a request about to go out; a request the chain already made is a loop.
    mutating func visit(_ head: HTTPRequest) throws(HTTPCoreError) {
        if first == nil, seen.isEmpty {
            first = head
            return
        }
        if let first {
            seen.insert(Self.signature(first))
            self.first = nil
        }
        guard seen.insert(Self.signature(head)).inserted else {
            throw HTTPCoreError(.redirectLoop, "the redirect to \(head.scheme ?? "")://\(head.authority ?? "")\(head.path ?? "") leads back to a request already made")
        }
    }

    /// What makes two requests the same: method, URL and every field as sent.
    private static func signature(_ head: HTTPRequest) -> String {
        var signature = head.method.rawValue + " " + (head.scheme ?? "") + "://" + (head.authority ?? "") + (head.path ?? "")
        for field in head.headerFields { signature += "\n" + field.name.canonicalName + ": " + field.value }
        return signature
    }

    static func isRedirect(_ status: Int) -> Bool { [301, 302, 303, 307, 308].contains(status) }

    /// The request to send after `spec` got `status` with `location`; nil when the response
    /// is not a redirect to follow (not a redirect status, or no Location).
    mutating func next(after spec: RequestSpec, status: Int, location: String?) throws(HTTPCoreError) -> RequestSpec? {
        guard policy.follows, Self.isRedirect(status), let location else { return nil }
        guard let target = spec.url.resolving(reference: location) else {
            throw HTTPCoreError(.invalidRedirect, "the \(status) redirect's Location \(location.debugDescription) is not an http(s) URL that can be followed")
        }
        hops += 1
        if hops > policy.maxRedirects {
            throw HTTPCoreError(.tooManyRedirects, "more than \(policy.maxRedirects) redirects (the last to \(target.string))")
        }
        var next = spec
        next.url = target
        if target.origin != spec.url.origin {
            next.strippedFields.formUnion(Self.credentialFields)
            next.cookies = [:]
        }
        switch status {
        case 303 where spec.method != .head, 301 where spec.method == .post, 302 where spec.method == .post:
            next.method = .get
            next.body = .empty
            next.strippedFields.formUnion(Self.bodyFields)
        case 307, 308:
            guard spec.body.isReplayable else {
                throw HTTPCoreError(.bodyNotReplayable, "the \(status) redirect to \(target.string) needs the body again, and a stream body can be sent once")
            }
        default:
            break
        }
        return next
    }
}
