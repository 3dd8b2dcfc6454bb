@testable import HTTPCoreClient
import Testing

/// The pieces under the jar: the §5.1.1 date algorithm and the §5.2 Set-Cookie reader.
@Suite struct CookieParsingTests {
    static let novemberSixth: Int64 = 784_111_777

    @Test(arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", novemberSixth),
        ("Sunday, 06-Nov-94 08:49:37 GMT", novemberSixth),
        ("Sun Nov  6 08:49:37 1994", novemberSixth),
        ("Sun, 06-Nov-1994 08:49:37 GMT", novemberSixth),
        ("sun, 06 NOVEMBER 1994 08:49:37 gmt", novemberSixth),
        ("06 Nov 1994 08:49:37", novemberSixth),
        ("1994 Nov 06 08:49:37 +0200", novemberSixth),
        ("Sun, 06 Nov 1994 8:9:7 GMT", 784_109_347),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Tue, 19 Jan 2038 03:14:08 GMT", 2_147_483_648),
        ("Mon, 01 Jan 1601 00:00:00 GMT", -11_644_473_600),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799),
        ("Thu, 29 Feb 2024 00:00:00 GMT", 1_709_164_800),
        ("Wed, 31 Dec 69 00:00:00 GMT", 3_155_673_600),
    ] as [(String, Int64)])
    func datesInTheShapesServersSend(_ text: String, _ seconds: Int64) {
        #expect(CookieDate.parse(Substring(text)) == seconds)
    }

    @Test(arguments: [
        "", "tomorrow", "Sun, 06 Nov 1994", "Sun, 06 Nov 08:49:37 GMT", "Sun, 06 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Fri, 30 Feb 2024 10:00:00 GMT", "Wed, 29 Feb 2023 00:00:00 GMT",
        "Sun, 06 Nov 1600 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT", "Sun, 06 Nov 1994 108:49:37 GMT", "Sun, 06 Nov 19940 08:49:37 GMT",
        "Sun, 06 Nov 5 08:49:37 GMT",
    ])
    func datesMissingAPartOrOutOfRangeAreRefused(_ text: String) {
        #expect(CookieDate.parse(Substring(text)) == nil)
    }

    @Test func theLastAttributeOfEachNameWins() throws {
        let cookie = try #require(SetCookie("a=1; Path=/x; Domain=a.com; path=/y; DOMAIN=.B.com; Max-Age=5; max-age=-0"))
        #expect(cookie.path == "/y")
        #expect(cookie.domain == "b.com")
        #expect(cookie.maxAge == .expired)
    }

    @Test(arguments: [
        ("Max-Age=60", SetCookie.MaxAge.seconds(60)),
        ("Max-Age=0", .expired),
        ("Max-Age=-5", .expired),
        ("Max-Age=99999999999999999999999", .seconds(.max)),
        ("Max-Age=", nil),
        ("Max-Age=-", nil),
        ("Max-Age=+5", nil),
        ("Max-Age=5s", nil),
        ("Max-Age= 7 ", .seconds(7)),
    ] as [(String, SetCookie.MaxAge?)])
    func maxAgeIsDigitsWithAnOptionalMinus(_ attribute: String, _ expected: SetCookie.MaxAge?) throws {
        #expect(try #require(SetCookie("a=1; " + attribute)).maxAge == expected)
    }

    @Test func flagsAndPathsAreRead() throws {
        let cookie = try #require(SetCookie("sid=x y; secure; HTTPONLY; Path=relative"))
        #expect(cookie.value == "x y")
        #expect(cookie.secure && cookie.httpOnly)
        #expect(cookie.path == nil)
    }

    @Test(arguments: [(4096, true), (4097, false)])
    func nameAndValueAreCappedTogether(_ size: Int, _ accepted: Bool) {
        let line = "n=" + String(repeating: "v", count: size - 1) + "; Path=/"
        #expect((SetCookie(line) != nil) == accepted)
    }
}
