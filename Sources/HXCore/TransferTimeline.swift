public import HTTPCore

/// What `hx -v` and `hx --trace` print, read from the request's `RequestTrace` entries:
/// the connection (addresses, TLS, ALPN, certificate), the timings (`RequestMetrics`),
/// and every event with its offset.
public struct TransferTimeline: Sendable {
    public let entries: [RequestTrace.Entry]

    public init(_ entries: [RequestTrace.Entry]) { self.entries = entries }

    public var metrics: RequestMetrics { RequestMetrics(entries) }

    /// The stream of the last connection acquired, and whether it was reused.
    private var acquired: (stream: NetworkStreamInfo, reused: Bool, id: Int)? {
        for entry in entries.reversed() {
            if case .acquired(let id, let reused, _, let stream) = entry.event { return (stream, reused, id) }
        }
        return nil
    }

    /// `* Connected to ...`, then TLS and ALPN (or cleartext), then the certificate.
    public func connectionLines(version: HTTPVersion) -> [String] {
        guard let (stream, reused, id) = acquired else { return ["* connection details unavailable"] }
        var lines: [String] = []
        let remote = stream.remoteAddress.map { "\($0)" } ?? "?"
        let local = stream.localAddress.map { " from \($0)" } ?? ""
        lines.append("* Connected to \(remote)\(local) (\(reused ? "reused" : "new") connection #\(id))")
        if let tlsVersion = stream.tlsVersion {
            let resumed = entries.contains { if case .tlsEnded(_, _, _, true) = $0.event { true } else { false } }
            lines.append("* TLS \(tlsVersion), cipher \(stream.tlsCipher ?? "?")\(resumed ? ", session resumed" : "")")
            lines.append("* ALPN: \(stream.alpn.map { "server accepted \($0)" } ?? "none agreed")")
            if let certificate = stream.peerCertificate {
                lines.append("* Server certificate: subject \(certificate.subject); issuer \(certificate.issuer)")
            }
        } else {
            lines.append(version == .http2 ? "* Cleartext, HTTP/2 by prior knowledge (h2c)" : "* Cleartext, no TLS")
        }
        return lines
    }

    /// `* Timing: dns 0.20ms, connect 0.31ms, TLS 1.20ms, wait 0.01ms, first byte 2.05ms,
    /// transfer 0.05ms, total 2.10ms` (phases that did not happen are left out; a reused
    /// connection says so instead of its setup).
    public var timingLine: String {
        let metrics = metrics
        var parts: [String] = []
        if metrics.connectionReused == true { parts.append("reused connection") }
        for (name, value) in [("dns", metrics.dns), ("connect", metrics.connect), ("proxy", metrics.proxyHandshake), ("TLS", metrics.tls), ("wait", metrics.wait)] {
            if let value { parts.append("\(name) \(Units.duration(value))") }
        }
        parts.append("first byte \(metrics.timeToFirstByte.map(Units.duration) ?? "-")")
        parts.append("transfer \(metrics.transfer.map(Units.duration) ?? "-")")
        parts.append("total \(metrics.total.map(Units.duration) ?? "-")")
        var line = "* Timing: " + parts.joined(separator: ", ")
        if metrics.retries + metrics.redirects > 0 { line += " (\(metrics.attempts) attempts)" }
        return line
    }

    /// `hx --trace`: one line per event, `[   1.234 ms] event`, offsets from the first.
    public var traceLines: [String] {
        guard let first = entries.first?.at else { return [] }
        return entries.map { entry in
            let stamp = Units.fixed(Double(first.duration(to: entry.at).nanosecondsClamped) / 1e6, 3)
            return "[\(String(repeating: " ", count: max(0, 9 - stamp.count)))\(stamp) ms] \(entry.event)"
        }
    }
}
