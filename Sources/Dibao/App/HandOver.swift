import Foundation

/// Hands items from async tasks to a thread that waits for them (a writer holding a
/// transaction on a `SQLiteFile`), then one closing value. Unbounded: the producer never
/// waits. After `fail`, the waiting side throws and anything put later is dropped.
final class HandOver<Item: Sendable, End: Sendable>: @unchecked Sendable {
    enum Next { case item(Item), end(End) }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var taken = 0
    private var end: End?
    private var failure: (any Error)?

    func put(_ item: Item) {
        condition.lock()
        if end == nil && failure == nil { items.append(item); condition.signal() }
        condition.unlock()
    }

    func finish(_ value: End) {
        condition.lock()
        end = value
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: any Error) {
        condition.lock()
        failure = error
        items = []
        taken = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next item, or the closing value once every item is taken.
    func next() throws -> Next {
        condition.lock()
        defer { condition.unlock() }
        while taken == items.count && end == nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        if taken < items.count {
            let item = items[taken]
            taken += 1
            if taken == items.count { items = []; taken = 0 }
            return .item(item)
        }
        return .end(end!)
    }
}
