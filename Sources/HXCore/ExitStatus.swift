public import HTTPCore

/// hx's exit codes. Where curl has a code for the same failure, hx uses curl's number, so
/// scripts written for one read the other.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case success = 0
    /// Something not covered below (a response over a limit, an internal failure), or,
    /// for `hx bench`, at least one request that failed.
    case failure = 1
    /// Bad arguments: unknown option, malformed URL, method or header, unreadable file.
    case usage = 2
    /// The proxy failed: unreachable, refused the login or the tunnel, or broke the protocol.
    case proxy = 5
    case hostNotFound = 6
    case connectFailed = 7
    /// The server broke HTTP: a malformed response, a reset stream, a cut-short body.
    case protocolError = 8
    /// `--fail` and a status of 400 or more.
    case httpError = 22
    /// The response could not be written (`-o FILE`, stdout).
    case writeError = 23
    case timeout = 28
    case tlsFailed = 35
    case sendFailed = 55
    case receiveFailed = 56
    case certificateRejected = 60
    case cancelled = 130

    /// The status for a library error, by its category (and, for TLS and connect, its code).
    public init(_ error: HTTPCoreError) {
        switch error.category {
        case .timeout: self = .timeout
        case .network(.connect): self = error.code == .hostNotFound ? .hostNotFound : .connectFailed
        case .network(.write): self = .sendFailed
        case .network: self = .receiveFailed
        case .tls: self = error.code == .tlsCertificateRejected ? .certificateRejected : .tlsFailed
        case .protocol(.remote): self = .protocolError
        case .protocol(.local): self = .usage
        case .proxy: self = .proxy
        case .cancelled: self = .cancelled
        case .unavailable: self = .receiveFailed
        case .limit: self = .failure
        }
    }

    /// What the code means, for `hx --help`.
    public var meaning: String {
        switch self {
        case .success: "success (any HTTP status, unless --fail)"
        case .failure: "other failure; for bench: some requests failed"
        case .usage: "usage: bad option, URL, method, header or file"
        case .proxy: "proxy failure (unreachable, login or tunnel refused, bad reply)"
        case .hostNotFound: "host not found"
        case .connectFailed: "could not connect"
        case .protocolError: "HTTP protocol error from the server"
        case .httpError: "HTTP status >= 400 with --fail"
        case .writeError: "could not write the output"
        case .timeout: "timeout (connect, read, write or --timeout)"
        case .tlsFailed: "TLS handshake or protocol failure"
        case .sendFailed: "network error while sending"
        case .receiveFailed: "network error while receiving, or connection closed"
        case .certificateRejected: "server certificate rejected"
        case .cancelled: "interrupted"
        }
    }

    /// The table `hx --help` prints.
    public static var helpTable: String {
        allCases.map { status in
            let code = String(status.rawValue)
            return String(repeating: " ", count: max(0, 3 - code.count)) + code + "  " + status.meaning
        }.joined(separator: "\n")
    }
}

/// A failure hx reports itself: a message for stderr and the exit status.
public struct HXFailure: Error, Sendable, CustomStringConvertible {
    public let status: ExitStatus
    public let message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// A library error in words: its category, then the detail, then what the underlying
    /// error adds (TLS's reason, a proxy's reply), each thing said once.
    public init(_ error: HTTPCoreError) {
        var message = "\(error.category): "
        message += error.detail.isEmpty ? "\(error.code)" : error.detail
        if let underlying = error.underlying {
            var text = Substring((underlying as? HTTPCoreError).map { $0.detail.isEmpty ? "\($0.code)" : $0.detail } ?? "\(underlying)")
            // An underlying error that restates the detail's last clause adds only what
            // follows it ("...: IP address mismatch (X509_V_ERR 64)" adds the code).
            if let clause = error.detail.split(separator: ": ").last, let restated = text.firstRange(of: clause) {
                text = text[restated.upperBound...].drop { $0 == " " }
            }
            if !text.isEmpty, !message.contains(text) {
                message += text.hasPrefix("(") && text.hasSuffix(")") ? " \(text)" : " (\(text))"
            }
        }
        self.init(ExitStatus(error), message)
    }

    public var description: String { message }
}
