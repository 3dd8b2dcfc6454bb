import ExampleSupport
import HTTPCoreClient

// httpcore's concurrency example: 20 GETs at once through one client (a task group where
// Python has `asyncio.gather`), then the pool's connections and the time taken. Over
// HTTP/2 the requests share one connection as streams; over HTTP/1.1 each request in
// flight needs a connection of its own, and the lines show it.
let arguments = ExampleArguments.parse(usage: "concurrent-gets URL [--cacert FILE] [--h2c]")
let url = arguments.url

await runExample {
    try await withHTTPClient(arguments.configure(.init(http2: true))) { client in
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                // raiseForStatus: a 404 is a failed download, not a quick one.
                group.addTask { try await client.get(url).raiseForStatus() }
            }
            try await group.waitForAll()
        }
        let complete = clock.now

        for connection in client.connections {
            print(connection)
        }
        print("Complete in \(seconds(complete - started)) seconds")
    }
}
