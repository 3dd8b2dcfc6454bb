import ArgumentParser
import HTTPCoreClient
import HXCore
@testable import hx
import Testing

/// The command line as ArgumentParser and the checks see it, in process: good arguments
/// resolve to what hx will do, malformed ones to a usage error (exit 2) with a clear message.
@Suite struct ArgumentParsingTests {
    static func transfer(_ arguments: [String]) throws -> Transfer {
        let command = try HX.parseAsRoot(arguments)
        let request = try #require(command as? RequestCommand)
        return try request.makeTransfer()
    }

    static func bench(_ arguments: [String]) throws -> BenchRun {
        let command = try HX.parseAsRoot(arguments)
        let bench = try #require(command as? BenchCommand)
        return try bench.makeRun()
    }

    /// The message and whether it counts as a usage error, as `HX.main` decides.
    static func usageError(_ arguments: [String]) -> String? {
        do {
            _ = try HX.parseAsRoot(arguments)
            return nil
        } catch {
            guard HX.exitCode(for: error) == .validationFailure else { return "not a usage error: \(error)" }
            return HX.fullMessage(for: error)
        }
    }

    @Test func aURLAloneIsAGET() throws {
        let transfer = try Self.transfer(["http://127.0.0.1:8080/x?y=1"])
        #expect(transfer.spec.method == "GET")
        #expect(transfer.spec.url.text == "http://127.0.0.1:8080/x?y=1")
        #expect(transfer.settings.mode == .auto)
        #expect(transfer.backend == .libuv)
        #expect(!transfer.verbose && !transfer.includeHead && !transfer.fail)
    }

    @Test func methodThenURLAndCurlStyleOptions() throws {
        let transfer = try Self.transfer([
            "delete", "example.com/item", "-H", "X-A: 1", "-i", "-v", "-f", "-o", "/tmp/out", "-m", "2.5",
            "--connect-timeout", "1", "--backend", "dispatch", "--http1.1",
        ])
        #expect(transfer.spec.method == "DELETE")
        #expect(transfer.spec.url.text == "http://example.com/item")
        #expect(transfer.spec.fields.contains { $0 == ("X-A", "1") })
        #expect(transfer.includeHead && transfer.verbose && transfer.fail)
        #expect(transfer.output == "/tmp/out")
        #expect(transfer.timeLimit == .milliseconds(2500))
        #expect(transfer.settings.connectTimeout == .seconds(1))
        #expect(transfer.backend == .dispatch)
        #expect(transfer.settings.mode == .http1)
    }

    @Test func aBodyMakesItAPOSTUnlessAMethodIsGiven() throws {
        #expect(try Self.transfer(["--json", "{}", "http://h/"]).spec.method == "POST")
        #expect(try Self.transfer(["-X", "PUT", "--data", "x", "http://h/"]).spec.method == "PUT")
        #expect(try Self.transfer(["--form", "a=1", "--form", "b=2", "http://h/"]).spec.body == .form([
            FormField(name: "a", value: .text("1")), FormField(name: "b", value: .text("2")),
        ]))
    }

    @Test func protocolFlags() throws {
        #expect(try Self.transfer(["--h2c", "http://h/"]).settings.mode == .h2c)
        #expect(try Self.transfer(["--http2", "https://h/"]).settings.mode == .http2)
        let configuration = try Self.transfer(["--h2c", "http://h/"]).settings.poolConfiguration()
        #expect(!configuration.http1 && configuration.http2)
    }

    @Test(arguments: [
        (["ftp://h/"], "only http:// and https://"),
        (["http://"], "is malformed"),
        (["http://h:99999/"], "is malformed"),
        (["G(T", "http://h/"], "not a valid HTTP method"),
        (["http://a", "b"], "after the URL"),
        (["GET", "http://h/", "-X", "POST"], "give the method once"),
        (["-H", "NoColon", "http://h/"], "no colon"),
        (["-H", ": v", "http://h/"], "not a valid field name"),
        (["-H", "Bad Name: v", "http://h/"], "not a valid field name"),
        (["--data", "@/nonexistent/file", "http://h/"], "No such file"),
        (["--data", "@", "http://h/"], "must be followed by a file name"),
        (["--data", "a", "--json", "b", "http://h/"], "cannot be combined"),
        (["--form", "novalue", "http://h/"], "must be name=value"),
        (["--form", "=v", "http://h/"], "empty name"),
        (["--form", "a=@-", "--form", "b=@-", "http://h/"], "only one body part can come from stdin"),
        (["--http2", "http://h/"], "use --h2c"),
        (["--http1.1", "--h2c", "http://h/"], "had already been set with flag '--http1.1'"),
        (["-m", "0", "http://h/"], "positive number of seconds"),
        (["--connect-timeout", "nan", "http://h/"], "positive number of seconds"),
        (["--cacert", "/nonexistent.pem", "https://h/"], "No such file"),
        (["--key", "k.pem", "https://h/"], "--key needs --cert"),
        (["--backend", "epoll", "http://h/"], "epoll"),
        (["--bogus", "http://h/"], "Unknown option '--bogus'"),
        ([], "Missing expected argument"),
        (["--digest", "http://h/"], "--digest needs -u"),
        (["-u", ":pw", "http://h/"], "user name before"),
        (["--retry", "101", "http://h/"], "--retry must be between 0 and 100"),
        (["-b", "=v", "http://h/"], "expected name=value"),
        (["-b", "/nonexistent-cookies.txt", "http://h/"], "No such file"),
        (["--max-redirs", "x", "-L", "http://h/"], "--max-redirs"),
        (["bench", "-n", "0", "http://h/"], "-n must be between 1 and 100000000, not 0"),
        (["bench", "-c", "9223372036854775807", "-m", "2", "http://h/"], "-c must be between 1 and 10000"),
        (["bench", "-m", "-1", "http://h/"], "-m"),
        (["bench", "-c", "x", "http://h/"], "-c"),
        (["bench", "http://h/", "extra"], "Unexpected argument"),
    ])
    func malformedArgumentsAreUsageErrors(arguments: [String], message: String) {
        let error = Self.usageError(arguments)
        #expect(error?.contains(message) == true, "\(arguments): \(error ?? "accepted")")
        if arguments.count > 1 { #expect(error?.contains("Usage: hx") == true, "\(arguments): no usage line in \(error ?? "")") }
    }

    @Test func clientPoliciesAreOffUnlessAskedAsInCurl() throws {
        let plain = try Self.transfer(["http://h/"])
        #expect(plain.policies.redirects == .off && !plain.policies.decodes && plain.policies.auth == nil && plain.policies.retries == .off)
        let asked = try Self.transfer(["-L", "--max-redirs", "3", "--compressed", "-u", "ann:pw", "--digest", "--retry", "2", "-b", "a=1; b=2", "-c", "/tmp/jar", "http://h/"])
        #expect(asked.policies.redirects.maxRedirects == 3)
        #expect(asked.policies.decodes)
        #expect(asked.policies.auth is DigestAuth)
        #expect(asked.policies.retries.maxRetries == 2 && asked.policies.retries.statuses.contains(503))
        #expect(asked.policies.cookiePairs.map { "\($0.0)=\($0.1)" } == ["a=1", "b=2"])
        #expect(asked.policies.cookieOutput == "/tmp/jar")
        #expect(try Self.transfer(["-u", "ann", "http://h/"]).policies.auth is BasicAuth)
    }

    @Test func benchOptionsLikeH2load() throws {
        let run = try Self.bench(["bench", "-n", "20000", "-c", "4", "-m", "100", "-t", "2", "--h2c", "http://127.0.0.1:1/"])
        #expect(run.requests == 20000 && run.clients == 4 && run.streams == 100 && run.threads == 2)
        #expect(run.settings.mode == .h2c)
    }

    @Test func helpListsTheExitCodes() {
        let help = HX.helpMessage()
        for status in HXCore.ExitStatus.allCases { #expect(help.contains("\(status.rawValue)  \(status.meaning)\n")) }
    }
}
