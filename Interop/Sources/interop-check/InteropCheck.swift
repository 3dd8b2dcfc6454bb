import Foundation

/// `interop-check MANIFEST [--backend libuv|dispatch]... [--markdown FILE]`
///
/// Runs the checks `Interop/run.sh` describes in MANIFEST, prints the markdown table of
/// peer x check on stdout (and to FILE), and exits 1 if any check that should pass failed.
@main
enum InteropCheck {
    static let usage = "usage: interop-check MANIFEST [--backend libuv|dispatch]... [--markdown FILE]"

    static func main() async {
        var arguments = CommandLine.arguments.dropFirst()
        var manifestPath: String?
        var backends: [BackendKind] = []
        var markdownPath: String?
        while let argument = arguments.popFirst() {
            switch argument {
            case "--backend":
                guard let value = arguments.popFirst(), let backend = BackendKind(rawValue: value) else { fail(usage) }
                backends.append(backend)
            case "--markdown":
                guard let value = arguments.popFirst() else { fail(usage) }
                markdownPath = value
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                guard manifestPath == nil, !argument.hasPrefix("-") else { fail(usage) }
                manifestPath = argument
            }
        }
        guard let manifestPath else { fail(usage) }
        let manifest: Manifest
        let docroot: Docroot
        do {
            manifest = try Manifest.load(manifestPath)
            docroot = try Docroot(manifest)
        } catch {
            fail("interop-check: cannot read \(manifestPath) or its docroot: \(error)")
        }

        let run = InteropRun(manifest: manifest, docroot: docroot, backends: backends.isEmpty ? BackendKind.allCases : backends)
        let table = await run.run()
        let text = table.markdown()
        print(text)
        print("")
        print(table.summary())
        if let markdownPath {
            do {
                try (text + "\n").write(toFile: markdownPath, atomically: true, encoding: .utf8)
            } catch {
                fail("interop-check: cannot write \(markdownPath): \(error)")
            }
        }
        exit(table.cells.contains(where: \.failsRun) ? 1 : 0)
    }

    static func fail(_ message: String) -> Never {
        StandardError.write(message)
        exit(2)
    }
}
