/// Opens streams and resolves names. The libuv, Dispatch and mock backends implement it;
/// the pool and the client hold one and never see sockets or call a blocking resolver.
///
/// The backend also owns time (`clock`), so a test that injects the mock backend gets a
/// manual clock for every timeout above it. Server code listens through the same backend.
public protocol NetworkBackend: Sendable {
    var clock: any HTTPClock { get }

    /// The addresses `host` resolves to, each with `port`, in the resolver's order without
    /// duplicates. For callers that need an address rather than a stream (a `socks5://`
    /// proxy is given one).
    ///
    /// - An IP literal (brackets allowed) answers itself at once, without a lookup.
    /// - A name resolves on the backend's own threads (libuv: `uv_getaddrinfo` on libuv's
    ///   pool; Dispatch: a Dispatch worker), never on Swift's cooperative pool, whose few
    ///   threads a blocking `getaddrinfo` would starve.
    /// - No such name, or a name with no IPv4 or IPv6 address, throws `HTTPCoreError`
    ///   `.hostNotFound`.
    /// - A cancelled caller gets `.cancelled` at once; a lookup already running finishes
    ///   unobserved (`getaddrinfo` cannot be interrupted).
    func resolve(host: String, port: Int) async throws -> [ResolvedAddress]

    /// Resolves `host`, tries its addresses (Happy Eyeballs where the backend supports it)
    /// and returns the first that connects. Throws `.connectRefused`, `.hostNotFound`,
    /// `.connectTimeout`, `.connectFailed` or `.cancelled`.
    func connectTCP(host: String, port: Int, options: ConnectOptions) async throws -> any NetworkStream

    func connectUnixSocket(path: String, options: ConnectOptions) async throws -> any NetworkStream

    /// Listens for TCP connections (port 0 picks a free port; read it from `localAddress`).
    func listenTCP(host: String, port: Int, options: ListenOptions) async throws -> any NetworkListener

    func listenUnix(path: String, options: ListenOptions) async throws -> any NetworkListener
}

/// How to open a client stream.
public struct ConnectOptions: Sendable, Hashable {
    public var timeout: Duration?
    /// Bind the socket to this local address before connecting (source address selection).
    public var localAddress: String?
    public var socketOptions: [SocketOption]
    /// Hears the resolution and each Happy Eyeballs attempt (`.resolutionStarted`,
    /// `.resolutionEnded`, `.attemptStarted`, `.attemptEnded`), stamped with the backend's
    /// clock. Not part of equality or hashing: it watches, it does not change the connect.
    public var trace: RequestTrace?

    public init(timeout: Duration? = .seconds(10), localAddress: String? = nil, socketOptions: [SocketOption] = [.noDelay], trace: RequestTrace? = nil) {
        self.timeout = timeout
        self.localAddress = localAddress
        self.socketOptions = socketOptions
        self.trace = trace
    }

    public static func == (lhs: ConnectOptions, rhs: ConnectOptions) -> Bool {
        lhs.timeout == rhs.timeout && lhs.localAddress == rhs.localAddress && lhs.socketOptions == rhs.socketOptions
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timeout)
        hasher.combine(localAddress)
        hasher.combine(socketOptions)
    }
}

/// A socket option applied right after the socket is created.
public struct SocketOption: Sendable, Hashable {
    public var level: Int32
    public var name: Int32
    public var value: Int32

    public init(level: Int32, name: Int32, value: Int32) {
        self.level = level
        self.name = name
        self.value = value
    }

    /// TCP_NODELAY (IPPROTO_TCP = 6, TCP_NODELAY = 1 on Linux): on by default.
    public static let noDelay = SocketOption(level: 6, name: 1, value: 1)
    /// SO_KEEPALIVE (SOL_SOCKET = 1, SO_KEEPALIVE = 9 on Linux).
    public static let keepAlive = SocketOption(level: 1, name: 9, value: 1)
}

public struct ListenOptions: Sendable, Hashable {
    public var backlog: Int32
    public var socketOptions: [SocketOption]

    public init(backlog: Int32 = 511, socketOptions: [SocketOption] = [.noDelay]) {
        self.backlog = backlog
        self.socketOptions = socketOptions
    }
}

/// A listening socket. Accepted streams come from `accept()` or, as an async sequence,
/// from `connections`.
public protocol NetworkListener: AnyObject, Sendable {
    var localAddress: SocketAddress { get }
    /// The next accepted stream, or nil once the listener is closed.
    func accept() async throws -> (any NetworkStream)?
    func close() async
}

extension NetworkListener {
    public var connections: AcceptedStreams { AcceptedStreams(listener: self) }
}

public struct AcceptedStreams: AsyncSequence, Sendable {
    public typealias Element = any NetworkStream
    let listener: any NetworkListener

    public func makeAsyncIterator() -> Iterator { Iterator(listener: listener) }

    public struct Iterator: AsyncIteratorProtocol {
        let listener: any NetworkListener
        public mutating func next() async throws -> (any NetworkStream)? { try await listener.accept() }
    }
}
