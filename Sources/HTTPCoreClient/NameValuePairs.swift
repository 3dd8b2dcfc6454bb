/// Names with values, in order, duplicates kept: query parameters, header fields, form
/// fields. Written as a dictionary literal (`["q": "swift", "page": "2"]`) or made from an
/// array at run time (`NameValuePairs(pairs)`), which `KeyValuePairs` cannot be.
public struct NameValuePairs: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public var pairs: [(String, String)]

    public init(_ pairs: [(String, String)] = []) { self.pairs = pairs }

    public init(dictionaryLiteral elements: (String, String)...) { pairs = elements }

    public var isEmpty: Bool { pairs.isEmpty }

    public mutating func append(_ name: String, _ value: String) { pairs.append((name, value)) }

    public func makeIterator() -> IndexingIterator<[(String, String)]> { pairs.makeIterator() }
}
