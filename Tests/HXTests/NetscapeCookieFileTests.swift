import HTTPCore
import HTTPCoreClient
import HXCore
import Testing

/// curl's cookie file format, read into the jar and written back.
@Suite struct NetscapeCookieFileTests {
    static let file = """
        # Netscape HTTP Cookie File
        .example.com\tTRUE\t/\tFALSE\t0\tsession\tabc
        #HttpOnly_api.example.com\tFALSE\t/v1\tTRUE\t2000000000\ttoken\tt1
        old.example.com\tFALSE\t/\tFALSE\t1000\texpired\tgone
        broken line without tabs
        example.org\tFALSE\t/\tFALSE\tnotanumber\tbad\tx

        """

    @Test func loadsWhatCurlWritesAndSkipsTheRest() throws {
        let jar = CookieJar()
        NetscapeCookieFile.load(Self.file, into: jar, unixNow: 1_900_000_000)
        #expect(jar.cookies.map(\.name) == ["session", "token"])
        #expect(jar.cookieHeader(for: "http://www.example.com/") == "session=abc")
        #expect(jar.cookieHeader(for: "https://api.example.com/v1/x") == "token=t1; session=abc")
        #expect(jar.cookieHeader(for: "http://api.example.com/v1/x") == "session=abc") // Secure
        let token = try #require(jar.cookies.first { $0.name == "token" })
        #expect(token.httpOnly && token.hostOnly && token.secure)
    }

    @Test func writesTheSameLinesBack() {
        let jar = CookieJar()
        NetscapeCookieFile.load(Self.file, into: jar, unixNow: 1_900_000_000)
        let text = NetscapeCookieFile.render(jar.cookies, unixNow: 1_900_000_000) { $0.expires == nil ? nil : 100_000_000 }
        #expect(text.hasSuffix(".example.com\tTRUE\t/\tFALSE\t0\tsession\tabc\n#HttpOnly_api.example.com\tFALSE\t/v1\tTRUE\t2000000000\ttoken\tt1\n"))
    }
}
