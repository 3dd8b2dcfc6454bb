@testable import HTTPCore
@testable import HTTPCoreClient
import HTTPCorePool

/// URL, origin and proxy-URL parsing, on any text. Never a crash, and the promises hold:
/// - an `Origin` read back from its `description` or from its scheme and `authority` is
///   the same origin;
/// - a `ClientURL` holds visible ASCII only (what a request target may carry) and parsing
///   its own string gives it back; a relative one joins a base under the base's path;
/// - a proxy URL gives a host of visible ASCII and a port in 1...65535, or an error whose
///   message does not repeat the URL (it may hold a password).
///
/// Input: byte 0 picks a base URL for the relative join; the rest is the text.
enum URLTarget {
    static let bases = ["http://example.com", "https://api.example.com/v1/", "http://[::1]:8080/a/b?q=1", "https://example.com:443/x"]

    static func run(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let baseIndex = Int(input.byte()) % bases.count
        let text = String(decoding: input.rest(), as: UTF8.self)

        if let origin = Origin(text) {
            FuzzCheck.that(!origin.host.isEmpty && (0...65535).contains(origin.port), "origin \(origin) from \(text.debugDescription)")
            FuzzCheck.equal(Origin(origin.description), origin, "origin read back from its description")
            FuzzCheck.equal(Origin(scheme: origin.scheme, authority: origin.authority), origin, "origin read back from its authority")
        }

        if let url = ClientURL(absolute: text) {
            checkVisible(url, from: text)
            FuzzCheck.equal(ClientURL(absolute: url.string), url, "client URL read back from its string \(url.string.debugDescription)")
        }
        let base = ClientURL(absolute: bases[baseIndex])!
        if let joined = try? ClientURL.resolve(text, against: base) {
            checkVisible(joined, from: text)
            if ClientURL.schemeSeparator(in: text) == nil {
                FuzzCheck.that(joined.origin == base.origin && (joined.path.hasPrefix(base.path.hasSuffix("/") ? base.path : base.path + "/") || joined.path == base.path),
                               "relative \(text.debugDescription) left the base: \(joined.string)")
            }
        }

        do {
            let proxy = try Proxy(url: text)
            FuzzCheck.that(!proxy.host.isEmpty && proxy.host.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "proxy host \(proxy.host.debugDescription)")
            FuzzCheck.that((1...65535).contains(proxy.port), "proxy port \(proxy.port)")
        } catch {
            if text.utf8.count >= 16 { FuzzCheck.that(!contains(Array("\(error)".utf8), Array(text.utf8)), "a proxy URL error repeats the URL: \(error)") }
        }
    }

    /// Byte by byte (Foundation's `contains`, which this module sees, stops at a NUL).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    static func checkVisible(_ url: ClientURL, from text: String) {
        FuzzCheck.that(url.string.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(text.debugDescription) gave the URL \(url.string.debugDescription)")
        FuzzCheck.that(url.path.hasPrefix("/"), "\(text.debugDescription) gave the path \(url.path.debugDescription)")
        FuzzCheck.that(url.origin != nil, "\(text.debugDescription) gave a URL without an origin")
    }
}
