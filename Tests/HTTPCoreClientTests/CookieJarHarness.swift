import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import Testing

/// A jar on a `ManualClock` whose wall time starts at `CookieJarHarness.wallStart`
/// (Tue, 14 Nov 2023 22:13:20 GMT) and moves with the clock, plus any jump a test makes.
struct CookieJarHarness {
    static let wallStart: Int64 = 1_700_000_000

    let clock = ManualClock()
    let wallOffset = Locked<Int64>(0)
    let jar: CookieJar

    init(limits: CookieJar.Limits = CookieJar.Limits()) {
        let clock = self.clock, wallOffset = self.wallOffset
        jar = CookieJar(
            clock: clock,
            unixTime: { CookieJarHarness.wallStart + clock.now.nanoseconds / 1_000_000_000 + wallOffset.value },
            limits: limits
        )
    }

    func set(_ url: String, _ lines: String...) { jar.store(setCookies: lines, from: url) }

    func advance(seconds: Int64) { clock.advance(by: .seconds(seconds)) }
}

/// One scripted jar scenario: steps run in order on a fresh harness, each `expect` checks
/// the Cookie header a request would carry at that point.
struct CookieJarCase: Sendable, CustomTestStringConvertible {
    enum Step: Sendable {
        /// Set-Cookie values received from a URL.
        case set(String, [String])
        case advance(seconds: Int64)
        /// The wall clock jumps, the monotonic clock does not.
        case jumpWallClock(seconds: Int64)
        case expect(String, String?)
    }

    let name: String
    let steps: [Step]

    init(_ name: String, _ steps: Step...) {
        self.name = name
        self.steps = steps
    }

    var testDescription: String { name }
}

extension CookieJarCase.Step {
    static func set(_ url: String, _ line: String) -> Self { .set(url, [line]) }
}
