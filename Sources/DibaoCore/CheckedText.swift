import Foundation

/// A value that is stored and sent as its text and checked again when read back, so that
/// stored or received data cannot smuggle in an invalid ID number, area code or receipt.
public protocol CheckedText: Codable {
    var value: String { get }
    init(checking text: String) throws
}

public extension CheckedText {
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self(checking: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: (error as? any Refusal)?.en ?? String(describing: error),
                                                    underlyingError: error))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
