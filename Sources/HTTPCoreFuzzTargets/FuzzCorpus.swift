import Foundation

/// The committed inputs: `Fuzz/corpus/<target>/` (seeds) and `Fuzz/regressions/<target>/`
/// (crashes once found, named after what they found), replayed by the test suite and by
/// `httpcore-fuzz TARGET PATH...`.
public enum FuzzCorpus {
    /// `path` itself when it is a file, else every regular file under it (sorted, hidden
    /// files skipped); nothing when it does not exist.
    public static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return names.sorted().compactMap { name in
            let file = path + "/" + name
            var isDirectory: ObjCBool = false
            guard !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                  FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
            return file
        }
    }

    public static func read(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// Every committed input of `target` under the repository's `Fuzz` folder.
    public static func inputs(of target: String, fuzzFolder: String) -> [String] {
        files(at: fuzzFolder + "/corpus/" + target) + files(at: fuzzFolder + "/regressions/" + target)
    }
}
