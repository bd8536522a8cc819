import Foundation
import Testing
@testable import DibaoCore

@Suite("Sampling")
struct SamplingTests {
    @Test("SplitMix64 matches the reference implementation")
    func referenceVectors() {
        var g = SplitMix64(seed: 1_234_567)
        let outputs = (0..<5).map { _ in g.next() }
        #expect(outputs == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                            4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
        var zero = SplitMix64(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test("sample sizes are never below the share, rounded up")
    func sizes() {
        for population in 1...200 {
            let size = Sampling.sampleSize(population: population, minPercent: 30)
            #expect(size * 100 >= population * 30)
            #expect(size == Int((Double(population) * 0.3).rounded(.up)))
            #expect(size >= 1 && size <= population)
            #expect((size - 1) * 100 < population * 30)
        }
        #expect(Sampling.sampleSize(population: 0, minPercent: 30) == 0)
        #expect(Sampling.sampleSize(population: 10, minPercent: 30) == 3)
        #expect(Sampling.sampleSize(population: 7, minPercent: 30) == 3)
        #expect(Sampling.sampleSize(population: 101, minPercent: 30) == 31)
        #expect(Sampling.sampleSize(population: 5, minPercent: 0) == 1)
        #expect(Sampling.sampleSize(population: 5, minPercent: 100) == 5)
        #expect(Sampling.sampleSize(population: 5, minPercent: 250) == 5)
    }

    @Test("every batch of 1 to 200 cases: at least 30 %, rounded up, distinct, and the recorded seed redraws the same cases")
    func batchesOneToTwoHundred() {
        var seeds = SplitMix64(seed: 2_013_0701)
        for population in 1...200 {
            let batch = (0..<population).map { "case-\($0)" }
            let seed = seeds.next()
            let draw = Sampling.draw(batch, minPercent: 30, seed: seed)
            #expect(draw.picked.count * 100 >= population * 30, "batch \(population)")
            #expect(draw.picked.count == (population * 30 + 99) / 100, "batch \(population): rounded up, no more")
            #expect(Set(draw.picked).count == draw.picked.count)
            let redraw = Sampling.draw(batch, minPercent: draw.record.share, seed: draw.record.seed)
            #expect(redraw.picked == draw.picked, "batch \(population): redraw from the recorded seed")
        }
    }

    @Test("a redraw with the same seed picks the same households")
    func redraw() {
        let batch = (1...57).map { "户\($0)" }
        for seed: UInt64 in [0, 1, 42, 20_250_926, .max] {
            let first = Sampling.draw(batch, minPercent: 30, seed: seed)
            let second = Sampling.draw(batch, minPercent: 30, seed: seed)
            #expect(first.picked == second.picked)
            #expect(first.record == second.record)
            #expect(first.record.seed == seed)
            #expect(first.record.share == 30)
            #expect(first.record.population == 57)
            #expect(first.record.picked.count == 18)
            #expect(first.record.picked == first.record.picked.sorted())
            #expect(Set(first.record.picked).count == 18)
            #expect(first.record.picked.allSatisfy { (0..<57).contains($0) })
            #expect(first.picked == first.record.picked.map { batch[$0] })
            #expect(Sampling.verify(first.record, items: batch))
        }
    }

    @Test("the draw is pinned: a changed algorithm would break old records")
    func pinned() {
        let draw = Sampling.draw(Array(0..<10), minPercent: 30, seed: 42)
        // Computed independently from the algorithm as documented on `Sampling.draw`.
        #expect(draw.record.picked == [2, 3, 4])
    }

    @Test("different seeds give different samples")
    func seedsMatter() {
        let batch = Array(0..<100)
        let samples = Set((0..<20).map { Sampling.draw(batch, minPercent: 30, seed: UInt64($0)).record.picked })
        #expect(samples.count == 20)
    }

    @Test("a tampered record or a different list fails verification")
    func verification() {
        let batch = Array(0..<40)
        var record = Sampling.draw(batch, minPercent: 30, seed: 7).record
        #expect(Sampling.verify(record, items: batch))
        #expect(!Sampling.verify(record, items: Array(0..<41)))
        record.picked[0] = (0..<40).first { !record.picked.contains($0) }!
        record.picked.sort()
        #expect(!Sampling.verify(record, items: batch))
    }

    @Test("every household is equally likely to be picked")
    func uniform() {
        var counts = [Int](repeating: 0, count: 20)
        let trials = 10_000
        for seed in 0..<trials {
            for i in Sampling.draw(Array(0..<20), minPercent: 30, seed: UInt64(seed)).picked { counts[i] += 1 }
        }
        // Each index is picked with probability 6/20: 3 000 expected, standard deviation ≈ 46.
        #expect(counts.allSatisfy { abs($0 - 3_000) < 250 })
    }

    @Test("empty batches and whole batches")
    func edges() {
        let empty = Sampling.draw([String](), minPercent: 30, seed: 1)
        #expect(empty.picked.isEmpty && empty.record.picked.isEmpty && empty.record.population == 0)
        let all = Sampling.draw(["a", "b", "c"], minPercent: 100, seed: 1)
        #expect(all.picked == ["a", "b", "c"])
        let one = Sampling.draw(["only"], minPercent: 30, seed: 99)
        #expect(one.picked == ["only"])
    }

    @Test("the record is kept as JSON")
    func codable() throws {
        let record = Sampling.draw(Array(0..<12), minPercent: 30, seed: .max).record
        let data = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(SpotCheckDraw.self, from: data) == record)
        var g = SplitMix64(seed: 3)
        for bound: UInt64 in [1, 2, 3, 10, 1_000_003] {
            #expect(g.next(below: bound) < bound)
        }
        #expect(Sampling.newSeed() != Sampling.newSeed() || Sampling.newSeed() != Sampling.newSeed())
    }
}
