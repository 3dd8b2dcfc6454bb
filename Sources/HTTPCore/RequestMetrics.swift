/// One request's timings and sizes, summed up from its `RequestTrace` entries: the
/// figures URLSession's task metrics promise (and leave empty on Linux).
///
/// Phases are those of the last attempt (after the last retry or redirect); `total` runs
/// from the first attempt's start to the final event. A phase that did not happen (no
/// lookup for an IP literal, no TLS for http://, no connection setup on a reused
/// connection) is nil, never zero.
public struct RequestMetrics: Sendable, Equatable {
    /// Name resolution.
    public var dns: Duration?
    /// From the end of resolution (or the start of the connect) to the transport being up.
    public var connect: Duration?
    /// The CONNECT or SOCKS5 handshake.
    public var proxyHandshake: Duration?
    public var tls: Duration?
    /// Time in the pool beyond the connection's own setup: waiting in the queue, or for a
    /// connection another request's arrival started.
    public var wait: Duration?
    /// From the attempt's start to the response head.
    public var timeToFirstByte: Duration?
    /// From the response head to the body's end (or where it was let go or failed).
    public var transfer: Duration?
    /// From the first attempt's start to the final event.
    public var total: Duration?
    public var requestBodyBytes: Int64 = 0
    /// Body bytes as they came off the wire, before content decoding.
    public var responseBodyBytes: Int64 = 0
    /// Whether the last attempt ran on a connection that had served a request before.
    public var connectionReused: Bool?
    /// The pool's id of that connection.
    public var connection: Int?
    public var version: HTTPVersion?
    public var status: Int?
    /// How many times the request was sent (1 + retries + redirects followed).
    public var attempts = 0
    public var retries = 0
    public var redirects = 0
    /// Happy Eyeballs attempts in the last connection setup.
    public var connectAttempts = 0
    /// The error that ended the request, if one did.
    public var error: HTTPCoreError?

    public init() {}

    public init(_ entries: [RequestTrace.Entry]) {
        self.init()
        var firstStart: HTTPInstant?
        var start: HTTPInstant?
        var connectAt, dnsAt, resolvedAt, proxyAt, tlsAt, head, last: HTTPInstant?
        for entry in entries {
            let at = entry.at
            last = at
            switch entry.event {
            case .started:
                attempts += 1
                firstStart = firstStart ?? at
                start = at
                (connectAt, dnsAt, resolvedAt, proxyAt, tlsAt, head) = (nil, nil, nil, nil, nil, nil)
                (dns, connect, proxyHandshake, tls, wait, timeToFirstByte, transfer) = (nil, nil, nil, nil, nil, nil, nil)
                (requestBodyBytes, responseBodyBytes, connectAttempts) = (0, 0, 0)
                (connectionReused, connection, version, status, error) = (nil, nil, nil, nil, nil)
            case .queued:
                break
            case .connectStarted:
                connectAt = at
                connectAttempts = 0
            case .resolutionStarted:
                dnsAt = at
            case .resolutionEnded:
                dns = dnsAt?.duration(to: at)
                resolvedAt = at
            case .attemptStarted:
                connectAttempts += 1
            case .attemptEnded:
                break
            case .connectEnded:
                connect = (resolvedAt ?? connectAt)?.duration(to: at)
            case .proxyHandshakeStarted:
                proxyAt = at
            case .proxyHandshakeEnded:
                proxyHandshake = proxyAt?.duration(to: at)
            case .tlsStarted:
                tlsAt = at
            case .tlsEnded:
                tls = tlsAt?.duration(to: at)
            case .acquired(let id, let reused, let connectionVersion, _):
                connection = id
                connectionReused = reused
                version = connectionVersion
                if let start {
                    let setup = [dns, connect, proxyHandshake, tls].compactMap { $0 }.reduce(Duration.zero, +)
                    wait = max(.zero, start.duration(to: at) - setup)
                }
            case .requestHeadSent:
                break
            case .requestSent(let bytes):
                requestBodyBytes = bytes
            case .responseHeadReceived(let code, let responseVersion):
                status = code
                version = responseVersion
                head = at
                timeToFirstByte = start.map { $0.duration(to: at) }
            case .responseFirstBodyByte, .trailersReceived:
                break
            case .responseEnded(let bytes), .responseAbandoned(let bytes):
                responseBodyBytes = bytes
                transfer = head.map { $0.duration(to: at) }
            case .retry:
                retries += 1
            case .redirect:
                redirects += 1
            case .failed(let failure):
                error = failure
                if transfer == nil { transfer = head.map { $0.duration(to: at) } }
            }
        }
        if let firstStart, let last { total = firstStart.duration(to: last) }
    }

    public static func == (lhs: RequestMetrics, rhs: RequestMetrics) -> Bool {
        lhs.dns == rhs.dns && lhs.connect == rhs.connect && lhs.proxyHandshake == rhs.proxyHandshake && lhs.tls == rhs.tls
            && lhs.wait == rhs.wait && lhs.timeToFirstByte == rhs.timeToFirstByte && lhs.transfer == rhs.transfer
            && lhs.total == rhs.total && lhs.requestBodyBytes == rhs.requestBodyBytes && lhs.responseBodyBytes == rhs.responseBodyBytes
            && lhs.connectionReused == rhs.connectionReused && lhs.connection == rhs.connection && lhs.version == rhs.version
            && lhs.status == rhs.status && lhs.attempts == rhs.attempts && lhs.retries == rhs.retries && lhs.redirects == rhs.redirects
            && lhs.connectAttempts == rhs.connectAttempts && lhs.error?.code == rhs.error?.code
    }
}
