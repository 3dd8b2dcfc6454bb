import HTTPTypes

/// Which registered operation answers a request: by OpenAPI path template and method. A
/// value with no locks or I/O, so its rules are tested alone; `OpenAPIServerTransport`
/// keeps one behind its lock.
///
/// Of the templates that match a path and have the method, the most specific wins (text
/// before a parameter, segment by segment), so `GET /greet/all` and `GET /greet/{name}`
/// can both exist, and a `POST` only on `/greet/{name}` still answers `POST /greet/all`.
/// A path some template matches, but none with the method, is `.methodNotAllowed` with
/// the methods that would do; a path none matches is `.notFound`.
///
/// Matching tries every route in turn: fine for the tens of operations an API has. A
/// trie would be the next step for thousands.
struct OpenAPIRouter<Handler> {
    struct Route {
        let template: OpenAPIPathTemplate
        let method: HTTPRequest.Method
        let handler: Handler
    }

    enum Match {
        case found(Handler, pathParameters: [String: Substring])
        /// The allowed methods in the order they were registered, for the `Allow` field.
        case methodNotAllowed(allowed: [HTTPRequest.Method])
        case notFound
    }

    private(set) var routes: [Route] = []

    mutating func register(_ handler: Handler, method: HTTPRequest.Method, path: String) throws(OpenAPIRouteError) {
        let template = try OpenAPIPathTemplate(path)
        if routes.contains(where: { $0.method == method && $0.template.shape == template.shape }) {
            throw .alreadyRegistered(method, path)
        }
        routes.append(Route(template: template, method: method, handler: handler))
    }

    /// `path` is the request target's path: no query, still percent-encoded.
    func route(_ method: HTTPRequest.Method, path: Substring) -> Match {
        var best: (route: Route, parameters: [String: Substring])?
        var allowed: [HTTPRequest.Method] = []
        for route in routes {
            guard let parameters = route.template.match(path) else { continue }
            guard route.method == method else {
                if !allowed.contains(route.method) { allowed.append(route.method) }
                continue
            }
            if best.map({ route.template.isMoreSpecific(than: $0.route.template) }) ?? true {
                best = (route, parameters)
            }
        }
        if let best { return .found(best.route.handler, pathParameters: best.parameters) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
