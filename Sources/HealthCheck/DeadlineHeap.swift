
/// What a `DeadlineHeap` orders: an element that knows whether it comes before another. A static requirement (not a
/// stored closure), so the comparison is specialized and inlined into the heap's loops.
protocol HeapOrdered: Sendable {
    /// Whether `a` must leave the heap before `b`.
    static func precedes(_ a: Self, _ b: Self) -> Bool
}

/// A binary min-heap of small values (the schedulers keep plain integers and instants in it, no strings).
struct DeadlineHeap<Element: HeapOrdered>: Sendable {
    private var storage: [Element] = []

    init() {}

    var first: Element? { storage.first }
    var count: Int { storage.count }

    mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Element.precedes(storage[child], storage[parent]) else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard !storage.isEmpty else { return nil }
        storage.swapAt(0, storage.count - 1)
        let top = storage.removeLast()
        let count = storage.count
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < count, Element.precedes(storage[left], storage[smallest]) { smallest = left }
            if right < count, Element.precedes(storage[right], storage[smallest]) { smallest = right }
            if smallest == parent { break }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
