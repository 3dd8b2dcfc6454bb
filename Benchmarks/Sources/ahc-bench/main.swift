// AsyncHTTPClient beside this project in scripts/bench-matrix.sh: the same matrix cells
// (BenchSupport.MatrixCase) made the way an AsyncHTTPClient user would, with one HTTPClient
// on one event loop (as this project's clients run on one loop) and workers that await
// `execute` and stream each body. HTTP/2 is negotiated by ALPN; AsyncHTTPClient has no
// HTTP/2 by prior knowledge (http:// always speaks HTTP/1.1), so `h2c` is refused.
//
// Usage: ahc-bench get|post ... (see MatrixCase.usage); prints one `ok ...` line.
import AsyncHTTPClient
import BenchSupport
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL

guard let cell = MatrixCase(CommandLine.arguments.dropFirst()) else {
    print("usage: ahc-bench \(MatrixCase.usage)")
    exit(2)
}
if cell.wire == .h2c { cell.fail("AsyncHTTPClient has no HTTP/2 by prior knowledge (h2c)") }

var tls = TLSConfiguration.makeClientConfiguration()
tls.trustRoots = .file(cell.ca)
var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
configuration.httpVersion = cell.wire == .h2 ? .automatic : .http1Only
// The soft limit also bounds the connections opened before ALPN has said h2.
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: cell.connections)
configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let client = HTTPClient(eventLoopGroup: loops, configuration: configuration)

var request = HTTPClientRequest(url: cell.url)
if cell.method == .post {
    request.method = .POST
    request.body = .bytes(ByteBuffer(bytes: cell.uploadBody))
}
let counter = RequestCounter(limit: cell.count)
do {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<cell.inFlight {
            group.addTask {
                while counter.take() {
                    let response = try await client.execute(request, timeout: .seconds(120))
                    var received = 0
                    for try await buffer in response.body { received += buffer.readableBytes }
                    cell.check(status: Int(response.status.code), bodyBytes: received)
                    counter.record(bodyBytes: received)
                }
            }
        }
        try await group.waitForAll()
    }
} catch {
    cell.fail("\(error)")
}
try await client.shutdown().get()
try await loops.shutdownGracefully()
cell.report(requests: counter.completed, bodyBytes: counter.bodyBytes)
