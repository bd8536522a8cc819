/// What a person's name (or an address) may be made of (issue 12): NUL was stored and read
/// back cut short, bidi overrides turned a name around on the screen, zero-width spaces
/// made two records of one person, and one "character" of 40 combining marks broke the
/// notice board. Refused, each with its reason: control characters, invisible format
/// characters, private-use and unassigned code points, and more than three combining
/// marks on one letter. Allowed from the format class: what traditional Mongolian script
/// needs (the free variation selectors U+180B–U+180F, ZWJ and ZWNJ between letters).
public enum NameText {
    public enum Problem: Sendable, Equatable {
        case control, invisible, unassigned, tooManyMarks

        /// The catalogue key of this value's name (`Resources/Text/<language>/core.toml`).
        public var textKey: String { "name_text.\(self)" }

        public var rule: String {
            switch self {
            case .control: return "text.control_character"
            case .invisible: return "text.invisible_character"
            case .unassigned: return "text.unassigned_character"
            case .tooManyMarks: return "text.combining_marks"
            }
        }
    }

    static let mongolianSelectors: ClosedRange<UInt32> = 0x180B...0x180F
    static let joiners: Set<UInt32> = [0x200C, 0x200D]

    /// The first problem in `text`, or nil when it may be stored.
    public static func problem(_ text: String) -> Problem? {
        var marks = 0
        let scalars = Array(text.unicodeScalars)
        for (i, s) in scalars.enumerated() {
            switch s.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                return .control
            case .format:
                let between = i > 0 && i < scalars.count - 1
                guard mongolianSelectors.contains(s.value) || (joiners.contains(s.value) && between) else { return .invisible }
            case .privateUse, .unassigned, .surrogate:
                return .unassigned
            default:
                break
            }
            if s.properties.generalCategory == .nonspacingMark || s.properties.generalCategory == .enclosingMark {
                marks += 1
                if marks > 3 && !mongolianSelectors.contains(s.value) { return .tooManyMarks }
            } else {
                marks = 0
            }
        }
        return nil
    }
}

extension NameText.Problem: Labelled {}
