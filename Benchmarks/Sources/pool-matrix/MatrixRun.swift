import BenchSupport
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV
import HTTPCorePool

/// One cell of scripts/bench-matrix.sh through `ConnectionPool`, made as an application
/// would: a request built from its URL each time, the body streamed and counted, workers on
/// the backend's loop. No warm-up, as no other client in the matrix gets one: the script
/// measures the whole process.
struct MatrixRun {
    let cell: MatrixCase
    let backend: any NetworkBackend

    var configuration: ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(cell.ca)])
        configuration.http1 = cell.wire == .h1
        configuration.http2 = cell.wire != .h1
        configuration.maxConnections = cell.connections
        configuration.maxKeepaliveConnections = cell.connections
        configuration.maxHTTP2ConnectionsPerOrigin = cell.connections
        return configuration
    }

    @concurrent func run() async {
        let cell = cell
        let executor = ((backend as? LibUVBackend)?.taskExecutors ?? (backend as? DispatchBackend)?.taskExecutors ?? []).first
        let upload = cell.uploadBody
        let counter = RequestCounter(limit: cell.count)
        do {
            try await withConnectionPool(backend: backend, configuration: configuration) { pool in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<cell.inFlight {
                        group.addTask(executorPreference: executor) {
                            while counter.take() {
                                let request = cell.method == .post
                                    ? try Request(method: "POST", url: cell.url, body: .bytes(upload))
                                    : try Request(url: cell.url)
                                let response = try await pool.send(request)
                                var received = 0
                                for try await chunk in response.body { received += chunk.count }
                                cell.check(status: response.status.code, bodyBytes: received)
                                counter.record(bodyBytes: received)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            cell.fail("\(error)")
        }
        cell.report(requests: counter.completed, bodyBytes: counter.bodyBytes)
    }
}
