import ArgumentParser
import HTTPCoreClient
import HXCore

/// `hx [METHOD] URL`: one request, the body to stdout or a file.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Send one request (the default: 'hx URL' is 'hx request URL').",
        discussion: """
            The method defaults to POST when a body is given, else GET. A URL without a
            scheme gets http://. -H 'Name:' (nothing after the colon) removes a field hx
            adds itself (User-Agent, Accept). HTTP 4xx/5xx exit 0 unless --fail (then 22).
            Exit codes are listed in 'hx --help'.
            """
    )

    @Argument(help: ArgumentHelp("Method (GET, POST, ...), then the URL; or only the URL.", valueName: "method-or-url"))
    var first: String

    @Argument(help: ArgumentHelp("The URL, when a method comes first.", valueName: "url"))
    var second: String?

    @Option(name: [.customShort("X"), .customLong("request")], help: ArgumentHelp("Method (as in curl).", valueName: "method"))
    var method: String?

    @Option(name: [.customShort("H"), .customLong("header")], help: ArgumentHelp("Request field, repeatable.", valueName: "Name: value"))
    var headers: [String] = []

    @OptionGroup(title: "Body") var body: BodyOptions

    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    @Option(name: [.customShort("m"), .customLong("timeout"), .customLong("max-time")],
            help: ArgumentHelp("Limit for the whole transfer.", valueName: "seconds"))
    var maxTime: Double?

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write the body to this file instead of stdout.", valueName: "file"))
    var output: String?

    @Flag(name: [.customShort("i"), .customLong("include")], help: "Print the response head before the body.")
    var includeHead = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Connection, TLS, ALPN, heads and timings on stderr.")
    var verbose = false

    @Flag(name: .customLong("trace"), help: "Every event of the request (DNS, connect, TLS, pool, heads, body, retries, redirects) with its offset in milliseconds, on stderr.")
    var trace = false

    @Flag(name: [.customShort("L"), .customLong("location")], help: "Follow redirects (credentials are dropped when the origin changes).")
    var followRedirects = false

    @Option(name: .customLong("max-redirs"), help: ArgumentHelp("With -L, at most this many redirects (curl's default: 50).", valueName: "n"))
    var maxRedirects = 50

    @Flag(help: "Offer gzip, deflate, br and zstd, and decode the body (within the client's limits).")
    var compressed = false

    @Option(name: [.customShort("u"), .customLong("user")], help: ArgumentHelp("Credentials, Basic unless --digest; sent to the URL's origin only.", valueName: "user:password"))
    var user: String?

    @Flag(help: "With -u: HTTP Digest (RFC 7616: MD5, SHA-256) instead of Basic.")
    var digest = false

    @Option(help: ArgumentHelp("Retry transient failures and 408/429/5xx (idempotent requests) up to N times, honouring Retry-After.", valueName: "n"))
    var retry = 0

    @Option(name: [.customShort("b"), .customLong("cookie")], help: ArgumentHelp("Cookies: a Netscape cookie file, or 'name=value; ...'.", valueName: "file|pairs"))
    var cookie: String?

    @Option(name: [.customShort("c"), .customLong("cookie-jar")], help: ArgumentHelp("Write the cookies afterwards to this file (Netscape format).", valueName: "file"))
    var cookieJar: String?

    @Flag(name: [.customShort("f"), .customLong("fail")], help: "Exit 22 (and print no body) on HTTP 400 or more.")
    var fail = false

    @Flag(name: .customLong("no-progress"), help: "No progress bar (shown on a terminal stderr when the body goes to a file or pipe).")
    var noProgress = false

    mutating func validate() throws {
        _ = try usageChecked(makeTransfer)
    }

    mutating func run() async throws {
        let transfer = try usageChecked(makeTransfer)
        let status = try await transfer.run()
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Everything checked and resolved, before any I/O.
    func makeTransfer() throws(HXFailure) -> Transfer {
        let (methodArgument, url) = second.map { (first, $0) } ?? (nil, first)
        if let second, first.contains("://") {
            throw HXFailure(.usage, "unexpected \(second.debugDescription) after the URL (the method comes first; quote a URL with spaces)")
        }
        if methodArgument != nil, method != nil { throw HXFailure(.usage, "give the method once: as an argument or with -X, not both") }
        let spec = try RequestSpec(method: methodArgument ?? method, url: url, headers: headers, body: try body.spec())
        let settings = try connection.settings(for: spec.url)
        let limit = try maxTime.map { seconds throws(HXFailure) in try ConnectionSettings.duration(seconds: seconds, option: "--timeout") }
        if let output, output.isEmpty { throw HXFailure(.usage, "-o needs a file name") }
        guard maxRedirects >= 0 else { throw HXFailure(.usage, "--max-redirs must be 0 or more, not \(maxRedirects)") }
        guard (0...100).contains(retry) else { throw HXFailure(.usage, "--retry must be between 0 and 100, not \(retry)") }
        var policies = ClientPolicies()
        policies.redirects = followRedirects ? RedirectPolicy(maxRedirects: maxRedirects) : .off
        policies.decodes = compressed
        policies.auth = try ClientPolicies.auth(user: user, digest: digest)
        policies.retries = ClientPolicies.retries(retry)
        if let cookie { try policies.cookie(cookie) }
        if let cookieJar, cookieJar.isEmpty { throw HXFailure(.usage, "-c needs a file name") }
        policies.cookieOutput = cookieJar
        let showsProgress = !noProgress && StandardIO.isTerminal(StandardIO.error)
            && (output != nil || !StandardIO.isTerminal(StandardIO.output))
        return Transfer(
            spec: spec, settings: settings, backend: connection.backend, output: output, includeHead: includeHead,
            verbose: verbose, traced: trace, fail: fail, timeLimit: limit, showsProgress: showsProgress, policies: policies
        )
    }
}
