import HTTPCore
import Testing

/// `IPAddressLiteral` must read what `inet_pton` reads and refuse what it refuses: a name
/// taken for a literal would skip resolution, a literal taken for a name would be looked up.
@Suite struct IPAddressLiteralTests {
    @Test func readsIPv4AndIPv6WithOrWithoutBrackets() throws {
        #expect(IPAddressLiteral("127.0.0.1")?.bytes == [127, 0, 0, 1])
        #expect(IPAddressLiteral("0.0.0.0")?.bytes == [0, 0, 0, 0])
        #expect(IPAddressLiteral("255.255.255.255")?.bytes == [255, 255, 255, 255])
        #expect(IPAddressLiteral("::1")?.bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddressLiteral("::")?.bytes == Array(repeating: 0, count: 16))
        #expect(IPAddressLiteral("[2001:db8::ff]")?.bytes == [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0xff])
        #expect(IPAddressLiteral("1:2:3:4:5:6:7:8")?.bytes == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8])
        #expect(IPAddressLiteral("1:2:3:4:5:6:7::")?.bytes == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0])
        #expect(IPAddressLiteral("FE80::aB")?.bytes == [0xfe, 0x80] + Array(repeating: 0, count: 13) + [0xab])
        #expect(IPAddressLiteral("::ffff:10.1.2.3")?.bytes == Array(repeating: 0, count: 10) + [0xff, 0xff, 10, 1, 2, 3])

        let bracketed = try #require(IPAddressLiteral("[::1]"))
        #expect(bracketed.text == "::1")
        #expect(bracketed.isIPv6)
        #expect(IPAddressLiteral("10.0.0.1")?.isIPv6 == false)
    }

    @Test(arguments: [
        "", "[]", "localhost", "example.com", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ",
        "+1.2.3.4", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "1::2::3", ":::", ":1::", "12345::", "+1::", "g::",
        "fe80::1%eth0", "1.2.3.4::", "::1.2.3.4.5", "::1.2.3", "[::1", "::1]", "١٢٧.0.0.1",
    ])
    func refusesWhatIsNotALiteral(text: String) {
        #expect(IPAddressLiteral(text) == nil)
    }

    @Test func aResolvedAddressFromALiteralKeepsThePortAndFamily() {
        #expect(ResolvedAddress(literal: "[::1]", port: 443) == ResolvedAddress(ip: "::1", port: 443, isIPv6: true))
        #expect(ResolvedAddress(literal: "10.0.0.7", port: 80) == ResolvedAddress(ip: "10.0.0.7", port: 80, isIPv6: false))
        #expect(ResolvedAddress(literal: "localhost", port: 80) == nil)
    }
}
