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
    }

    public init(_ key: String, args: [Arg]) {
        self.key = key
        self.args = args
    }

    public init(_ key: String, _ args: any PhraseArgument...) {
        self.init(key, args: args.map(\.phraseArg))
    }

    public func text(_ lang: Language, in catalogue: Catalogue = .shared) -> String {
        let written = args.map { arg -> String in
            switch arg {
            case .text(let s): return s
            case .phrase(let p): return p.text(lang, in: catalogue)
            }
        }
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
