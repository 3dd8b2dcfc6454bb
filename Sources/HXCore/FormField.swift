public import HTTPCoreClient

/// One `-F name=value` field of a multipart/form-data body, as curl takes it: the value
/// may be a file (`name=@path`, sent as a file part, streamed) or stdin (`name=@-`).
public struct FormField: Sendable, Hashable {
    public let name: String
    public let value: BodyInput

    public init(name: String, value: BodyInput) {
        self.name = name
        self.value = value
    }

    /// Parses `name=value`; the name must not be empty.
    public init(argument: String) throws(HXFailure) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw HXFailure(.usage, "--form \(argument.debugDescription) must be name=value")
        }
        let name = String(argument[..<equals])
        guard !name.isEmpty else { throw HXFailure(.usage, "--form \(argument.debugDescription) has an empty name") }
        self.init(name: name, value: BodyInput(argument: String(argument[argument.index(after: equals)...])))
    }

    /// The part: a text field, a file part named after the file, or stdin as a file part
    /// named `-` (as curl names it).
    public func part(stdin: () throws(HXFailure) -> [UInt8]) throws(HXFailure) -> MultipartForm.Part {
        switch value {
        case .text(let text): .field(name: name, value: text)
        case .file(let path): .file(name: name, path: path, filename: nil, contentType: nil)
        case .stdin: .data(name: name, bytes: try stdin(), filename: "-", contentType: nil)
        }
    }
}
