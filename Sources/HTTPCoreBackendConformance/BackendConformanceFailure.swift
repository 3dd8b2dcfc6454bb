import HTTPCore

/// A condition of a `BackendConformance` check that did not hold: which check, what was
/// expected and seen, and the line of the check (in this library) that found it.
public struct BackendConformanceFailure: Error, CustomStringConvertible, Sendable {
    public let check: BackendConformance.Check
    public let message: String
    public let line: UInt

    public var description: String { "\(check): \(message) (BackendConformance+Checks.swift:\(line))" }
}

extension ConformanceFixture {
    /// Throws a failure unless `condition` holds.
    func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws(BackendConformanceFailure) {
        guard condition else { throw BackendConformanceFailure(check: check, message: message(), line: line) }
    }

    /// `value` unless it is nil.
    func require<T>(_ value: T?, _ message: @autoclosure () -> String, line: UInt = #line) throws(BackendConformanceFailure) -> T {
        guard let value else { throw BackendConformanceFailure(check: check, message: message(), line: line) }
        return value
    }

    /// The `HTTPCoreError` that `body` throws; a failure if it returns or throws another error.
    func expectError(_ what: String, line: UInt = #line, _ body: () async throws -> Void) async throws(BackendConformanceFailure) -> HTTPCoreError {
        do {
            try await body()
        } catch let error as HTTPCoreError {
            return error
        } catch {
            throw BackendConformanceFailure(check: check, message: "\(what): expected an HTTPCoreError, got \(error)", line: line)
        }
        throw BackendConformanceFailure(check: check, message: "\(what): expected an HTTPCoreError, nothing was thrown", line: line)
    }
}
