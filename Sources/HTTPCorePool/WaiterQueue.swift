/// One origin's waiting requests, first in first out. Each carries the pool-wide ticket
/// it was given on arrival, so origins can be compared by who came first.
///
/// Popping advances a head index instead of shifting the array, and the array is
/// compacted once half of it is spent: a queue of thousands costs O(1) per request.
struct WaiterQueue {
    private var items: [(ticket: Int, waiter: Int)] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var firstTicket: Int? { isEmpty ? nil : items[head].ticket }
    /// Waiter ids in order.
    var ids: [Int] { items[head...].map(\.waiter) }
    var entries: ArraySlice<(ticket: Int, waiter: Int)> { items[head...] }

    mutating func append(_ waiter: Int, ticket: Int) {
        items.append((ticket, waiter))
    }

    mutating func popFirst() -> Int? {
        guard !isEmpty else { return nil }
        let waiter = items[head].waiter
        head += 1
        compact()
        return waiter
    }

    /// Removes `waiter` wherever it is; false if it is not queued.
    mutating func remove(_ waiter: Int) -> Bool {
        guard let index = items[head...].firstIndex(where: { $0.waiter == waiter }) else { return false }
        items.remove(at: index)
        compact()
        return true
    }

    private mutating func compact() {
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
    }
}
