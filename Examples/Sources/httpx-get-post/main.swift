import ExampleSupport
import HTTPCoreClient

// httpx's HTTP/2 tutorial, line for line (the README shows the two side by side): one
// client with HTTP/2 offered, a GET and a JSON POST to the same URL, each status printed.
// `arguments.configure` adds only what the local demo needs (its CA, or h2c).
let arguments = ExampleArguments.parse(usage: "httpx-get-post URL [--cacert FILE] [--h2c]")
let url = arguments.url

await runExample {
    try await withHTTPClient(arguments.configure(.init(http2: true))) { client in
        var r = try await client.get(url)
        print(r.statusCode)
        r = try await client.post(url, json: ["username": "user", "password": "pass"])
        print(r.statusCode)
    }
}
