public import HTTPCore
public import HTTPTypes

/// The dimension names and values every metric of this module uses: OpenTelemetry's HTTP
/// semantic-convention attribute names, and values of bounded cardinality (a method
/// outside RFC 9110's set is `_OTHER`, a status is its class), so a client calling
/// arbitrary URLs cannot make a backend keep unbounded series. No value comes from a
/// path, a query, a field or a body.
public enum MetricDimensions {
    public static let method = "http.request.method"
    /// A status class: `1xx` ... `5xx`, or `none` when no response head arrived.
    public static let statusCode = "http.response.status_code"
    /// An `HTTPCoreError.Category` (`timeout(connect)`, `network(read)`, `tls`, ...), or
    /// `handler` for a server handler's own error that is not an `HTTPCoreError`.
    public static let errorType = "error.type"
    public static let serverAddress = "server.address"
    public static let serverPort = "server.port"
    public static let scheme = "url.scheme"
    /// `1.1` or `2`, as OpenTelemetry spells `network.protocol.version`.
    public static let protocolVersion = "network.protocol.version"
    /// `active` or `idle`.
    public static let connectionState = "http.connection.state"
    /// An `HTTPServer.ConnectionEnd` (`closed`, `timeout(idle)`, `refused`, ...).
    public static let connectionEnd = "httpcore.connection.end"

    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"]

    public static func method(_ method: HTTPRequest.Method) -> String {
        knownMethods.contains(method.rawValue) ? method.rawValue : "_OTHER"
    }

    public static func statusClass(_ status: Int?) -> String {
        guard let status, (100..<600).contains(status) else { return "none" }
        return "\(status / 100)xx"
    }

    public static func protocolVersion(_ version: HTTPVersion) -> String {
        switch version {
        case .http1_0: "1.0"
        case .http1_1: "1.1"
        case .http2: "2"
        }
    }

    /// `server.address`, `server.port` and `url.scheme` of `origin`.
    static func origin(_ origin: Origin) -> [(String, String)] {
        [(serverAddress, origin.host), (serverPort, String(origin.port)), (scheme, origin.scheme)]
    }
}
