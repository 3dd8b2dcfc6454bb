/// An OpenAPI path template such as `/greet/{name}` or `/files/{name}.{ext}`, split into
/// segments at `/`; each segment is text and `{parameters}`, a parameter taking a
/// non-empty part of one request path segment.
///
/// Paths are compared as they are on the wire, percent-encoded: `%2F` inside a parameter
/// is not a separator, and values are handed on still encoded, as swift-openapi-runtime
/// decodes them itself (decoding here first would turn `%2525` into `%` on the way).
struct OpenAPIPathTemplate: Sendable {
    enum Part: Hashable, Sendable {
        case literal(Substring)
        case parameter(String)
    }

    /// One path segment's parts, never two parameters in a row (where one would end is
    /// anyone's guess).
    typealias Segment = [Part]

    let segments: [Segment]

    init(_ template: String) throws(OpenAPIRouteError) {
        guard template.first == "/" else { throw .invalidTemplate(template, reason: "it does not start with /") }
        var names: Set<String> = []
        var segments: [Segment] = []
        for text in template.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var parts: Segment = []
            var rest = text
            while !rest.isEmpty {
                guard rest.first == "{" else {
                    let end = rest.firstIndex { $0 == "{" || $0 == "}" } ?? rest.endIndex
                    guard end == rest.endIndex || rest[end] == "{" else { throw .invalidTemplate(template, reason: "a } without its {") }
                    parts.append(.literal(rest[..<end]))
                    rest = rest[end...]
                    continue
                }
                guard let close = rest.firstIndex(of: "}") else { throw .invalidTemplate(template, reason: "a { without its }") }
                let name = rest[rest.index(after: rest.startIndex)..<close]
                guard !name.isEmpty, !name.contains("{") else { throw .invalidTemplate(template, reason: "a parameter without a name") }
                if case .parameter? = parts.last { throw .invalidTemplate(template, reason: "two parameters with no text between them") }
                guard names.insert(String(name)).inserted else { throw .invalidTemplate(template, reason: "parameter {\(name)} appears twice") }
                parts.append(.parameter(String(name)))
                rest = rest[rest.index(after: close)...]
            }
            segments.append(parts)
        }
        self.segments = segments
    }

    /// The template with its parameters unnamed: two templates of one shape match the same
    /// paths, so a method may be registered on only one of them.
    var shape: [[Substring?]] {
        segments.map { $0.map { if case .literal(let text) = $0 { text } else { nil } } }
    }

    /// The parameters' values when `path` (no query, starting with `/`) matches.
    func match(_ path: Substring) -> [String: Substring]? {
        guard path.first == "/" else { return nil }
        let texts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard texts.count == segments.count else { return nil }
        var parameters: [String: Substring] = [:]
        for (parts, text) in zip(segments, texts) {
            guard Self.match(parts[...], text, into: &parameters) else { return nil }
        }
        return parameters
    }

    /// Matches one segment, trying each place a parameter could end (`{name}.{ext}` on
    /// `a.b.c`: the first try gives `a` and `b.c`).
    private static func match(_ parts: ArraySlice<Part>, _ text: Substring, into parameters: inout [String: Substring]) -> Bool {
        guard let part = parts.first else { return text.isEmpty }
        switch part {
        case .literal(let literal):
            guard text.hasPrefix(literal) else { return false }
            return match(parts.dropFirst(), text.dropFirst(literal.count), into: &parameters)
        case .parameter(let name):
            var end = text.startIndex
            while end < text.endIndex {
                end = text.index(after: end)
                if match(parts.dropFirst(), text[end...], into: &parameters) {
                    parameters[name] = text[..<end]
                    return true
                }
            }
            return false
        }
    }

    /// Whether `self` is the more specific of two templates that both match a path: at
    /// the first segment where they differ, text beats text with parameters, which beats
    /// a parameter alone (`/greet/all`, then `/greet/{name}.txt`, then `/greet/{name}`).
    func isMoreSpecific(than other: OpenAPIPathTemplate) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            let (a, b) = (Self.rank(mine), Self.rank(theirs))
            if a != b { return a > b }
        }
        return false
    }

    private static func rank(_ segment: Segment) -> Int {
        let parameters = segment.count { if case .parameter = $0 { true } else { false } }
        return parameters == 0 ? 2 : segment.count > 1 ? 1 : 0
    }
}
