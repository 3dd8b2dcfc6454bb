import ArgumentParser
import HTTPCore
import HTTPCoreServer
import HTTPCoreTLS
import HXCore

/// `hx serve`: a folder over HTTP/1.1 and HTTP/2 on HTTPServer, like `python -m
/// http.server`, plus an `/echo` endpoint for testing clients.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a folder over HTTP/1.1 and HTTP/2 (like python -m http.server), with an /echo endpoint.",
        discussion: """
            GET and HEAD of the files under DIR, streamed from disk with Content-Length,
            Last-Modified and a Content-Type from the extension; a folder answers with its
            index.html, or else a listing (a 301 adds the trailing slash first). Nothing
            outside DIR is served: '..' segments (also as %2e%2e), encoded '/' and symlinks
            leading out of DIR all get 404, as missing files do, so nothing outside can be
            probed. Other methods get 405.

            /echo (GET or POST) sends the request body back as it arrives (full duplex),
            then the request's trailers plus x-echo-bytes: the number of bytes echoed.

            Protocols: with --cert and --key, TLS with ALPN offering h2 and http/1.1.
            Without, HTTP/1.1, and with --h2c also HTTP/2 by prior knowledge (told apart
            by the connection preface). h2c is off unless asked for, as in nginx and Go,
            so a plain 'hx serve' speaks what every client expects.

            Prints 'Serving DIR on URL (protocols)' to stderr once listening (with the
            port chosen when --port is 0), then one access-log line per request unless
            -q. SIGINT or SIGTERM shuts down gracefully (requests in flight finish, for up
            to 10 s) and exits 0; a second SIGINT exits at once.
            """
    )

    @Argument(help: ArgumentHelp("The folder to serve.", valueName: "dir"))
    var directory = "."

    @Option(name: [.short, .long], help: "TCP port (0: any free port).")
    var port = 8000

    @Option(help: ArgumentHelp("IP address to listen on (0.0.0.0 or :: for every interface).", valueName: "addr"))
    var bind = "127.0.0.1"

    @Option(help: ArgumentHelp("Certificate chain (PEM) for TLS; needs --key.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("Private key (PEM) for TLS; needs --cert.", valueName: "file"))
    var key: String?

    @Flag(help: "Also speak HTTP/2 by prior knowledge on cleartext (h2c). Over TLS, ALPN always offers h2.")
    var h2c = false

    @Option(help: "At most this many requests handled at once (also told to HTTP/2 clients as their stream limit).")
    var concurrency: Int?

    @Option(name: [.customShort("t"), .customLong("threads")], help: "Backend event loops (libuv) or queues (Dispatch).")
    var threads = 1

    @Option(help: "Network backend.")
    var backend = BackendChoice.libuv

    @Flag(name: [.short, .long], help: "No access log.")
    var quiet = false

    mutating func validate() throws {
        try usageChecked { () throws(HXFailure) in
            guard (0...65535).contains(port) else { throw HXFailure(.usage, "--port must be between 0 and 65535, not \(port)") }
            guard (cert == nil) == (key == nil) else { throw HXFailure(.usage, "--cert and --key go together") }
            guard !(h2c && cert != nil) else { throw HXFailure(.usage, "--h2c is for cleartext; over TLS, ALPN offers h2") }
            if let concurrency, concurrency < 1 { throw HXFailure(.usage, "--concurrency must be at least 1") }
            guard (1...64).contains(threads) else { throw HXFailure(.usage, "-t must be between 1 and 64, not \(threads)") }
            _ = try DocumentRoot(directory)
        }
    }

    func run() async throws {
        let root = try usageChecked { () throws(HXFailure) in try DocumentRoot(directory) }
        var configuration = HTTPServer.Configuration(address: .tcp(host: bind, port: port))
        if let cert, let key {
            configuration.tls = try TLSContext(.server(certificateChain: .file(cert), privateKey: .file(key), applicationProtocols: ["h2", "http/1.1"]))
        }
        configuration.http2 = cert != nil || h2c
        configuration.concurrency = concurrency
        let log: (@Sendable (String) -> Void)? = quiet ? nil : { @Sendable line in StandardIO.printError(line) }
        let files = FileServer(root: root, log: log)

        let network = backend.make(loops: threads)
        let stops = StopSignals()
        let server = try await HTTPServer.start(backend: network, configuration: configuration, handler: .requests(files.handle))
        guard case .inet(let host, let boundPort) = server.localAddress else { preconditionFailure("a TCP listener has an inet address") }
        let url = "\(cert == nil ? "http" : "https")://\(SocketAddress.inet(host: host, port: boundPort))"
        let protocols = ["HTTP/1.1"] + (cert != nil ? ["h2"] : h2c ? ["h2c"] : [])
        StandardIO.printError("Serving \(root.path) on \(url) (\(protocols.joined(separator: ", ")))")

        await stops.next()
        StandardIO.printError("hx: shutting down")
        // In a task of its own: after Ctrl-C this task is cancelled, and the shutdown must
        // still wait for the requests in flight.
        await Task {
            await server.shutdown()
            await BackendChoice.shutDown(network)
        }.value
    }
}
