import Foundation
import Testing
@testable import Dibao
import DibaoCore

/// Issue 16: the words of the system live in catalogues, one per language and module.
/// These tests hold the catalogues and the code to each other: a key used but not
/// defined, or defined in one language and not another, fails here before a page shows it.
@Suite("Text catalogues")
struct CatalogueTests {
    static let root = TestDatabase.packageRoot

    static func files(under dir: String, suffix: String) -> [String] {
        let base = (root as NSString).appendingPathComponent(dir)
        let all = FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(suffix) }.map { (base as NSString).appendingPathComponent($0) }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("Every key has a text in Chinese, English and Mongolian, with the same arguments, in the same module")
    func everyKeyInEveryLanguage() throws {
        let catalogue = Strings.catalogue
        let zh = try #require(catalogue.texts[.zh])
        #expect(zh.count > 800, "the Chinese catalogue is read")
        var missing: [String] = []
        for key in catalogue.keys.sorted() {
            for lang in Language.allCases {
                guard let text = catalogue.texts[lang]?[key], !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    missing.append("\(lang.rawValue)/\(catalogue.modules[key] ?? "?"): \(key)")
                    continue
                }
                let args = Set(Self.matches(#"(\{\d+\})"#, in: text))
                let zhArgs = Set(Self.matches(#"(\{\d+\})"#, in: zh[key] ?? ""))
                #expect(args == zhArgs, "\(lang.rawValue) \(key): arguments \(args.sorted()) where Chinese has \(zhArgs.sorted())")
            }
        }
        #expect(missing.isEmpty, "\(missing.count) texts missing: \(missing.prefix(40).joined(separator: ", "))")
    }

    @Test("Mongolian text is in Mongolian script: no Chinese characters, no English words but file formats and units")
    func mongolianIsMongolian() throws {
        let allowed: Set<String> = ["CSV", "GB18030", "UTF-8", "UTF", "MB", "KB", "PDF", "API", "URL", "ID", "m²", "m", "TOML", "JSON"]
        let mn = Strings.catalogue.texts[.mn] ?? [:]
        var wrong: [String] = []
        for (key, text) in mn.sorted(by: { $0.key < $1.key }) {
            let bare = text.replacingOccurrences(of: #"\{\d+\}"#, with: "", options: .regularExpression)
            let han = bare.unicodeScalars.contains { (0x3400...0x9FFF).contains($0.value) }
            let latin = Self.matches(#"([A-Za-z][A-Za-z0-9²_-]*)"#, in: bare).filter { !allowed.contains($0) }
            if han || !latin.isEmpty { wrong.append("\(key): \(text)") }
        }
        #expect(wrong.isEmpty, "\(wrong.count) Mongolian texts hold Chinese or English: \(wrong.prefix(20).joined(separator: " | "))")
    }

    @Test("Every key a page or the code names is defined")
    func everyUsedKeyIsDefined() throws {
        let defined = Strings.catalogue.keys
        let pageKeys = Set(defined.map { $0.replacingOccurrences(of: ".", with: "_") })
        var undefined: [String] = []
        let views = Self.files(under: "Resources/Views", suffix: ".leaf")
        #expect(views.count > 40)
        for path in views {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for key in Set(Self.matches(#"\bt\.([a-z][a-z0-9_]*)"#, in: text)) where !pageKeys.contains(key) {
                undefined.append("\((path as NSString).lastPathComponent): t.\(key)")
            }
        }
        let sources = Self.files(under: "Sources/Dibao", suffix: ".swift") + Self.files(under: "Sources/DibaoCore", suffix: ".swift")
        var literalUses = 0
        for path in sources {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // Literal keys handed to the catalogue, directly or as a refusal's phrase; a key
            // made from parts is checked by the page walk and the refusal tests.
            for key in Self.matches(#"(?:l10n|Strings\.text|Strings\.format|Phrase)\(\s*"([a-z][a-z0-9_]*\.[a-z0-9_.]+)""#, in: text) {
                literalUses += 1
                if !defined.contains(key) { undefined.append("\((path as NSString).lastPathComponent): \(key)") }
            }
        }
        #expect(literalUses > 100, "the code's keys are found")
        #expect(undefined.isEmpty, "\(undefined.count) keys used but not defined: \(undefined.prefix(40).joined(separator: ", "))")
    }

    @Test("Every audited action the code records has a name in every language")
    func everyAuditActionIsNamed() throws {
        var actions: Set<String> = []
        for path in Self.files(under: "Sources/Dibao", suffix: ".swift") {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            // `action: "x.y"`, and both sides of `action: flag ? "x.y" : "x.z"`.
            for clause in Self.matches(#"action: ([^,\n]*)"#, in: text) {
                actions.formUnion(Self.matches(#""([a-z_]+\.[a-z_.]+)""#, in: clause))
            }
        }
        #expect(actions.count > 70, "the code's actions are found")
        let unnamed = actions.filter { action in
            // Steps of a case or a complaint are named by their machine's own catalogue.
            if action.hasPrefix("case."), CaseAction(rawValue: String(action.dropFirst(5))) != nil { return false }
            if action.hasPrefix("complaint."), ComplaintAction(rawValue: String(action.dropFirst(10))) != nil { return false }
            return !Language.allCases.allSatisfy { Strings.catalogue.texts[$0]?["audit.\(action)"] != nil }
        }
        #expect(unnamed.isEmpty, "\(unnamed.count) audited actions have no name: \(unnamed.sorted().joined(separator: ", "))")
    }

    @Test("A broken catalogue is refused whole: a key twice, a value that is not text, a missing language")
    func brokenCatalogueIsRefused() throws {
        let dir = NSTemporaryDirectory() + "catalogue-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write(_ lang: String, _ module: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: dir + "/" + lang, withIntermediateDirectories: true)
            try text.write(toFile: dir + "/\(lang)/\(module).toml", atomically: true, encoding: .utf8)
        }
        for lang in Language.allCases { try write(lang.rawValue, "a", "\"x.y\" = \"{1} \(lang.rawValue)\"\n") }
        let ok = try Catalogue.load(directory: dir)
        #expect(ok.text("x.y", .mn, ["7"]) == "7 mn")
        #expect(ok.text("x.z", .en) == "x.z", "an unknown key shows itself, which the page walk catches")
        try write("en", "b", "\"x.y\" = \"again\"\n")
        #expect(throws: Catalogue.LoadError.self) { try Catalogue.load(directory: dir) }
        try FileManager.default.removeItem(atPath: dir + "/en/b.toml")
        try write("mn", "a", "\"x.y\" = 3\n")
        #expect(throws: Catalogue.LoadError.self) { try Catalogue.load(directory: dir) }
        try FileManager.default.removeItem(atPath: dir + "/mn")
        #expect(throws: Catalogue.LoadError.self) { try Catalogue.load(directory: dir) }
    }
}
