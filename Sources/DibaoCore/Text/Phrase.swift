import Foundation

/// A sentence not yet written: a catalogue key and its arguments (issue 16). Refusals, row
/// problems and anything else the rules tell a person carry a phrase; it becomes text only
/// when a page, a CSV or an API answer is made, in the reader's language. An argument is
/// either what the person typed or a value (quoted as it is), or another phrase — a field's
/// label, a wrapped refusal — written in the same language.
public struct Phrase: Sendable, Hashable, Codable, CustomStringConvertible {
    public let key: String
    public let args: [Arg]

    public indirect enum Arg: Sendable, Hashable, Codable {
        case text(String)
        case phrase(Phrase)
        /// Several values or names, joined as the language lists them (、 , ᠂).
        case list([Arg])
    }

    public init(_ key: String, args: [Arg]) {
        self.key = key
        self.args = args
    }

    public init(_ key: String, _ args: any PhraseArgument...) {
        self.init(key, args: args.map(\.phraseArg))
    }

    public func text(_ lang: Language, in catalogue: Catalogue = .shared) -> String {
        func write(_ arg: Arg) -> String {
            switch arg {
            case .text(let s): return s
            case .phrase(let p): return p.text(lang, in: catalogue)
            case .list(let items): return items.map(write).joined(separator: catalogue.text("refusal.list_separator", lang))
            }
        }
        let written = args.map(write)
        // Texts from before the refusals carried keys: Chinese and English only (`bilingual`).
        if key.isEmpty { return lang == .en ? (written.last ?? "") : (written.first ?? "") }
        return catalogue.text(key, lang, written)
    }

    /// The Chinese text, for logs of the rules' tests; pages use `text(_:)`.
    public var description: String { text(.zh) }

    /// `label：reason` — how every refusal names its field. Kept as a phrase of its own so
    /// that a larger form can put the field's position in words in place of the label
    /// (`relabelled`), instead of cutting a sentence apart.
    public static func labelled(_ label: Phrase, _ reason: Phrase) -> Phrase {
        Phrase("refusal.labelled", args: [.phrase(label), .phrase(reason)])
    }

    /// The same refusal under another label (第1名成员身份证号码 for `members[0].id_number`).
    public func relabelled(_ label: Phrase) -> Phrase {
        if key == "refusal.labelled", args.count == 2 { return Phrase("refusal.labelled", args: [.phrase(label), args[1]]) }
        return .labelled(label, self)
    }

    /// Whether a part of this phrase is still a text written in code (`bilingual`): such a
    /// phrase is shown, but never stored — storing it would keep a sentence.
    public var holdsWrittenText: Bool {
        func holds(_ a: Arg) -> Bool {
            switch a {
            case .text: return false
            case .phrase(let p): return p.holdsWrittenText
            case .list(let items): return items.contains(where: holds)
            }
        }
        return key.isEmpty || args.contains(where: holds)
    }

    /// A text in Chinese and English made before the catalogues held it; a Mongolian
    /// reader is given the Chinese. Every use is a text still to move into a catalogue.
    @available(*, deprecated, message: "give the text a catalogue key")
    public static func bilingual(zh: String, en: String) -> Phrase {
        Phrase("", args: [.text(zh), .text(en)])
    }
}

/// What can stand as a phrase's argument.
public protocol PhraseArgument {
    var phraseArg: Phrase.Arg { get }
}

extension String: PhraseArgument { public var phraseArg: Phrase.Arg { .text(self) } }
extension Substring: PhraseArgument { public var phraseArg: Phrase.Arg { .text(String(self)) } }
extension Character: PhraseArgument { public var phraseArg: Phrase.Arg { .text(String(self)) } }
extension Int: PhraseArgument { public var phraseArg: Phrase.Arg { .text(String(self)) } }
extension Int64: PhraseArgument { public var phraseArg: Phrase.Arg { .text(String(self)) } }
extension Phrase: PhraseArgument { public var phraseArg: Phrase.Arg { .phrase(self) } }

/// How a phrase is kept in the database: compact JSON of the key and its arguments (a text
/// argument as a string, a phrase as an object, a list as an array), so a stored problem
/// keeps its rule and arguments and is written in each reader's language when read.
public enum StoredPhrase {
    public static func encode(_ phrase: Phrase) -> String {
        func arg(_ a: Phrase.Arg) -> Any {
            switch a {
            case .text(let s): return s
            case .phrase(let p): return object(p)
            case .list(let items): return items.map(arg)
            }
        }
        func object(_ p: Phrase) -> [String: Any] { p.args.isEmpty ? ["k": p.key] : ["k": p.key, "a": p.args.map(arg)] }
        let data = try? JSONSerialization.data(withJSONObject: object(phrase), options: [.sortedKeys, .withoutEscapingSlashes])
        return data.flatMap { String(data: $0, encoding: .utf8) } ?? #"{"k":""}"#
    }

    /// The stored phrase, or nil when `text` is not one.
    public static func decode(_ text: String) -> Phrase? {
        func arg(_ v: Any) -> Phrase.Arg? {
            if let s = v as? String { return .text(s) }
            if let o = v as? [String: Any] { return phrase(o).map { .phrase($0) } }
            if let a = v as? [Any] {
                let items = a.compactMap(arg)
                return items.count == a.count ? .list(items) : nil
            }
            return nil
        }
        func phrase(_ o: [String: Any]) -> Phrase? {
            guard let key = o["k"] as? String else { return nil }
            let raw = o["a"] as? [Any] ?? []
            let args = raw.compactMap(arg)
            return args.count == raw.count ? Phrase(key, args: args) : nil
        }
        guard let data = text.data(using: .utf8), let o = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return phrase(o)
    }
}
