import Foundation

/// The expected side of every check, read once before any peer is asked: the files the
/// peers serve (small ones kept whole, large ones as digest and length).
struct Docroot: Sendable {
    struct File: Sendable {
        /// The whole content, for files up to `keepLimit`.
        var bytes: [UInt8]?
        var sha256: String
        var length: Int
    }

    static let keepLimit = 1 << 20
    private var files: [String: File] = [:]

    /// Reads every file named by an `expect` in the manifest.
    init(_ manifest: Manifest) throws {
        let names = Set(manifest.peers.flatMap { $0.checks.values.compactMap(\.expect) })
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: manifest.docroot).appendingPathComponent(name))
            let bytes = [UInt8](data)
            files[name] = File(bytes: bytes.count <= Docroot.keepLimit ? bytes : nil, sha256: SHA256.hex(of: bytes), length: bytes.count)
        }
    }

    subscript(name: String) -> File? { files[name] }
}
