import HTTPCore
@testable import HTTPCorePool
import Testing

/// `Proxy(url:)`: schemes, default ports, percent-decoded credentials, refusals that never
/// repeat the password, and descriptions that never show the credentials.
@Suite struct ProxyURLTests {
    @Test func readsEverySchemeWithItsDefaultPort() throws {
        let cases: [(String, Proxy.Kind, String, Int)] = [
            ("http://127.0.0.1:3128", .http, "127.0.0.1", 3128),
            ("http://proxy.example", .http, "proxy.example", 80),
            ("HTTPS://proxy.example/", .https, "proxy.example", 443),
            ("socks5://127.0.0.1", .socks5, "127.0.0.1", 1080),
            ("socks5h://[::1]:1081", .socks5h, "::1", 1081),
            ("socks5h://[::1]", .socks5h, "::1", 1080),
        ]
        for (url, kind, host, port) in cases {
            let proxy = try Proxy(url: url)
            #expect(proxy.kind == kind, "\(url)")
            #expect(proxy.host == host, "\(url)")
            #expect(proxy.port == port, "\(url)")
            #expect(proxy.credentials == nil, "\(url)")
        }
    }

    @Test func credentialsArePercentDecoded() throws {
        let proxy = try Proxy(url: "http://us%40er:p%3Ass%2Fw%C3%B6rd@127.0.0.1:3128")
        #expect(proxy.credentials == Proxy.Credentials(username: "us@er", password: "p:ss/wörd"))
        #expect(try Proxy(url: "socks5://user@h").credentials == Proxy.Credentials(username: "user", password: ""))
        #expect(try Proxy(url: "socks5://user:@h").credentials == Proxy.Credentials(username: "user", password: ""))
        // The last @ ends the userinfo, so an unescaped @ in a password still parses.
        #expect(try Proxy(url: "http://user:a@b@h:1").credentials == Proxy.Credentials(username: "user", password: "a@b"))
    }

    @Test(arguments: [
        "127.0.0.1:3128", "ftp://h", "http://", "http://s3cret@", "http://:1", "http://h:0", "http://h:65536", "http://h:12a",
        "http://h/path", "http://h/?q", "http://h#f", "http://[::1", "http://[::1]x", "http://u:s3cret%zz@h",
        "http://u:s3cret%C3@h", "http://u:s3cret%4@h", "http://u:s3cret@ho st",
    ])
    func malformedURLsAreRefusedWithoutRepeatingThem(_ url: String) {
        #expect {
            _ = try Proxy(url: url)
        } throws: { error in
            guard let error = error as? HTTPCoreError else { return false }
            return error.code == .invalidRequest && !error.description.contains("s3cret") && !error.description.contains(url)
        }
    }

    @Test func noDescriptionShowsTheCredentials() throws {
        let proxy = try Proxy(url: "socks5h://alice:s3cret@127.0.0.1:1080")
        var dumped = ""
        dump(proxy, to: &dumped)
        for text in ["\(proxy)", String(reflecting: proxy), "\(proxy.credentials!)", String(reflecting: proxy.credentials!), dumped] {
            #expect(!text.contains("s3cret"), "\(text)")
            #expect(!text.contains("alice"), "\(text)")
        }
        #expect(proxy.description == "socks5h://127.0.0.1:1080 (with credentials)")
        #expect(Proxy(.http, host: "::1", port: 3128).description == "http://[::1]:3128")
    }

    @Test func basicAuthorizationIsRFC7617() {
        #expect(Proxy.Credentials(username: "Aladdin", password: "open sesame").basicAuthorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        // RFC 4648 §10 vectors.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, output) in vectors {
            #expect(Base64.encode(Array(input.utf8)) == output)
        }
        #expect(Base64.encode([0xFF, 0xFE, 0xFD, 0x00]) == "//79AA==")
    }
}
