import HTTPCore
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPCoreTLS
import Testing

/// Contexts made from the test PKI, and client/server TLS streams over the mock backend's
/// in-memory pair: no sockets, both handshakes run in this process.
enum TLSFixtures {
    /// A client that trusts only the test CA.
    static func client(alpn: [String] = [], configure: (inout TLSConfiguration) -> Void = { _ in }) throws -> TLSContext {
        var configuration = TLSConfiguration.client(trustRoots: [.pem(try TestPKI.shared().bytes("ca.pem"))], applicationProtocols: alpn)
        configure(&configuration)
        return try TLSContext(configuration)
    }

    /// A server presenting `name`.pem (or a bundle) with `name`.key.
    static func server(
        _ name: String = "good",
        certificate: String? = nil,
        alpn: [String] = [],
        configure: (inout TLSConfiguration) -> Void = { _ in }
    ) throws -> TLSContext {
        let pki = try TestPKI.shared()
        var configuration = TLSConfiguration.server(
            certificateChain: .file(pki.path(certificate ?? "\(name).pem")),
            privateKey: .file(pki.path("\(name).key")),
            applicationProtocols: alpn
        )
        configure(&configuration)
        return try TLSContext(configuration)
    }
}

/// Both ends of a TLS connection over an in-memory pair.
struct TLSPair {
    let client: TLSStream
    let server: TLSStream
    let clientPipe: MockPipeStream
    let serverPipe: MockPipeStream

    /// Runs both handshakes at once; throws the client's error first, then the server's.
    static func connect(
        client: TLSContext,
        server: TLSContext,
        host: String = "localhost",
        port: Int = 443,
        capacity: Int = 256 * 1024
    ) async throws -> TLSPair {
        let pipes = MockStreamPair.make(capacity: capacity)
        async let serverSide = Result { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.accept(over: pipes.server, context: server)
        }
        let clientSide = await Result { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: pipes.client, host: host, port: port, context: client)
        }
        let serverResult = await serverSide
        return TLSPair(
            client: try clientSide.get(), server: try serverResult.get(),
            clientPipe: pipes.client, serverPipe: pipes.server
        )
    }

    /// Runs both handshakes and returns each side's outcome, for tests where one side fails.
    static func outcomes(
        client: TLSContext,
        server: TLSContext,
        host: String = "localhost"
    ) async -> (client: Result<TLSStream, HTTPCoreError>, server: Result<TLSStream, HTTPCoreError>) {
        let pipes = MockStreamPair.make()
        async let serverSide = Result { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.accept(over: pipes.server, context: server)
        }
        let clientSide = await Result { () async throws(HTTPCoreError) -> TLSStream in
            try await TLSStream.connect(over: pipes.client, host: host, port: 443, context: client)
        }
        return (clientSide, await serverSide)
    }

    func close() async {
        await client.close(.graceful)
        await server.close(.graceful)
    }
}

extension Result where Failure == HTTPCoreError {
    init(catching body: () async throws(HTTPCoreError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension Result {
    /// The failure as an `HTTPCoreError` (a `Task`'s result loses the error type).
    var error: HTTPCoreError? {
        if case .failure(let error) = self { return error as? HTTPCoreError }
        return nil
    }
}

extension HTTPCoreError {
    var tlsFailure: TLSFailure? { underlying as? TLSFailure }
}

/// Reads until EOF (or `limit` bytes), in reads of at most `maxBytes`.
func readAll(_ stream: any NetworkStream, maxBytes: Int = 64 * 1024, limit: Int = 1 << 20) async throws -> [UInt8] {
    var received: [UInt8] = []
    while received.count < limit, let bytes = try await stream.read(maxBytes: maxBytes) { received += bytes }
    return received
}
