import HTTPCoreClient
import HTTPCoreTLS

/// What every example takes: the server's URL, `--cacert FILE` to trust a private CA (the
/// demo's throwaway PKI) instead of the system store, and `--h2c` for HTTP/2 by prior
/// knowledge over http:// (httpx's `http1=False, http2=True`), since a cleartext HTTP/2
/// server such as `nghttpd --no-tls` does not answer HTTP/1.1. Read by hand: three options
/// do not justify a dependency the examples would otherwise not need.
public struct ExampleArguments: Sendable {
    public var url: String
    public var caFile: String?
    public var h2c = false

    /// Reads `CommandLine.arguments`. Anything unexpected prints `usage: ...` to stderr and
    /// exits 2; `--help` prints it to stdout and exits 0. Without a URL, `defaultURL` is used
    /// when given; without `connectionOptions`, `--cacert` and `--h2c` are refused.
    public static func parse(usage: String, defaultURL: String? = nil, connectionOptions: Bool = true) -> ExampleArguments {
        var url: String?
        var caFile: String?
        var h2c = false
        var rest = CommandLine.arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--cacert" where connectionOptions:
                guard let file = rest.popFirst() else { exitWithUsage(usage) }
                caFile = file
            case "--h2c" where connectionOptions:
                h2c = true
            case "-h", "--help":
                print("usage: \(usage)")
                exitExample(0)
            default:
                guard url == nil, !argument.hasPrefix("-") else { exitWithUsage(usage) }
                url = argument
            }
        }
        guard let url = url ?? defaultURL else { exitWithUsage(usage) }
        return ExampleArguments(url: url, caFile: caFile, h2c: h2c)
    }

    /// `configuration` with the options applied: only the `--cacert` file's CAs trusted,
    /// and HTTP/1.1 off under `--h2c`.
    public func configure(_ configuration: HTTPClient.Configuration) -> HTTPClient.Configuration {
        var configuration = configuration
        if let caFile { configuration.tls = .client(trustRoots: [.file(caFile)]) }
        if h2c { (configuration.http1, configuration.http2) = (false, true) }
        return configuration
    }
}
