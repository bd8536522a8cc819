import Foundation
import TOMLKit

/// The words of the system, one catalogue per language and module (issue 16): files
/// `Text/<language>/<module>.toml` holding `"key" = "text"`, where `{1}`, `{2}` … are
/// the arguments in order. Code and stored data carry keys and arguments; a sentence
/// is made only here, at the edge, in the reader's language.
public struct Catalogue: Sendable {
    /// Text by language, then key.
    public let texts: [Language: [String: String]]
    /// The module (file name) each key is defined in, for the key test's messages.
    public let modules: [String: String]

    public init(texts: [Language: [String: String]], modules: [String: String] = [:]) {
        self.texts = texts
        self.modules = modules
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Reads every `<language>/<module>.toml` under `directory`. A key defined twice in
    /// one language, a value that is not text, or a file that does not parse refuses
    /// the whole catalogue: a half-read catalogue would show keys on pages.
    public static func load(directory: String) throws -> Catalogue {
        let fm = FileManager.default
        var texts: [Language: [String: String]] = [:]
        var modules: [String: String] = [:]
        for lang in Language.allCases {
            let dir = (directory as NSString).appendingPathComponent(lang.rawValue)
            guard let files = try? fm.contentsOfDirectory(atPath: dir) else {
                throw LoadError(path: dir, reason: "no catalogue folder for \(lang.rawValue)")
            }
            var table: [String: String] = [:]
            for file in files.sorted() where file.hasSuffix(".toml") {
                let path = (dir as NSString).appendingPathComponent(file)
                guard let data = fm.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
                    throw LoadError(path: path, reason: "not readable as UTF-8")
                }
                let root: TOMLTable
                do { root = try TOMLTable(string: source) } catch {
                    throw LoadError(path: path, reason: "\(error)")
                }
                let module = String(file.dropLast(5))
                for (key, value) in root {
                    guard let text = value.string else { throw LoadError(path: path, reason: "\(key) is not text") }
                    if table[key] != nil { throw LoadError(path: path, reason: "\(key) is defined twice") }
                    table[key] = text
                    if let other = modules[key], other != module {
                        throw LoadError(path: path, reason: "\(key) is defined in \(other) in another language")
                    }
                    modules[key] = module
                }
            }
            texts[lang] = table
        }
        return Catalogue(texts: texts, modules: modules)
    }

    /// `key`'s text in `lang` with `{1}`, `{2}` … replaced by `args`. A key missing in
    /// `lang` falls back to Chinese, the working language, and a key missing there is
    /// shown as itself — the key test keeps both from happening.
    public func text(_ key: String, _ lang: Language, _ args: [String] = []) -> String {
        guard var text = texts[lang]?[key] ?? texts[.zh]?[key] else { return key }
        for (i, a) in args.enumerated() { text = text.replacingOccurrences(of: "{\(i + 1)}", with: a) }
        return text
    }

    public func has(_ key: String) -> Bool { texts[.zh]?[key] != nil }

    /// Every key in any language.
    public var keys: Set<String> { Set(texts.values.flatMap(\.keys)) }
}

extension Catalogue {
    /// The installation's catalogues, read once from `DIBAO_TEXT` or `Resources/Text` under
    /// the working directory — where the server, the commands and the tests all run. A
    /// server without them stops at start-up (`configure` reads this first) rather than
    /// showing keys on its pages.
    public static let shared: Catalogue = {
        let env = ProcessInfo.processInfo.environment["DIBAO_TEXT"]
        let dir = env ?? (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent("Resources/Text")
        do { return try load(directory: dir) } catch { fatalError("text catalogues: \(error)") }
    }()
}

/// A value the rules work with that people read by name — a stage, an action, a role, a
/// reason. It carries its catalogue key; the name is made in the reader's language.
public protocol Labelled {
    var textKey: String { get }
}

public extension Labelled {
    func name(_ lang: Language) -> String { Catalogue.shared.text(textKey, lang) }
    /// The name as a phrase's argument, written in the reader's language with the rest.
    var namePhrase: Phrase { Phrase(textKey) }
    /// The Chinese name — for sentences the core still builds in Chinese and English
    /// (refusals, until they carry keys too).
    var zh: String { name(.zh) }
    /// The English name, as `zh`.
    var en: String { name(.en) }
}
