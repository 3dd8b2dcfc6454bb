import Dispatch
import HTTPCore

/// A one-shot timer on a stream's queue that is re-armed for each read or write deadline.
///
/// One `DispatchSourceTimer` for the stream's life, not an `asyncAfter` work item per
/// read: a cancelled work item keeps its block, and all the block captures (the read's
/// waiter, and so the bytes it was handed), queued until its deadline. A download read
/// in 64 KiB pieces under a 30 s read timeout then held every piece of the last 30 s.
final class QueueTimer: @unchecked Sendable {
    // @unchecked: created, armed, disarmed and fired on its queue only.
    private let source: DispatchSourceTimer
    private var action: (() -> Void)?

    init(queue: DispatchQueue) {
        source = DispatchSource.makeTimerSource(queue: queue)
        // Weak: the timer may be released off its queue while an event is on its way.
        source.setEventHandler { [weak self] in
            let action = self?.action
            self?.action = nil
            action?()
        }
        source.schedule(deadline: .distantFuture)
        source.resume()
    }

    deinit { source.cancel() }

    /// Runs `action` after `delay`, replacing whatever was armed.
    func arm(after delay: Duration, _ action: @escaping () -> Void) {
        self.action = action
        source.schedule(deadline: .now() + .nanoseconds(Int(max(0, delay.nanosecondsClamped))))
    }

    func disarm() {
        action = nil
        source.schedule(deadline: .distantFuture)
    }
}
