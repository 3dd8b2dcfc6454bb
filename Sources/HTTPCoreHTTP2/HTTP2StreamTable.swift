/// The machine's streams by id, stored densely so that a stream's state is read and
/// changed where it lies.
///
/// Not a `[Int32: HTTP2StreamState]`: reading one field through a dictionary's
/// `values[index]` goes through its getter, which copies the whole state (every buffer and
/// field retained and released), and a profile of 100,000 requests against h2o had those
/// copies at about 5% of the client's CPU. An array's subscript reads in place. Removal
/// moves the last stream into the hole, so an index is good until the next removal.
struct HTTP2StreamTable {
    typealias Index = Int

    private var slotOf: [Int32: Int] = [:]
    /// Ids, in the order of `values`.
    private(set) var keys: [Int32] = []
    /// The states; change them in place, never the array's length (use the subscripts).
    var values: [HTTP2StreamState] = []

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }

    func index(forKey id: Int32) -> Index? { slotOf[id] }

    /// A copy of stream `id`'s state; set it to add, replace or (nil) remove the stream.
    subscript(id: Int32) -> HTTP2StreamState? {
        get { slotOf[id].map { values[$0] } }
        set {
            switch (slotOf[id], newValue) {
            case let (index?, state?): values[index] = state
            case let (index?, nil): remove(at: index)
            case let (nil, state?):
                slotOf[id] = keys.count
                keys.append(id)
                values.append(state)
            case (nil, nil): break
            }
        }
    }

    mutating func remove(at index: Index) {
        let last = keys.count - 1
        slotOf[keys[index]] = nil
        if index != last {
            keys.swapAt(index, last)
            values.swapAt(index, last)
            slotOf[keys[index]] = index
        }
        keys.removeLast()
        values.removeLast()
    }

    @discardableResult
    mutating func removeValue(forKey id: Int32) -> HTTP2StreamState? {
        guard let index = slotOf[id] else { return nil }
        let state = values[index]
        remove(at: index)
        return state
    }
}
