/// The record of one spot-check draw (二.二.4): enough to redo it. Given the same
/// items in the same order, `Sampling.draw(items, minPercent: share, seed: seed)`
/// picks the same indices, so an auditor can confirm the sample was not chosen by hand.
public struct SpotCheckDraw: Sendable, Codable, Equatable {
    public var seed: UInt64
    /// The minimum share in percent the draw was made for.
    public var share: Int
    /// How many items were drawn from.
    public var population: Int
    /// Indices into the items, ascending.
    public var picked: [Int]

    public init(seed: UInt64, share: Int, population: Int, picked: [Int]) {
        self.seed = seed
        self.share = share
        self.population = population
        self.picked = picked
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference code): tiny, fully
/// specified, and the same on every platform and Swift version — unlike the
/// system generator — which is what a draw an auditor must redo needs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound: a raw value below 2^64 mod bound is discarded and
    /// another drawn, so no index is favoured. Written out rather than using the
    /// standard library's `random(in:using:)`, whose method may change between
    /// releases and break replays.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "SplitMix64.next(below:) needs a positive bound")
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return r % bound }
        }
    }
}

/// Random samples that can be redone: the county's ≥ 30 % home spot check of a
/// batch awaiting approval (二.二.4) and supervisors' random checks (二.七).
public enum Sampling {
    /// ceil(population × minPercent / 100), at least 1 when there is anything to
    /// check ("不低于" — a share is never rounded down), never more than the population.
    public static func sampleSize(population: Int, minPercent: Int) -> Int {
        guard population > 0 else { return 0 }
        let p = Swift.min(Swift.max(minPercent, 0), 100)
        return Swift.min(population, Swift.max(1, (population * p + 99) / 100))
    }

    /// Draws `sampleSize` items by a partial Fisher–Yates shuffle of the indices
    /// 0..<n: for i in 0..<k, swap index i with index i + next(below: n − i) of a
    /// SplitMix64 seeded with `seed`; the first k indices, sorted, are the
    /// sample. Picked items are returned in their original order.
    public static func draw<T>(_ items: [T], minPercent: Int, seed: UInt64) -> (picked: [T], record: SpotCheckDraw) {
        let n = items.count
        let k = sampleSize(population: n, minPercent: minPercent)
        var indices = Array(0..<n)
        var generator = SplitMix64(seed: seed)
        for i in 0..<k {
            let j = i + Int(generator.next(below: UInt64(n - i)))
            indices.swapAt(i, j)
        }
        let picked = indices.prefix(k).sorted()
        return (picked.map { items[$0] },
                SpotCheckDraw(seed: seed, share: minPercent, population: n, picked: picked))
    }

    /// Redoes a recorded draw over `items`; true if it picks what was recorded.
    /// False too when the number of items differs, since then the list is not
    /// the one drawn from.
    public static func verify<T>(_ record: SpotCheckDraw, items: [T]) -> Bool {
        guard items.count == record.population else { return false }
        return draw(items, minPercent: record.share, seed: record.seed).record == record
    }

    /// A fresh seed for a new draw, from the system's secure generator.
    public static func newSeed() -> UInt64 {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }
}
