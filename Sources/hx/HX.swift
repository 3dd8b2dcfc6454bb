import ArgumentParser
import HTTPCore
import HXCore
#if canImport(Glibc)
import Glibc
#endif

/// `hx`: requests like curl and httpie (`hx [METHOD] URL`, the default subcommand) and
/// load like h2load (`hx bench`), all through `ConnectionPool`; and a file server on
/// `HTTPServer` (`hx serve`) to point them at.
@main
struct HX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hx",
        abstract: "HTTP/1.1 and HTTP/2 on swift-httpcore: requests (like curl), load (like h2load) and a file server.",
        usage: """
            hx [METHOD] URL [-H 'Name: value'] [--json|--data|--form ...] [-o FILE] [-i] [-v] [options]
            hx bench -n N -c CONNECTIONS -m STREAMS [--http1.1|--h2c] URL
            hx serve [DIR] [--port N] [--bind ADDR] [--cert FILE --key FILE | --h2c]
            """,
        discussion: """
            'hx help request', 'hx help bench' and 'hx help serve' list every option.

            EXIT CODES (curl's numbers where curl has one):
            \(ExitStatus.helpTable)
            """,
        version: "hx 0.1",
        subcommands: [RequestCommand.self, BenchCommand.self, ServeCommand.self],
        defaultSubcommand: RequestCommand.self
    )

    /// Parses and runs, mapping failures to exit codes: usage errors exit 2 with the usage
    /// line (ArgumentParser's own code for them is 64), library errors by category.
    static func main() async {
        signal(SIGPIPE, SIG_IGN)  // a closed pipe is a write error (23), not a silent death
        do {
            let command = try parseAsRoot()
            // The command runs in a task of its own so that Ctrl-C can cancel it.
            let run = Task.detached {
                var command = command
                if var command = command as? AsyncParsableCommand {
                    try await command.run()
                } else {
                    try command.run()
                }
            }
            let interrupts = Interrupts.cancel(run)
            defer { interrupts.cancel() }
            try await run.value
        } catch let failure as HXFailure {
            exit(with: failure)
        } catch let error as HTTPCoreError {
            exit(with: HXFailure(error))
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardIO.write(fullMessage(for: error) + "\n", to: StandardIO.error)
                Glibc.exit(ExitStatus.usage.rawValue)
            }
            if error is CancellationError { exit(with: HXFailure(.cancelled, "interrupted")) }
            exit(withError: error)
        }
    }

    private static func exit(with failure: HXFailure) -> Never {
        let interrupted = failure.status == .cancelled && Interrupts.happened
        StandardIO.printError("hx: \(interrupted ? "interrupted" : failure.message)")
        Glibc.exit(failure.status.rawValue)
    }
}

/// Runs a check that reports problems as `HXFailure(.usage)`, turning them into
/// ArgumentParser's `ValidationError` so they print with the usage line.
func usageChecked<T>(_ body: () throws(HXFailure) -> T) throws -> T {
    do {
        return try body()
    } catch where error.status == .usage {
        throw ValidationError(error.message)
    }
}
