import ExampleSupport
import HTTPCoreClient

// A download read as it arrives: the body is never held whole, each chunk is handed over
// as the connection reads it, and reading slowly slows the sender (HTTP/2 windows reopen
// as chunks are consumed). The response and its connection are let go when the closure
// returns, read to the end or not.
let arguments = ExampleArguments.parse(usage: "streaming-download URL [--cacert FILE] [--h2c]")
let url = arguments.url

await runExample {
    try await withHTTPClient(arguments.configure(.init(http2: true))) { client in
        try await client.stream(.get, url) { response in
            print(response.statusCode, response.version)
            var total = 0, chunks = 0
            for try await chunk in response.body {
                print(chunk.count, "bytes")
                total += chunk.count
                chunks += 1
            }
            print("total: \(total) bytes in \(chunks) chunks")
        }
    }
}
