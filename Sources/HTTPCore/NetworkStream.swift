/// An open byte stream: a TCP or Unix socket, or a layer over another stream.
///
/// Layers wrap streams: `TLSStream` (HTTPCoreTLS) is a `NetworkStream` over a
/// `NetworkStream`, and so is a proxy tunnel (CONNECT, SOCKS5), so every protocol
/// connection runs unchanged over TCP, TLS, tunnels or the mock backend. The server side
/// gets its streams from a `NetworkListener` and uses them the same way.
///
/// Concurrency contract: one read and one write may be in flight at the same time (HTTP/2
/// reads in one task while others write); two concurrent reads, or two concurrent writes,
/// are a programming error. Every error thrown is an `HTTPCoreError`.
public protocol NetworkStream: AnyObject, Sendable {
    /// Reads at most `maxBytes`, waiting until at least one byte arrives. Returns nil once
    /// the peer has closed its side (EOF).
    ///
    /// Throws `.readTimeout` when `deadline` passes first and `.cancelled` when the task is
    /// cancelled; in both cases no byte is lost and the stream stays usable.
    func read(maxBytes: Int, deadline: HTTPInstant?) async throws -> [UInt8]?

    /// Writes all of `bytes`, returning once the stream has accepted them (so writes apply
    /// backpressure). Throws `.writeTimeout` at `deadline` and `.cancelled` on cancellation;
    /// after either, the stream must be considered broken (part of `bytes` may be sent).
    func write(_ bytes: [UInt8], deadline: HTTPInstant?) async throws

    /// Closes the stream and resumes every pending read and write with `.connectionClosed`.
    /// `.graceful` flushes and says goodbye (TLS close_notify, TCP FIN); `.abortive` drops
    /// queued data (TCP RST). Closing twice is harmless.
    func close(_ mode: CloseMode) async

    /// Addresses and, for TLS streams, the negotiated protocol.
    var info: NetworkStreamInfo { get }

    /// True when a read would return at once: data is waiting or the peer has closed. An
    /// idle HTTP/1.1 connection that is readable was closed (or spoken to) by the server,
    /// so the pool must not reuse it.
    var isReadable: Bool { get }

    /// The executor the stream's events run on (a libuv loop, a dispatch queue), if it has
    /// one. Code that runs with it as task-executor preference never leaves that thread;
    /// layers over a stream (TLS, tunnels) pass the inner stream's through.
    var preferredTaskExecutor: (any TaskExecutor)? { get }
}

extension NetworkStream {
    public var preferredTaskExecutor: (any TaskExecutor)? { nil }

    public func read(maxBytes: Int) async throws -> [UInt8]? { try await read(maxBytes: maxBytes, deadline: nil) }
    public func write(_ bytes: [UInt8]) async throws { try await write(bytes, deadline: nil) }
    public func close() async { await close(.graceful) }

    /// Why an idle stream went bad, or nil if it did not: the peer closed it, reset it,
    /// or sent bytes nobody asked for. `isReadable` alone is only a hint (TLS session
    /// tickets arriving after the handshake make a socket readable with nothing for the
    /// application), so when it is set this reads with a deadline of now: a timeout means
    /// nothing was there, and no byte is lost. Returns the read's error (a reset, a TLS
    /// alert), or `.connectionClosed` for EOF and for unasked-for bytes.
    public func staleness(clock: any HTTPClock) async -> HTTPCoreError? {
        guard isReadable else { return nil }
        do {
            let bytes = try await read(maxBytes: 1, deadline: clock.now)
            return HTTPCoreError(.connectionClosed, bytes == nil ? "the peer closed the idle connection" : "the peer sent bytes on an idle connection")
        } catch let error as HTTPCoreError where error.code == .readTimeout {
            return nil
        } catch {
            return HTTPCoreError.from(error, default: .readFailed)
        }
    }
}

public enum CloseMode: Sendable, Hashable {
    case graceful
    case abortive
}

/// What a stream knows about itself. Wrapping layers copy the inner stream's info and
/// fill their own part (TLS adds `alpn`, `tlsVersion`, `tlsCipher`).
public struct NetworkStreamInfo: Sendable, Hashable {
    public var localAddress: SocketAddress?
    public var remoteAddress: SocketAddress?
    /// The ALPN protocol agreed in the TLS handshake (`h2`, `http/1.1`), if any.
    public var alpn: String?
    /// `TLSv1.2` or `TLSv1.3`.
    public var tlsVersion: String?
    /// The cipher suite's OpenSSL name, such as `TLS_AES_128_GCM_SHA256`.
    public var tlsCipher: String?
    /// The certificate the peer presented (for a server, the client's certificate if it sent one).
    public var peerCertificate: PeerCertificate?

    public init(
        localAddress: SocketAddress? = nil,
        remoteAddress: SocketAddress? = nil,
        alpn: String? = nil,
        tlsVersion: String? = nil,
        tlsCipher: String? = nil,
        peerCertificate: PeerCertificate? = nil
    ) {
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
        self.alpn = alpn
        self.tlsVersion = tlsVersion
        self.tlsCipher = tlsCipher
        self.peerCertificate = peerCertificate
    }
}

/// A certificate as the TLS layer received it: the DER bytes (for pinning or parsing) and
/// the names in RFC 2253 form for messages and logs.
public struct PeerCertificate: Sendable, Hashable {
    public var der: [UInt8]
    public var subject: String
    public var issuer: String

    public init(der: [UInt8], subject: String, issuer: String) {
        self.der = der
        self.subject = subject
        self.issuer = issuer
    }
}

public enum SocketAddress: Sendable, Hashable, CustomStringConvertible {
    case inet(host: String, port: Int)
    case unix(path: String)

    public var description: String {
        switch self {
        case .inet(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }
}
