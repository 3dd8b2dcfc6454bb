public import HTTPCore

/// When each phase of one exchange ended, as offsets from the start of `send`, and the
/// connection it used: what `hx -v` prints.
public struct TransferTimeline: Sendable {
    public var stream: NetworkStreamInfo?
    public var reused = false
    /// The pool handed over the connection (for a new one: DNS, TCP, TLS and ALPN done).
    public var connected: Duration?
    public var requestSent: Duration?
    /// The response head arrived.
    public var firstByte: Duration?
    public var done: Duration?

    public init() {}

    /// `* Connected to ...`, then TLS and ALPN (or cleartext), then the certificate.
    public func connectionLines(version: HTTPVersion) -> [String] {
        guard let stream else { return ["* connection details unavailable"] }
        var lines: [String] = []
        let remote = stream.remoteAddress.map { "\($0)" } ?? "?"
        let local = stream.localAddress.map { " from \($0)" } ?? ""
        lines.append("* Connected to \(remote)\(local) (\(reused ? "reused" : "new") connection)")
        if let tlsVersion = stream.tlsVersion {
            lines.append("* TLS \(tlsVersion), cipher \(stream.tlsCipher ?? "?")")
            lines.append("* ALPN: \(stream.alpn.map { "server accepted \($0)" } ?? "none agreed")")
            if let certificate = stream.peerCertificate {
                lines.append("* Server certificate: subject \(certificate.subject); issuer \(certificate.issuer)")
            }
        } else {
            lines.append(version == .http2 ? "* Cleartext, HTTP/2 by prior knowledge (h2c)" : "* Cleartext, no TLS")
        }
        return lines
    }

    /// `* Timing: connect+TLS 1.20ms, request sent 1.31ms, first byte 2.05ms, done 2.10ms`
    /// ("connect" without TLS; "reused connection" when the pool had one idle).
    public var timingLine: String {
        func show(_ duration: Duration?) -> String { duration.map(Units.duration) ?? "-" }
        let phase = stream?.tlsVersion == nil ? "connect" : "connect+TLS"
        let connect = reused ? "reused connection \(show(connected))" : "\(phase) \(show(connected))"
        return "* Timing: \(connect), request sent \(show(requestSent)), first byte \(show(firstByte)), done \(show(done))"
    }
}

/// Collects a `TransferTimeline` from a request's trace events, timed on the continuous
/// clock from `init`.
public final class TimelineRecorder: Sendable {
    private let start: ContinuousClock.Instant
    private let state = Locked(TransferTimeline())

    public init() { start = .now }

    public var trace: RequestTrace {
        RequestTrace { [self] event in
            let now = ContinuousClock.now - start
            state.withLock { timeline in
                switch event {
                case .connectionAcquired(let stream, let reused):
                    timeline.stream = stream
                    timeline.reused = reused
                    timeline.connected = now
                case .requestSent:
                    timeline.requestSent = now
                }
            }
        }
    }

    public func markFirstByte() { state.withLock { $0.firstByte = ContinuousClock.now - start } }
    public func markDone() { state.withLock { $0.done = ContinuousClock.now - start } }
    public var timeline: TransferTimeline { state.withLock { $0 } }
}
