import HTTPCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ProxyRoutes {
    /// A proxy variable that was set but could not be used. `reason` never repeats the
    /// value, which may hold a password.
    public struct IgnoredVariable: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var reason: String
        public var description: String { "\(name): \(reason)" }
    }

    /// The routes the environment asks for, as curl and httpx read it: `http_proxy`,
    /// `https_proxy`, `all_proxy` and `no_proxy`, each lowercase first, then uppercase. A
    /// scheme's own variable wins over `all_proxy`. A variable set to the empty string
    /// means no proxy (and, lowercase, hides its uppercase twin). A value without a scheme
    /// is taken as `http://` (as httpx and curl do). Uppercase `HTTP_PROXY` is ignored when
    /// `REQUEST_METHOD` is set: in a CGI program it comes from the request's `Proxy:`
    /// header (httpoxy, CVE-2016-5385). `no_proxy=*` turns every proxy off.
    ///
    /// A value that is not a proxy URL is skipped and reported in `ignored`, never a
    /// crash or an error. `routes` is nil when no proxy is left.
    public static func fromEnvironment(_ environment: [String: String]) -> (routes: ProxyRoutes?, ignored: [IgnoredVariable]) {
        var ignored: [IgnoredVariable] = []
        func value(_ name: String) -> (name: String, value: String)? {
            if let value = environment[name] { return (name, value) }
            let upper = name.uppercased()
            if upper == "HTTP_PROXY", environment["REQUEST_METHOD"] != nil { return nil }
            return environment[upper].map { (upper, $0) }
        }
        func proxy(_ name: String) -> Proxy? {
            guard let (variable, raw) = value(name) else { return nil }
            let text = raw.trimmingWhitespace
            guard !text.isEmpty else { return nil }
            do {
                return try Proxy(url: text.contains("://") ? text : "http://" + text)
            } catch {
                ignored.append(IgnoredVariable(name: variable, reason: error.detail))
                return nil
            }
        }
        var routes = ProxyRoutes(
            http: proxy("http_proxy"), https: proxy("https_proxy"), all: proxy("all_proxy"),
            noProxy: NoProxy(value("no_proxy")?.value ?? "")
        )
        if routes.noProxy.entries.contains(where: { $0.pattern == .all && $0.port == nil }) {
            routes = ProxyRoutes(noProxy: routes.noProxy)
        }
        guard routes.http != nil || routes.https != nil || routes.all != nil else { return (nil, ignored) }
        return (routes, ignored)
    }

    /// This process's environment (read from `environ`, the one place that does).
    public static var processEnvironment: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
