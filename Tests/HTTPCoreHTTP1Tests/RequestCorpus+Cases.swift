@testable import HTTPCoreHTTP1

/// The cases of the request corpus, by part of the message.
extension RequestCorpus {
    // MARK: Request line

    static let requestLineCases: [Case] = [
        c("get-origin-form", get, expect: head(), .end),
        c("head-without-body", "HEAD /x HTTP/1.1\r\n" + host + "\r\n", expect: head("HEAD", "/x"), .end),
        c("custom-method-token", "PURGE /x HTTP/1.1\r\n" + host + "\r\n", expect: head("PURGE", "/x"), .end),
        c("method-is-case-sensitive", "get / HTTP/1.1\r\n" + host + "\r\n", expect: head("get"), .end),
        c("method-not-token", "G(T / HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidMethod)),
        c("method-obs-text", "G\u{E9}T / HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidMethod)),
        c("empty-lines-before-request-line", "\r\n\r\n" + get, expect: head(), .end),
        c("bare-lf-empty-line-before-request", "\n" + get, expect: error(.bareLF)),
        c("http-1.0", "GET / HTTP/1.0\r\n\r\n", expect: head(authority: nil, version: .http1_0, keepAlive: false), .end, .finished),
        c("http-1.2-read-as-1.1", "GET / HTTP/1.2\r\n" + host + "\r\n", expect: head(), .end),
        c("http-2.0-unsupported", "GET / HTTP/2.0\r\n" + host + "\r\n", expect: error(.unsupportedVersion, 505)),
        c("http-0.9-unsupported", "GET / HTTP/0.9\r\n\r\n", expect: error(.unsupportedVersion, 505)),
        c("version-1.10", "GET / HTTP/1.10\r\n" + host + "\r\n", expect: error(.invalidVersion)),
        c("version-lowercase", "GET / http/1.1\r\n" + host + "\r\n", expect: error(.invalidVersion)),
        c("version-no-minor", "GET / HTTP/1\r\n" + host + "\r\n", expect: error(.invalidVersion)),
        c("no-version-http-0.9-shape", "GET /\r\n\r\n", expect: error(.invalidRequestLine)),
        c("leading-space", " GET / HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestLine)),
        c("double-space", "GET  / HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestLine)),
        c("trailing-space", "GET / HTTP/1.1 \r\n" + host + "\r\n", expect: error(.invalidRequestLine)),
        c("space-in-target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestLine)),
        c("htab-separator", "GET\t/ HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestLine)),
        c("bare-cr-in-request-line", "GET /\r HTTP/1.1\r\n" + host + "\r\n", expect: error(.bareCR)),
        c("nul-in-request-line", "GET /\u{0} HTTP/1.1\r\n" + host + "\r\n", expect: error(.nulByte)),
        c("bare-lf-after-request-line", "GET / HTTP/1.1\n" + host + "\r\n", expect: error(.bareLF)),
    ]

    // MARK: Request target

    static let targetCases: [Case] = [
        c(
            "origin-form-path-query-escapes", "GET /a/b%20c;p=1?x=1&y=%7E:@/?!$'()*+,= HTTP/1.1\r\n" + host + "\r\n",
            expect: head("GET", "/a/b%20c;p=1?x=1&y=%7E:@/?!$'()*+,="), .end
        ),
        c(
            "absolute-form", "GET http://Example.com:8080/p?q HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
            expect: head("GET", "/p?q", authority: "Example.com:8080"), .end
        ),
        c(
            "absolute-form-https-empty-path", "GET HTTPS://example.com HTTP/1.1\r\n" + host + "\r\n",
            expect: head("GET", "/", scheme: "https"), .end
        ),
        c("absolute-form-query-only", "GET http://example.com?q HTTP/1.1\r\n" + host + "\r\n", expect: head("GET", "/?q"), .end),
        c(
            "absolute-form-http-1.0-without-host", "GET http://example.com/x HTTP/1.0\r\n\r\n",
            expect: head("GET", "/x", version: .http1_0, keepAlive: false), .end, .finished
        ),
        c(
            "absolute-form-ipv6", "GET http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
            expect: head("GET", "/x", authority: "[::1]:8080"), .end
        ),
        c("absolute-form-userinfo", "GET http://u@example.com/ HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("absolute-form-other-scheme", "GET ftp://example.com/ HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("absolute-form-no-slashes", "GET http:example.com/ HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("absolute-form-empty-authority", "GET http:///x HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c(
            "connect-authority-form", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\ntunnel",
            expect: head("CONNECT", nil, scheme: nil, authority: "example.com:443", keepAlive: false), .end, .finished, .buffered(6)
        ),
        c(
            "connect-ipv6", "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n",
            expect: head("CONNECT", nil, scheme: nil, authority: "[::1]:443", keepAlive: false), .end, .finished
        ),
        c("connect-without-port", "CONNECT example.com HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("connect-port-too-big", "CONNECT example.com:65536 HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("connect-origin-form", "CONNECT / HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("authority-form-not-connect", "GET example.com:80 HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("options-asterisk", "OPTIONS * HTTP/1.1\r\n" + host + "\r\n", expect: head("OPTIONS", "*"), .end),
        c("asterisk-not-options", "GET * HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-fragment", "GET /a#b HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-short-escape", "GET /a%2 HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-bad-escape", "GET /a%zz HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-quote", "GET /a\"b HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-angle-brackets", "GET /<a> HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-backslash", "GET /a\\b HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-pipe-and-braces", "GET /?a={b|c} HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-htab", "GET /a\tb HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-obs-text", "GET /caf\u{E9} HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
        c("target-del", "GET /a\u{7F} HTTP/1.1\r\n" + host + "\r\n", expect: error(.invalidRequestTarget)),
    ]

    // MARK: Host

    static let hostCases: [Case] = [
        c("missing-host", "GET / HTTP/1.1\r\n\r\n", expect: error(.missingHost)),
        c("duplicate-host", "GET / HTTP/1.1\r\n" + host + host + "\r\n", expect: error(.duplicateHost)),
        c("duplicate-host-differing", "GET / HTTP/1.1\r\n" + host + "Host: evil.com\r\n\r\n", expect: error(.duplicateHost)),
        c("host-list", "GET / HTTP/1.1\r\nHost: a.com, b.com\r\n\r\n", expect: error(.invalidHost)),
        c("host-userinfo", "GET / HTTP/1.1\r\nHost: u@example.com\r\n\r\n", expect: error(.invalidHost)),
        c("host-space", "GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", expect: error(.invalidHost)),
        c("host-empty-port", "GET / HTTP/1.1\r\nHost: example.com:\r\n\r\n", expect: error(.invalidHost)),
        c("host-port-not-digits", "GET / HTTP/1.1\r\nHost: example.com:8o\r\n\r\n", expect: error(.invalidHost)),
        c("host-with-path", "GET / HTTP/1.1\r\nHost: example.com/x\r\n\r\n", expect: error(.invalidHost)),
        c(
            "host-ipv6-port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
            expect: head(authority: "[::1]:8080"), .end
        ),
        c("host-empty-value", "GET / HTTP/1.1\r\nHost:\r\n\r\n", expect: head(authority: nil), .end),
        c(
            "host-http-1.0", "GET / HTTP/1.0\r\n" + host + "\r\n",
            expect: head(version: .http1_0, keepAlive: false), .end, .finished
        ),
        c(
            "absolute-form-host-case-differs", "GET http://EXAMPLE.com/ HTTP/1.1\r\nHost: example.COM\r\n\r\n",
            expect: head(authority: "EXAMPLE.com"), .end
        ),
        c("absolute-form-host-mismatch", "GET http://example.com/ HTTP/1.1\r\nHost: evil.com\r\n\r\n", expect: error(.hostMismatch)),
        c(
            "absolute-form-host-port-mismatch", "GET http://example.com:80/ HTTP/1.1\r\n" + host + "\r\n",
            expect: error(.hostMismatch)
        ),
        c("absolute-form-missing-host", "GET http://example.com/ HTTP/1.1\r\n\r\n", expect: error(.missingHost)),
    ]

    // MARK: Field lines

    static let fieldCases: [Case] = [
        c(
            "fields-ows-trimmed-order-kept", "GET / HTTP/1.1\r\nX-A: \t a b \t\r\n" + host + "X-Empty:\r\nx-a: 2\r\n\r\n",
            expect: head("GET", "/", ["X-A: a b", "X-Empty:", "x-a: 2"]), .end
        ),
        c("obs-fold", "GET / HTTP/1.1\r\n" + host + "X-A: a\r\n b\r\n\r\n", expect: error(.obsFold)),
        c("obs-fold-htab", "GET / HTTP/1.1\r\n" + host + "X-A: a\r\n\tb\r\n\r\n", expect: error(.obsFold)),
        c("whitespace-before-first-field", "GET / HTTP/1.1\r\n " + host + "\r\n", expect: error(.obsFold)),
        c("space-before-colon", "GET / HTTP/1.1\r\n" + host + "Content-Length : 5\r\n\r\nhello", expect: error(.whitespaceBeforeColon)),
        c("htab-before-colon", "GET / HTTP/1.1\r\nHost\t: example.com\r\n\r\n", expect: error(.whitespaceBeforeColon)),
        c("field-without-colon", "GET / HTTP/1.1\r\n" + host + "NoColon\r\n\r\n", expect: error(.invalidFieldName)),
        c("field-empty-name", "GET / HTTP/1.1\r\n" + host + ": v\r\n\r\n", expect: error(.invalidFieldName)),
        c("field-name-not-token", "GET / HTTP/1.1\r\n" + host + "X(A): v\r\n\r\n", expect: error(.invalidFieldName)),
        c("field-value-control", "GET / HTTP/1.1\r\n" + host + "X-A: a\u{1}b\r\n\r\n", expect: error(.invalidFieldValue)),
        c("field-value-del", "GET / HTTP/1.1\r\n" + host + "X-A: a\u{7F}b\r\n\r\n", expect: error(.invalidFieldValue)),
        c("bare-cr-in-field", "GET / HTTP/1.1\r\n" + host + "X-A: a\rb\r\n\r\n", expect: error(.bareCR)),
        c("bare-cr-ending-field", "GET / HTTP/1.1\r\n" + host + "X-A: a\r\r\n\r\n", expect: error(.bareCR)),
        c("bare-cr-final-empty-line", "GET / HTTP/1.1\r\n" + host + "\r\r\n", expect: error(.bareCR)),
        c("nul-in-field", "GET / HTTP/1.1\r\n" + host + "X-A: a\u{0}b\r\n\r\n", expect: error(.nulByte)),
        c("bare-lf-field-line", "GET / HTTP/1.1\r\nHost: example.com\nX-A: b\r\n\r\n", expect: error(.bareLF)),
        c("bare-lf-final-empty-line", "GET / HTTP/1.1\r\n" + host + "\n", expect: error(.bareLF)),
    ]

    // MARK: Content-Length

    static let contentLengthCases: [Case] = [
        c("post-content-length", post + "Content-Length: 5\r\n\r\nhello", expect: head("POST", "/p", [cl5]), .body("hello"), .end),
        c("content-length-zero", post + "Content-Length: 0\r\n\r\n", expect: head("POST", "/p", ["Content-Length: 0"]), .end),
        c(
            "content-length-leading-zeros", post + "Content-Length: 005\r\n\r\nhello",
            expect: head("POST", "/p", ["Content-Length: 005"]), .body("hello"), .end
        ),
        c(
            "get-with-body", "GET / HTTP/1.1\r\n" + host + "Content-Length: 2\r\n\r\nhi",
            expect: head("GET", "/", ["Content-Length: 2"]), .body("hi"), .end
        ),
        c("content-length-list-differs", post + "Content-Length: 5, 6\r\n\r\nhello", expect: error(.conflictingContentLength)),
        c("content-length-list-same", post + "Content-Length: 5, 5\r\n\r\nhello", expect: error(.conflictingContentLength)),
        c("content-length-lines-same", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", expect: error(.conflictingContentLength)),
        c("content-length-lines-differ", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", expect: error(.conflictingContentLength)),
        c("content-length-plus", post + "Content-Length: +5\r\n\r\nhello", expect: error(.invalidContentLength)),
        c("content-length-minus", post + "Content-Length: -5\r\n\r\nhello", expect: error(.invalidContentLength)),
        c("content-length-hex", post + "Content-Length: 0x5\r\n\r\nhello", expect: error(.invalidContentLength)),
        c("content-length-trailing-letter", post + "Content-Length: 5a\r\n\r\nhello", expect: error(.invalidContentLength)),
        c("content-length-inner-space", post + "Content-Length: 1 2\r\n\r\nhello", expect: error(.invalidContentLength)),
        c("content-length-empty", post + "Content-Length:\r\n\r\n", expect: error(.invalidContentLength)),
        c("content-length-trailing-comma", post + "Content-Length: 5,\r\n\r\nhello", expect: error(.invalidContentLength)),
        c(
            "content-length-overflow", post + "Content-Length: 99999999999999999999\r\n\r\nhello",
            expect: error(.invalidContentLength)
        ),
        c(
            "content-length-with-transfer-encoding", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            expect: error(.contentLengthWithTransferEncoding)
        ),
        c(
            "transfer-encoding-with-content-length", post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            expect: error(.contentLengthWithTransferEncoding)
        ),
    ]

    // MARK: Transfer-Encoding

    static let transferEncodingCases: [Case] = [
        c(
            "chunked", chunkedPost + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("hello world"), .end
        ),
        c(
            "chunked-any-case-ows-trimmed", post + "Transfer-Encoding: \t ChUnKeD \t\r\n\r\n0\r\n\r\n",
            expect: head("POST", "/p", ["Transfer-Encoding: ChUnKeD"]), .end
        ),
        c("te-gzip-alone", post + "Transfer-Encoding: gzip\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-chunked-then-gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-gzip-then-chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", expect: error(.unsupportedTransferCoding, 501)),
        c(
            "te-lines-gzip-then-chunked", post + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            expect: error(.unsupportedTransferCoding, 501)
        ),
        c(
            "te-lines-chunked-then-gzip", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
            expect: error(.invalidTransferEncoding)
        ),
        c(
            "te-lines-chunked-twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            expect: error(.invalidTransferEncoding)
        ),
        c("te-chunked-twice-in-list", post + "Transfer-Encoding: chunked, chunked\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-chunked-parameter", post + "Transfer-Encoding: chunked;x\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-chunked-trailing-comma", post + "Transfer-Encoding: chunked,\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-empty", post + "Transfer-Encoding:\r\n\r\n", expect: error(.invalidTransferEncoding)),
        c("te-vertical-tab", post + "Transfer-Encoding: chunked\u{B}\r\n\r\n", expect: error(.invalidFieldValue)),
        c("te-space-before-colon", post + "Transfer-Encoding : chunked\r\n\r\n", expect: error(.whitespaceBeforeColon)),
        c("te-obs-folded", post + "Transfer-Encoding:\r\n chunked\r\n\r\n", expect: error(.obsFold)),
        c("te-http-1.0", "POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", expect: error(.transferEncodingInHTTP10)),
    ]

    // MARK: Chunks and trailers

    static let chunkCases: [Case] = [
        c(
            "chunk-extensions-and-upper-hex", chunkedPost + "A;name=value;x\r\n0123456789\r\n0;last\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("0123456789"), .end
        ),
        c(
            "chunked-trailers", chunkedPost + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-B: 2\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("hello"), .trailers(["X-Checksum: abc", "X-B: 2"]), .end
        ),
        c(
            "chunk-size-overflow", chunkedPost + "10000000000000000\r\n",
            expect: head("POST", "/p", [te]), error(.chunkSizeOverflow)
        ),
        c("chunk-size-negative", chunkedPost + "-5\r\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.invalidChunkSize)),
        c("chunk-size-0x", chunkedPost + "0x5\r\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.invalidChunkSize)),
        c("chunk-size-empty", chunkedPost + "\r\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.invalidChunkSize)),
        c(
            "chunk-data-not-followed-by-crlf", chunkedPost + "5\r\nhelloX\r\n0\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("hello"), error(.missingChunkTerminator)
        ),
        c(
            "chunk-data-longer-than-size", chunkedPost + "3\r\nhello\r\n0\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("hel"), error(.missingChunkTerminator)
        ),
        c(
            "chunk-data-bare-lf", chunkedPost + "5\r\nhello\n0\r\n\r\n",
            expect: head("POST", "/p", [te]), .body("hello"), error(.bareLF)
        ),
        c("chunk-line-bare-lf", chunkedPost + "5\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.bareLF)),
        c("chunk-line-bare-cr", chunkedPost + "5\r;x\r\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.bareCR)),
        c(
            "trailer-obs-fold", chunkedPost + "0\r\nX-A: a\r\n b\r\n\r\n",
            expect: head("POST", "/p", [te]), error(.obsFold)
        ),
        c("chunk-line-nul", chunkedPost + "5;\u{0}\r\nhello\r\n0\r\n\r\n", expect: head("POST", "/p", [te]), error(.nulByte)),
        c(
            "trailer-bare-cr", chunkedPost + "0\r\nX-A: a\rb\r\n\r\n",
            expect: head("POST", "/p", [te]), error(.bareCR)
        ),
        c(
            "trailer-bare-lf", chunkedPost + "0\r\nX-A: a\n\r\n",
            expect: head("POST", "/p", [te]), error(.bareLF)
        ),
    ]

    // MARK: Connection, Expect, pipelining

    static let connectionCases: [Case] = [
        c(
            "connection-close-stops-pipeline", "GET / HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n" + get,
            expect: head("GET", "/", ["Connection: close"], keepAlive: false), .end, .finished, .buffered(get.utf8.count)
        ),
        c(
            "connection-close-token-in-list", "GET / HTTP/1.1\r\n" + host + "Connection: Upgrade, CLOSE\r\n\r\n",
            expect: head("GET", "/", ["Connection: Upgrade, CLOSE"], keepAlive: false), .end, .finished
        ),
        c(
            "http-1.0-keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get,
            expect: head("GET", "/", ["Connection: keep-alive"], authority: nil, version: .http1_0), .end, head(), .end
        ),
        c(
            "pipelined-get-get-post",
            "GET /1 HTTP/1.1\r\n" + host + "\r\nGET /2 HTTP/1.1\r\n" + host + "\r\n" + post + "Content-Length: 5\r\n\r\nhello",
            expect: head("GET", "/1"), .end, head("GET", "/2"), .end, head("POST", "/p", [cl5]), .body("hello"), .end
        ),
        c(
            "pipelined-chunked-then-get", chunkedPost + "2\r\nhi\r\n0\r\n\r\n" + get,
            expect: head("POST", "/p", [te]), .body("hi"), .end, head(), .end
        ),
        c(
            "pipelined-error-in-second", get + "GET / HTTP/1.1\r\n\r\n",
            expect: head(), .end, error(.missingHost)
        ),
        c(
            "expect-100-continue", post + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello",
            expect: head("POST", "/p", ["Expect: 100-continue", cl5], continue: true), .body("hello"), .end
        ),
        c(
            "expect-100-continue-any-case", post + "Expect: 100-CONTINUE\r\nContent-Length: 0\r\n\r\n",
            expect: head("POST", "/p", ["Expect: 100-CONTINUE", "Content-Length: 0"], continue: true), .end
        ),
        c(
            "expect-ignored-in-http-1.0", "POST /p HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
            expect: head("POST", "/p", ["Expect: 100-continue", "Content-Length: 0"], authority: nil, version: .http1_0, keepAlive: false),
            .end, .finished
        ),
        c(
            "expect-other", post + "Expect: something\r\nContent-Length: 0\r\n\r\n",
            expect: head("POST", "/p", ["Expect: something", "Content-Length: 0"]), .end
        ),
    ]

    // MARK: EOF and incomplete input

    static let eofCases: [Case] = [
        c("incomplete-request-line", "GET / HTTP/1.1", expect: .buffered(14)),
        c("incomplete-head", "GET / HTTP/1.1\r\n" + host),
        c("incomplete-head-cr", "GET / HTTP/1.1\r\n" + host + "\r", expect: .buffered(1)),
        c("eof-before-any-byte", "", eof: true, expect: .finished),
        c("eof-between-requests", get, eof: true, expect: head(), .end, .finished),
        c("eof-after-empty-lines", get + "\r\n", eof: true, expect: head(), .end, .finished),
        c("eof-in-request-line", "GET / HT", eof: true, expect: error(.truncatedHead)),
        c("eof-in-head", "GET / HTTP/1.1\r\n" + host, eof: true, expect: error(.truncatedHead)),
        c(
            "eof-in-fixed-body", post + "Content-Length: 5\r\n\r\nhel", eof: true,
            expect: head("POST", "/p", [cl5]), .body("hel"), error(.truncatedBody)
        ),
        c(
            "eof-in-chunked-body", chunkedPost + "5\r\nhello\r\n", eof: true,
            expect: head("POST", "/p", [te]), .body("hello"), error(.truncatedBody)
        ),
        c(
            "eof-in-trailers", chunkedPost + "0\r\nX-A: b\r\n", eof: true,
            expect: head("POST", "/p", [te]), error(.truncatedBody)
        ),
    ]
}

extension RequestCorpus {
    // MARK: Limits (`small`): each exactly at the bound and one past it

    static func fields(count: Int) -> (lines: String, fields: [Field]) {
        let fields = (0..<count).map { Field("X-\($0)", "v") }
        return (fields.map { "\($0.name): \($0.value)\r\n" }.joined(), fields)
    }

    /// Host (19 bytes with CRLF), three 100-byte lines (102 each), and a last line of
    /// `last` bytes: a header section of 19 + 306 + last + 2 bytes.
    static func section(last: Int) -> (lines: String, fields: [Field]) {
        let parts = [ParserCorpus.filler("X-A", length: 100), ParserCorpus.filler("X-B", length: 100), ParserCorpus.filler("X-C", length: 100), ParserCorpus.filler("X-D", length: last)]
        return (parts.map { $0.line + "\r\n" }.joined(), parts.map(\.field))
    }

    static let limitCases: [Case] = {
        let path64 = "/" + String(repeating: "a", count: 50)  // "GET " + path + " HTTP/1.1" = 64 bytes
        let line100 = ParserCorpus.filler("X-A", length: 100)
        let line101 = ParserCorpus.filler("X-A", length: 101)
        let nine = fields(count: 9)
        let ten = fields(count: 10)
        let section400 = section(last: 73)
        let section401 = section(last: 74)
        return [
            c("request-line-at-limit", "GET \(path64) HTTP/1.1\r\n" + host + "\r\n", limits: small, expect: head("GET", path64), .end),
            c("request-line-over-limit", "GET \(path64)a HTTP/1.1\r\n" + host + "\r\n", limits: small, expect: error(.startLineTooLong, 414)),
            c(
                "request-line-never-ends", "GET /" + String(repeating: "a", count: 200), limits: small,
                expect: error(.startLineTooLong, 414)
            ),
            c(
                "field-line-at-limit", "GET / HTTP/1.1\r\n" + host + line100.line + "\r\n\r\n", limits: small,
                expect: head("GET", "/", [line100.field]), .end
            ),
            c(
                "field-line-over-limit", "GET / HTTP/1.1\r\n" + host + line101.line + "\r\n\r\n", limits: small,
                expect: error(.fieldLineTooLong, 431)
            ),
            c(
                "field-line-never-ends", "GET / HTTP/1.1\r\n" + host + "X-A: " + String(repeating: "x", count: 300), limits: small,
                expect: error(.fieldLineTooLong, 431)
            ),
            c(
                "header-section-at-limit", "GET / HTTP/1.1\r\n" + host + section400.lines + "\r\n", limits: small,
                expect: head("GET", "/", section400.fields), .end
            ),
            c(
                "header-section-over-limit", "GET / HTTP/1.1\r\n" + host + section401.lines + "\r\n", limits: small,
                expect: error(.headerSectionTooLarge, 431)
            ),
            c(
                "field-count-at-limit", "GET / HTTP/1.1\r\n" + host + nine.lines + "\r\n", limits: small,
                expect: head("GET", "/", nine.fields), .end
            ),
            c(
                "field-count-over-limit", "GET / HTTP/1.1\r\n" + host + ten.lines + "\r\n", limits: small,
                expect: error(.tooManyFields, 431)
            ),
            c(
                "chunk-line-at-limit", chunkedPost + "2;xxxxxxxxxxxxxx\r\nhi\r\n0\r\n\r\n", limits: small,
                expect: head("POST", "/p", [te]), .body("hi"), .end
            ),
            c(
                "chunk-line-over-limit", chunkedPost + "2;xxxxxxxxxxxxxxx\r\nhi\r\n0\r\n\r\n", limits: small,
                expect: head("POST", "/p", [te]), error(.chunkLineTooLong)
            ),
            c(
                "chunk-line-never-ends", chunkedPost + "2;" + String(repeating: "x", count: 100), limits: small,
                expect: head("POST", "/p", [te]), error(.chunkLineTooLong)
            ),
            c(
                "trailer-line-at-limit", chunkedPost + "0\r\n" + line100.line + "\r\n\r\n", limits: small,
                expect: head("POST", "/p", [te]), .trailers([line100.field]), .end
            ),
            c(
                "trailer-line-over-limit", chunkedPost + "0\r\n" + line101.line + "\r\n\r\n", limits: small,
                expect: head("POST", "/p", [te]), error(.fieldLineTooLong, 431)
            ),
            c(
                "trailer-count-at-limit", chunkedPost + "0\r\n" + ten.lines + "\r\n", limits: small,
                expect: head("POST", "/p", [te]), .trailers(ten.fields), .end
            ),
            c(
                "trailer-count-over-limit", chunkedPost + "0\r\n" + fields(count: 11).lines + "\r\n", limits: small,
                expect: head("POST", "/p", [te]), error(.tooManyFields, 431)
            ),
            c(
                "trailer-section-at-limit", chunkedPost + "0\r\n" + "X-Z: 123456789012\r\n" + section400.lines + "\r\n", limits: small,
                expect: head("POST", "/p", [te]), .trailers([Field("X-Z", "123456789012")] + section400.fields), .end
            ),
            c(
                "trailer-section-over-limit", chunkedPost + "0\r\n" + "X-Z: 123456789012\r\n" + section401.lines + "\r\n",
                limits: small, expect: head("POST", "/p", [te]), error(.headerSectionTooLarge, 431)
            ),
        ]
    }()
}
