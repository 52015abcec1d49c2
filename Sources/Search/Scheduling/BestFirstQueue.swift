/// A binary heap of trial results that gives back the best first (goal-aware, ties: the lower
/// trial number), so a rung of m results promotes in O(m log m) instead of rescanning them all.
struct BestFirstQueue {
    let metric: SearchMetric
    private var heap: [(number: Int, value: Double)] = []

    init(metric: SearchMetric) {
        self.metric = metric
    }

    var isEmpty: Bool { heap.isEmpty }

    mutating func insert(number: Int, value: Double) {
        heap.append((number, value))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard ranksAbove(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The best result's trial number, removed; nil when empty.
    mutating func removeBest() -> Int? {
        guard let best = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var top = parent
                if left < heap.count, ranksAbove(heap[left], heap[top]) { top = left }
                if right < heap.count, ranksAbove(heap[right], heap[top]) { top = right }
                if top == parent { break }
                heap.swapAt(parent, top)
                parent = top
            }
        }
        return best.number
    }

    private func ranksAbove(_ a: (number: Int, value: Double), _ b: (number: Int, value: Double)) -> Bool {
        metric.ranksAbove(a.value, number: a.number, b.value, number: b.number)
    }
}
