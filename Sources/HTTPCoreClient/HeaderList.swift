import HTTPCore
import HTTPTypes

/// Header fields given as strings (by the configuration or a request), checked before
/// anything is sent: a name must be a token, and no name or value may hold CR, LF or NUL.
enum HeaderList {
    static func fields<S: Sequence>(_ pairs: S) throws(HTTPCoreError) -> HTTPFields where S.Element == (String, String) {
        var fields = HTTPFields()
        for (name, value) in pairs {
            try Request.refuseControlBytes(in: name, what: "field name")
            try Request.refuseControlBytes(in: value, what: "value of field \(name.debugDescription)")
            guard let fieldName = HTTPField.Name(name) else {
                throw HTTPCoreError(.invalidRequest, "field name \(name.debugDescription) is not a token", processing: .notProcessed)
            }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }
}
