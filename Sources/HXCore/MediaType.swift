/// Content-Type by file extension for `hx serve`: the few types a browser or a test needs
/// to render what it fetched; anything else is bytes.
public enum MediaType {
    private static let byExtension: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8", "csv": "text/csv; charset=utf-8",
        "json": "application/json", "xml": "application/xml", "wasm": "application/wasm", "pdf": "application/pdf",
        "zip": "application/zip", "gz": "application/gzip",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "ico": "image/x-icon",
        "mp4": "video/mp4", "webm": "video/webm", "mp3": "audio/mpeg", "woff2": "font/woff2",
    ]
    public static let bytes = "application/octet-stream"
    public static let plainText = "text/plain; charset=utf-8"
    public static let html = "text/html; charset=utf-8"

    /// The type for a file name or path, by its last extension (case-insensitive).
    public static func forPath(_ path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return bytes }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? bytes
    }
}
