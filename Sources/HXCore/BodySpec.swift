public import HTTPCoreClient

/// The request body the options ask for: `--data`, `--json` or `--form` (at most one kind;
/// `--form` is multipart/form-data, as in curl).
public enum BodySpec: Sendable, Hashable {
    case data(BodyInput)
    case json(BodyInput)
    case form([FormField])

    /// The body from the options as given, nil when none was; a usage failure when more
    /// than one kind is given, or a `--form` argument is malformed.
    public init?(data: String?, json: String?, form: [String]) throws(HXFailure) {
        let given = [data != nil ? "--data" : nil, json != nil ? "--json" : nil, form.isEmpty ? nil : "--form"].compactMap { $0 }
        guard given.count <= 1 else { throw HXFailure(.usage, "\(given.joined(separator: " and ")) cannot be combined: give one body") }
        if let data {
            self = .data(BodyInput(argument: data))
        } else if let json {
            self = .json(BodyInput(argument: json))
        } else if !form.isEmpty {
            var fields: [FormField] = []
            for argument in form { fields.append(try FormField(argument: argument)) }
            self = .form(fields)
        } else {
            return nil
        }
        try check()
    }

    private var inputs: [BodyInput] {
        switch self {
        case .data(let input), .json(let input): [input]
        case .form(let fields): fields.map(\.value)
        }
    }

    /// Files exist and are readable, and stdin is read at most once.
    public func check() throws(HXFailure) {
        for input in inputs { try input.check() }
        if inputs.filter({ $0 == .stdin }).count > 1 { throw HXFailure(.usage, "only one body part can come from stdin ('@-')") }
    }

    /// The fields this body implies; an explicit `-H` of the same name wins.
    public var impliedHeaders: [(String, String)] {
        switch self {
        case .data: [("Content-Type", "application/x-www-form-urlencoded")]
        case .json: [("Content-Type", "application/json"), ("Accept", "application/json")]
        case .form: []  // multipart/form-data with its boundary, from the client
        }
    }

    /// The body to send. `stdin` is called at most once, when a part is `@-`.
    public func makeBody(stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> HTTPClient.Body {
        switch self {
        case .data(let input), .json(let input):
            return try input.body(stdin: stdin)
        case .form(let fields):
            var parts: [MultipartForm.Part] = []
            for field in fields { parts.append(try field.part(stdin: stdin)) }
            return .multipart(MultipartForm(parts))
        }
    }
}
