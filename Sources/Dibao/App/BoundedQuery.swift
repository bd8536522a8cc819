import Vapor
import DibaoCore

extension Request {
    /// A whole-number query parameter inside its bounds, `fallback` when absent or empty;
    /// anything else is a 422 naming the field (issue 12). Query numbers are read only
    /// through here: `req.query[Int.self, …]` reads "abc" as absent and Int.max as valid.
    func boundedQuery(_ number: BoundedNumber, fallback: Int) throws -> Int {
        guard let raw = query[String.self, at: number.field], !raw.isEmpty else { return fallback }
        return try number.read(raw)
    }
}
