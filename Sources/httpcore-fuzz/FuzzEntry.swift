import Foundation
import HTTPCoreFuzzTargets

#if FUZZING
// The libFuzzer build (scripts/fuzz.sh): one binary for every target, so one
// fuzzer+ASan build serves them all; HTTPCORE_FUZZ_TARGET names the one this run fuzzes.
// libFuzzer brings `main`, and SwiftPM then parses this module as a library: no
// top-level code here, in either branch.
private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["HTTPCORE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        fatalError("set HTTPCORE_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// Without -DFUZZING: replays inputs (files, or every file of directories) through one
/// target, to reproduce a crash under a debugger or check a fix.
///
///     httpcore-fuzz --list
///     httpcore-fuzz TARGET PATH...
@main enum FuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--list" {
            for target in FuzzTarget.all { print(target.name) }
            return
        }
        guard arguments.count >= 2, let target = FuzzTarget.named(arguments[0]) else {
            FileHandle.standardError.write(Data("usage: httpcore-fuzz --list | TARGET PATH...\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in FuzzCorpus.files(at: path) {
                target.run(try FuzzCorpus.read(file))
                count += 1
            }
        }
        print("\(target.name): \(count) inputs ran")
    }
}
#endif
