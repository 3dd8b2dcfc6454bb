import HTTPTypes
import Instrumentation

/// Writes a tracer's propagation fields (`traceparent`, `tracestate`, ...) into a
/// request's fields, replacing any of the same name. A key that is not a valid field name
/// is skipped.
struct HTTPFieldsInjector: Injector {
    func inject(_ value: String, forKey key: String, into fields: inout HTTPFields) {
        guard let name = HTTPField.Name(key) else { return }
        fields[name] = value
    }
}

/// Reads a tracer's propagation fields from a request's fields (several of one name
/// joined as a list, as HTTP combines them).
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        guard let name = HTTPField.Name(key) else { return nil }
        return fields[name]
    }
}
