@testable import HTTPCoreOpenAPI
import HTTPTypes
import Testing

/// The router alone: which operation a method and path reach, with what parameters.
struct OpenAPIRouterTests {
    static let templates: [(HTTPRequest.Method, String)] = [
        (.get, "/greet/{name}"), (.get, "/greet/all"), (.post, "/greet/{name}"), (.get, "/greet/{name}.txt"),
        (.get, "/files/{name}.{ext}"), (.get, "/"), (.put, "/items/{id}/parts/{part}"), (.get, "/items/{id}/parts/{part}"),
    ]

    /// Each operation answers with its own method and template.
    static func router(_ templates: [(HTTPRequest.Method, String)]) throws -> OpenAPIRouter<String> {
        var router = OpenAPIRouter<String>()
        for (method, path) in templates { try router.register("\(method) \(path)", method: method, path: path) }
        return router
    }

    /// A match in one line: the operation and its parameters sorted by name, or the status.
    static func describe(_ match: OpenAPIRouter<String>.Match) -> String {
        switch match {
        case .found(let operation, let parameters):
            ([operation] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        case .methodNotAllowed(let allowed): "405 " + allowed.map(\.rawValue).joined(separator: ", ")
        case .notFound: "404"
        }
    }

    @Test(arguments: [
        ("GET /greet/bob", "GET /greet/{name} name=bob"),
        ("GET /greet/all", "GET /greet/all"),
        ("POST /greet/all", "POST /greet/{name} name=all"),
        ("GET /greet/notes.txt", "GET /greet/{name}.txt name=notes"),
        ("DELETE /greet/bob", "405 GET, POST"),
        ("GET /greet/J%C3%BCrgen%20X", "GET /greet/{name} name=J%C3%BCrgen%20X"),
        ("GET /greet/a%2Fb", "GET /greet/{name} name=a%2Fb"),
        ("GET /greet/a/b", "404"),
        ("GET /greet/", "404"),
        ("GET /greet", "404"),
        ("GET /", "GET /"),
        ("GET ", "404"),
        ("GET greet/bob", "404"),
        ("GET /files/report.tar.gz", "GET /files/{name}.{ext} ext=tar.gz name=report"),
        ("GET /files/.gz", "404"),
        ("GET /files/report", "404"),
        ("PUT /items/7/parts/3", "PUT /items/{id}/parts/{part} id=7 part=3"),
        ("DELETE /items/7/parts/3", "405 PUT, GET"),
        ("GET /unknown", "404"),
    ])
    func routes(request: String, expected: String) throws {
        let router = try Self.router(Self.templates)
        let (method, path) = request.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).map(String.init).pair
        #expect(Self.describe(router.route(HTTPRequest.Method(method)!, path: path[...])) == expected)
    }

    /// Text beats text with parameters beats a parameter alone, whatever the order of
    /// registration.
    @Test func theMostSpecificTemplateWinsInEitherOrder() throws {
        let templates: [(HTTPRequest.Method, String)] = [(.get, "/greet/{name}"), (.get, "/greet/{name}.txt"), (.get, "/greet/all")]
        for order in [templates, templates.reversed()] {
            let router = try Self.router(order)
            #expect(Self.describe(router.route(.get, path: "/greet/all")) == "GET /greet/all")
            #expect(Self.describe(router.route(.get, path: "/greet/all.txt")) == "GET /greet/{name}.txt name=all")
            #expect(Self.describe(router.route(.get, path: "/greet/ann")) == "GET /greet/{name} name=ann")
        }
    }

    @Test(arguments: [
        ("greet", "it does not start with /"),
        ("/greet/{name", "a { without its }"),
        ("/greet/name}", "a } without its {"),
        ("/greet/{}", "a parameter without a name"),
        ("/greet/{a{b}", "a parameter without a name"),
        ("/greet/{first}{last}", "two parameters with no text between them"),
        ("/greet/{name}/{name}", "parameter {name} appears twice"),
    ])
    func refusesTemplatesItCannotMatch(template: String, reason: String) {
        var router = OpenAPIRouter<String>()
        #expect(throws: OpenAPIRouteError.invalidTemplate(template, reason: reason)) {
            try router.register("", method: .get, path: template)
        }
        #expect(router.routes.isEmpty)
    }

    /// A second template of the same shape takes other methods only.
    @Test func oneMethodPerShape() throws {
        var router = try Self.router([(.get, "/greet/{name}")])
        #expect(throws: OpenAPIRouteError.alreadyRegistered(.get, "/greet/{who}")) {
            try router.register("", method: .get, path: "/greet/{who}")
        }
        try router.register("POST /greet/{who}", method: .post, path: "/greet/{who}")
        #expect(Self.describe(router.route(.post, path: "/greet/ann")) == "POST /greet/{who} who=ann")
        #expect(Self.describe(router.route(.get, path: "/greet/ann")) == "GET /greet/{name} name=ann")
    }
}

extension Array {
    /// The first two elements, for a split known to give two.
    var pair: (Element, Element) { (self[0], self[1]) }
}
