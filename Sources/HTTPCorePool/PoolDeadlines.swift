import HTTPCore

/// When each waiting request's pool timeout passes, earliest first, for the one timer
/// task that serves them all (a task per waiting request costs a thread wake-up each
/// when thousands queue).
///
/// Requests given a connection in time are not removed one by one: `expired` skips them,
/// and the list is compacted once most of it is such leftovers.
struct PoolDeadlines {
    struct Entry {
        let deadline: HTTPInstant
        let ticket: Int
        let origin: Origin
        /// What the request fails with: a pool timeout or its total deadline.
        let failure: HTTPCoreError
    }

    private var items: [Entry] = []
    private var head = 0

    var earliest: HTTPInstant? { head < items.count ? items[head].deadline : nil }

    /// Adds a deadline; with one pool timeout for every request, that is an append.
    mutating func insert(_ entry: Entry) {
        if items.last.map({ $0.deadline <= entry.deadline }) ?? true { return items.append(entry) }
        var low = head, high = items.count
        while low < high {
            let middle = (low + high) / 2
            if items[middle].deadline <= entry.deadline { low = middle + 1 } else { high = middle }
        }
        items.insert(entry, at: low)
    }

    /// Removes and returns the entries due at `now` whose request `isWaiting`.
    mutating func expired(now: HTTPInstant, isWaiting: (Int) -> Bool) -> [Entry] {
        var due: [Entry] = []
        while head < items.count, items[head].deadline <= now {
            if isWaiting(items[head].ticket) { due.append(items[head]) }
            head += 1
        }
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return due
    }

    /// Drops entries of requests no longer waiting once they are most of the list, so a
    /// busy pool whose requests rarely time out keeps it about as long as its queue.
    mutating func compact(waiting: Int, isWaiting: (Int) -> Bool) {
        guard items.count - head > 2 * waiting + 64 else { return }
        items = items[head...].filter { isWaiting($0.ticket) }
        head = 0
    }
}
