import HTTPCore
@testable import HTTPCoreClient
import HTTPTypes

/// The redirect policy (`RedirectChain`) fed a chain of statuses and arbitrary Locations.
/// Each answer is a next request only for a redirect status with a Location, to an
/// http(s) URL of visible ASCII; credentials and request cookies, once dropped at a hop to
/// another origin, stay dropped; 303 (and 301/302 after POST) become a bodiless GET;
/// 307/308 keep the method; hops never pass the limit; failures are the redirect errors.
///
/// Input: byte 0 picks the first request (method, body, base URL), byte 1 the hop limit;
/// the rest is lines, each a status-picking byte and then the Location (none if empty).
enum RedirectsTarget {
    static let statuses = [301, 302, 303, 307, 308, 200, 304, 300]
    static let bases = ["https://example.com/a/b?x=1", "http://example.com:8080/", "https://[::1]/p/q/r", "http://example.org"]
    static let allowedErrors: Set<HTTPCoreError.Code> = [.invalidRedirect, .tooManyRedirects, .bodyNotReplayable, .redirectLoop]

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let first = input.byte()
        let policy = RedirectPolicy(maxRedirects: Int(input.byte() % 8))
        let method: HTTPRequest.Method = [.get, .post, .head, .put][Int(first & 3)]
        let body: HTTPClient.Body = switch first >> 2 & 3 {
        case 0: .empty
        case 1: .bytes([1, 2, 3])
        default: .stream(AsyncStream<[UInt8]> { $0.finish() })
        }
        var spec = RequestSpec(
            method: method, url: ClientURL(absolute: bases[Int(first >> 4) % bases.count])!, headers: NameValuePairs([("Authorization", "Basic x")]),
            body: body, timeouts: nil, trace: nil, redirects: policy, cookies: ["session": "1"]
        )
        var chain = RedirectChain(policy: policy)
        do throws(HTTPCoreError) {
            try chain.visit(head(spec))
            for line in input.rest().split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                let status = statuses[Int(line.first ?? 0) % statuses.count]
                let location = line.count > 1 ? String(decoding: line.dropFirst(), as: UTF8.self) : nil
                let hopsBefore = chain.hops
                guard let next = try chain.next(after: spec, status: status, location: location) else {
                    FuzzCheck.that(!RedirectChain.isRedirect(status) || location == nil || !policy.follows, "\(status) with a Location not followed")
                    continue
                }
                FuzzCheck.that(RedirectChain.isRedirect(status) && location != nil, "followed a \(status)")
                FuzzCheck.that(chain.hops == hopsBefore + 1 && chain.hops <= policy.maxRedirects, "\(chain.hops) hops, limit \(policy.maxRedirects)")
                check(next, after: spec, status: status)
                spec = next
                try chain.visit(head(spec))
            }
        } catch {
            FuzzCheck.that(allowedErrors.contains(error.code), "redirect failed with \(error)")
        }
    }

    static func head(_ spec: RequestSpec) -> HTTPRequest {
        var head = HTTPRequest(method: spec.method, scheme: spec.url.scheme, authority: spec.url.authority, path: spec.url.requestTarget)
        for (name, value) in spec.headers {
            if let name = HTTPField.Name(name), !spec.strippedFields.contains(name) { head.headerFields.append(HTTPField(name: name, value: value)) }
        }
        return head
    }

    static func check(_ next: RequestSpec, after spec: RequestSpec, status: Int) {
        let url = next.url
        FuzzCheck.that(url.scheme == "http" || url.scheme == "https", "redirected to scheme \(url.scheme)")
        FuzzCheck.that(url.string.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "redirected to \(url.string.debugDescription)")
        FuzzCheck.that(url.path.hasPrefix("/") && url.origin != nil, "redirected to \(url.string.debugDescription)")
        FuzzCheck.that(spec.strippedFields.isSubset(of: next.strippedFields), "a dropped field came back")
        if url.origin != spec.url.origin {
            FuzzCheck.that(RedirectChain.credentialFields.allSatisfy(next.strippedFields.contains) && next.cookies.isEmpty, "credentials kept across origins")
        }
        if spec.cookies.isEmpty { FuzzCheck.that(next.cookies.isEmpty, "request cookies came back") }
        switch status {
        case 303 where spec.method != .head, 301 where spec.method == .post, 302 where spec.method == .post:
            FuzzCheck.that(next.method == .get && RedirectChain.bodyFields.allSatisfy(next.strippedFields.contains), "\(status) after \(spec.method) kept method or body")
            if case .empty = next.body.kind {} else { preconditionFailure("\(status) kept the body") }
        default:
            FuzzCheck.that(next.method == spec.method, "\(status) changed \(spec.method) to \(next.method)")
        }
    }
}
