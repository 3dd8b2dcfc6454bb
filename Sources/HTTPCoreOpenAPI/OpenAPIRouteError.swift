public import HTTPTypes

/// Why `OpenAPIServerTransport.register` refused an operation.
public enum OpenAPIRouteError: Error, Hashable, CustomStringConvertible {
    /// The path is not a template the router takes (see `OpenAPIServerTransport`).
    case invalidTemplate(String, reason: String)
    /// This method is registered already on a template of the same shape.
    case alreadyRegistered(HTTPRequest.Method, String)

    public var description: String {
        switch self {
        case .invalidTemplate(let template, let reason): "path template \(template.debugDescription) is not supported: \(reason)"
        case .alreadyRegistered(let method, let template): "\(method) \(template) is registered already"
        }
    }
}
