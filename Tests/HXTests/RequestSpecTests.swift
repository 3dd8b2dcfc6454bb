import HTTPCore
import HTTPTypes
import HXCore
import Testing

/// Method, URL and fields as hx resolves them before any connection.
@Suite struct RequestSpecTests {
    @Test func defaultsAndMethodCase() throws {
        #expect(try RequestSpec(method: nil, url: "h").method == "GET")
        #expect(try RequestSpec(method: nil, url: "h", body: .data(.text("x"))).method == "POST")
        #expect(try RequestSpec(method: "patch", url: "h").method == "PATCH")
        #expect(try RequestSpec(method: "M-SEARCH", url: "h").method == "M-SEARCH")
        #expect(throws: HXFailure.self) { try RequestSpec(method: "GET /", url: "h") }
        #expect(throws: HXFailure.self) { try RequestSpec(method: "", url: "h") }
    }

    @Test func urls() throws {
        #expect(try TargetURL("localhost:8080/a").text == "http://localhost:8080/a")
        #expect(try TargetURL("https://[::1]:8443/").origin == Origin(scheme: "https", host: "::1", port: 8443))
        #expect(try TargetURL("HTTPS://Example.com").isHTTPS)
        for bad in ["", "http://", "http://h:0/", "http://h:x/", "mailto://a", "http://a b/", "http://u@h/", "http://h/\u{1}"] {
            #expect(throws: HXFailure.self, "\(bad.debugDescription)") { try TargetURL(bad) }
        }
    }

    @Test func userFieldsReplaceOrRemoveDefaults() throws {
        let spec = try RequestSpec(
            method: nil, url: "h", headers: ["user-agent: mine/1", "Accept:", "X-Multi: 1", "x-multi: 2", "Content-Type: text/plain"],
            body: .json(.text("{}"))
        )
        #expect(spec.fields.map { "\($0.name): \($0.value)" } == [
            "user-agent: mine/1", "Content-Type: text/plain", "X-Multi: 1", "x-multi: 2",
        ])
    }

    @Test func headerValuesAreTrimmedAndChecked() throws {
        #expect(try HeaderLine(argument: "A:   b c  ") == HeaderLine(name: "A", value: "b c"))
        #expect(try HeaderLine(argument: "A:").removes)
        #expect(try HeaderLine(argument: "A: x:y").value == "x:y")
        #expect(throws: HXFailure.self) { try HeaderLine(argument: "A: b\r\nC: d") }
        #expect(throws: HXFailure.self) { try HeaderLine(argument: "(A): b") }
    }

    @Test func theRequestCarriesMethodPathAndFields() throws {
        let spec = try RequestSpec(method: "PUT", url: "https://example.com:8443/p?q=1#frag", headers: ["X-A: 1"], body: .data(.text("d")))
        let request = try spec.makeRequest(options: RequestOptions()) { () throws(HXFailure) in [] }
        #expect(request.head.method.rawValue == "PUT")
        #expect(request.head.path == "/p?q=1")
        #expect(request.head.authority == "example.com:8443")
        #expect(request.head.headerFields[HTTPField.Name("X-A")!] == "1")
        #expect(request.body.knownLength == 1)
    }
}
