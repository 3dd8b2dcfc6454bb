#if canImport(Glibc)
import Glibc
#endif

/// One cell of the benchmark matrix as scripts/bench-matrix.sh hands it to an in-process
/// client (pool-matrix, ahc-bench; Benchmarks/Python/httpx_bench.py takes the same). Every
/// client takes the same arguments, so each does the same work, and each checks every
/// response itself: a client that got less than it asked for must fail, never print a
/// figure.
///
///     get  h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES
///     post h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES UPLOAD_BYTES
///
/// `h2` is HTTP/2 over TLS (ALPN), `h2c` HTTP/2 by prior knowledge, `h1` HTTP/1.1. At most
/// CONNECTIONS x STREAMS requests are in flight (CONNECTIONS for HTTP/1.1). A download is a
/// `get` with COUNT 1.
public struct MatrixCase: Sendable {
    public enum Method: String, Sendable { case get, post }
    public enum Wire: String, Sendable { case h1, h2, h2c }

    public static let usage = "get h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES | post h1|h2|h2c URL COUNT CONNECTIONS STREAMS CA.pem RESPONSE_BYTES UPLOAD_BYTES"

    public let method: Method
    public let wire: Wire
    public let url: String
    public let count: Int
    public let connections: Int
    public let streams: Int
    public let ca: String
    public let responseBytes: Int
    public let uploadBytes: Int

    /// Parses the words after the program name; nil when they do not fit `usage`.
    public init?(_ words: ArraySlice<String>) {
        let words = Array(words)
        guard words.count >= 8, let method = Method(rawValue: words[0]), let wire = Wire(rawValue: words[1]),
              let count = Int(words[3]), let connections = Int(words[4]), let streams = Int(words[5]),
              let responseBytes = Int(words[7]), count > 0, connections > 0, streams > 0
        else { return nil }
        let uploadBytes = method == .post && words.count == 9 ? Int(words[8]) : 0
        guard let uploadBytes, words.count == (method == .post ? 9 : 8) else { return nil }
        (self.method, self.wire, url, self.count, self.connections, self.streams) = (method, wire, words[2], count, connections, streams)
        (ca, self.responseBytes, self.uploadBytes) = (words[6], responseBytes, uploadBytes)
    }

    /// Requests in flight at once: one per HTTP/1.1 connection, STREAMS per HTTP/2 one.
    public var inFlight: Int { min(count, wire == .h1 ? connections : connections * streams) }

    /// The request body of a `post`: UPLOAD_BYTES of 'x'.
    public var uploadBody: [UInt8] { [UInt8](repeating: UInt8(ascii: "x"), count: uploadBytes) }

    /// Stops the process with a message and exit status 1: the script then fails the cell.
    public func fail(_ message: String) -> Never {
        let line = Array("\(method.rawValue) \(wire.rawValue) \(url): \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(1)
    }

    /// Checks one response; a wrong status or length ends the process.
    public func check(status: Int, bodyBytes: Int) {
        if status != 200 || bodyBytes != responseBytes {
            fail("status \(status) with \(bodyBytes) body bytes, want 200 with \(responseBytes)")
        }
    }

    /// The line the script reads after checking the exit status: what was done, counted
    /// by the client (the script compares it with what it asked for).
    public func report(requests: Int, bodyBytes: Int) {
        print("ok requests=\(requests) response_bytes=\(bodyBytes) upload_bytes=\(requests * uploadBytes)")
    }
}
