import Foundation

/// Text compared as its UTF-8 bytes. Where the rules only need "the same code" or "some
/// fixed order" (references, labels, ID numbers read millions of times in a batch
/// check), a Unicode-aware comparison of Chinese text costs more than the rest of the
/// work, and comparing byte by byte through `String.UTF8View` costs nearly as much.
public enum ByteText {
    public static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && compare(a, b) == 0
    }

    /// `a` before `b` in byte order.
    public static func precedes(_ a: String, _ b: String) -> Bool { compare(a, b) < 0 }

    /// Bytes as read (a database column) against a text.
    public static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        return text.utf8.withContiguousStorageIfAvailable { compare(bytes, $0) == 0 } ?? bytes.elementsEqual(text.utf8)
    }

    public static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && compare(a, b) == 0
    }

    static func compare(_ a: String, _ b: String) -> Int {
        let fast = a.utf8.withContiguousStorageIfAvailable { pa in b.utf8.withContiguousStorageIfAvailable { pb in compare(pa, pb) } }
        if let result = fast ?? nil { return result }
        if a.utf8.elementsEqual(b.utf8) { return 0 }
        return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
    }

    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = min(a.count, b.count)
        if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmp(pa, pb, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
