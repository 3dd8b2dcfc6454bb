/// One fuzz target: a name (kebab-case, as `scripts/fuzz.sh` and `Fuzz/corpus/<name>`
/// spell it) and the function that runs one input. A target traps (`FuzzCheck`) when an
/// invariant breaks, so libFuzzer records the input as a crash; anything else it returns.
public struct FuzzTarget: Sendable {
    public let name: String
    public let run: @Sendable ([UInt8]) -> Void

    /// Every target, in the order `--list` prints them.
    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "http1-response", run: HTTP1ResponseTarget.run),
        FuzzTarget(name: "http1-request", run: HTTP1RequestTarget.run),
        FuzzTarget(name: "chunked", run: ChunkedTarget.run),
        FuzzTarget(name: "decoders", run: DecodersTarget.run),
        FuzzTarget(name: "url", run: URLTarget.run),
        FuzzTarget(name: "proxy-handshake", run: ProxyHandshakeTarget.run),
        FuzzTarget(name: "cookies", run: CookiesTarget.run),
        FuzzTarget(name: "redirects", run: RedirectsTarget.run),
        FuzzTarget(name: "h2-client", run: H2ClientTarget.run),
        FuzzTarget(name: "h2-server", run: H2ServerTarget.run),
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
