/// A binary min-heap ordered by a caller-supplied "comes before" function.
struct DeadlineHeap<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private let before: @Sendable (Element, Element) -> Bool

    init(before: @escaping @Sendable (Element, Element) -> Bool) { self.before = before }

    var first: Element? { storage.first }
    var count: Int { storage.count }

    mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(storage[child], storage[parent]) else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func removeFirst() -> Element? {
        guard !storage.isEmpty else { return nil }
        storage.swapAt(0, storage.count - 1)
        let top = storage.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < storage.count, before(storage[left], storage[smallest]) { smallest = left }
            if right < storage.count, before(storage[right], storage[smallest]) { smallest = right }
            if smallest == parent { break }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
