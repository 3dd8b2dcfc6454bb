import Dispatch
@testable import HTTPCoreDispatch
import Testing

/// The Dispatch streams' read and write deadline timer: armed per read, it must let go of
/// what the read captured (its waiter, and the bytes handed to it) as soon as it is
/// disarmed, not at the deadline. Work items from `asyncAfter` did not, and a download
/// under a read timeout held every piece it had read within the timeout.
@Suite struct QueueTimerTests {
    final class Sentinel: Sendable {}

    @Test func disarmingReleasesWhatTheActionCaptured() async {
        let queue = DispatchQueue(label: "queue-timer-test")
        weak var released: Sentinel?
        queue.sync {
            let timer = QueueTimer(queue: queue)
            func arm() {
                let sentinel = Sentinel()
                released = sentinel
                timer.arm(after: .seconds(60)) { _ = sentinel }
            }
            for _ in 0..<3 {
                arm()
                #expect(released != nil)
                timer.disarm()
                #expect(released == nil, "a disarmed deadline still holds its capture")
            }
        }
    }

    @Test func firesOnceAndRearms() async {
        let queue = DispatchQueue(label: "queue-timer-test")
        let fired = DispatchSemaphore(value: 0)
        let timer = queue.sync { QueueTimer(queue: queue) }
        for _ in 0..<2 {
            queue.sync { timer.arm(after: .milliseconds(10)) { fired.signal() } }
            #expect(fired.wait(timeout: .now() + 5) == .success)
        }
        // A replaced deadline does not fire: only the last one armed does.
        queue.sync {
            timer.arm(after: .milliseconds(10)) { Issue.record("a replaced deadline fired") }
            timer.arm(after: .milliseconds(30)) { fired.signal() }
        }
        #expect(fired.wait(timeout: .now() + 5) == .success)
        #expect(fired.wait(timeout: .now() + .milliseconds(100)) == .timedOut)
    }
}
