#if canImport(Glibc)
import Glibc
#endif

/// The HTML page `hx serve` shows for a folder without `index.html`: its entries sorted
/// by name, folders with a trailing slash, hidden ones included (as `python -m
/// http.server` does), each a relative link so the page works under any path.
enum DirectoryListing {
    /// The page for the folder at `path`, titled with the request path `title`; nil when
    /// the folder cannot be read.
    static func page(path: String, title: String) -> [UInt8]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var entries: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name != ".", name != ".." else { continue }
            entries.append(DocumentRoot.kind(of: path + "/" + name) == S_IFDIR ? name + "/" : name)
        }
        let items = entries.sorted().map { "<li><a href=\"\(escaped(percentEncoded($0)))\">\(escaped($0))</a></li>" }
        let heading = escaped(title)
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(heading)</title></head>
            <body><h1>\(heading)</h1><ul>
            \(items.joined(separator: "\n"))
            </ul></body></html>

            """
        return Array(html.utf8)
    }

    /// HTML text: the five characters that could end an attribute or start markup.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A link to a name: every byte outside RFC 3986's unreserved set (and the folder's
    /// trailing `/`) percent-encoded, so `?`, `#` and `%` in names stay part of the path.
    static func percentEncoded(_ name: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for (index, byte) in name.utf8.enumerated() {
            let unreserved = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || "-._~".utf8.contains(byte)
            if unreserved || (byte == UInt8(ascii: "/") && index == name.utf8.count - 1) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
