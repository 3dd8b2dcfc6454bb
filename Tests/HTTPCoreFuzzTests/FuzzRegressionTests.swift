import HTTPCoreTestSupport
import HTTPCoreFuzzTargets
import Testing

/// Replays every committed seed and regression input through its fuzz target, so a crash
/// once found stays fixed and every target keeps running on real inputs. A broken
/// invariant traps, which fails the run.
@Suite struct FuzzRegressionTests {
    static let fuzzFolder: String = {
        // Tests/HTTPCoreFuzzTests/FuzzRegressionTests.swift -> the repository root.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fuzz"
    }()

    @Test(arguments: FuzzTarget.all.map(\.name))
    func replaysCommittedInputs(of name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let files = FuzzCorpus.inputs(of: name, fuzzFolder: Self.fuzzFolder)
        #expect(!files.isEmpty, "no seeds in Fuzz/corpus/\(name)")
        // Off the cooperative threads: the HTTP/2 targets block their caller while their
        // exchange runs on the pool.
        let ran = try await offCooperativeThreads {
            for file in files { target.run(try FuzzCorpus.read(file)) }
            return files.count
        }
        #expect(ran > 0)
    }

    @Test func everyTargetHasAFolderOfSeedsAndNoStrayFolder() throws {
        let names = Set(FuzzTarget.all.map(\.name))
        let folders = Set(FuzzCorpus.files(at: Self.fuzzFolder + "/corpus").compactMap { $0.split(separator: "/").dropLast().last.map(String.init) })
        #expect(folders == names)
    }
}
