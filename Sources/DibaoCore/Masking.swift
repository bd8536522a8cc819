/// What may be shown of a person in public. The second notice and the online
/// query show members, income and amount only, and must protect privacy (二.三);
/// masking keeps a name or number recognisable to those who know it without
/// exposing it to those who do not.
public enum Masking {
    /// What a role without `viewSensitive` reads in place of a label derived from health or
    /// disability detail (a review class, a category top-up): that there is one, not which.
    public static func sensitiveLabel(_ lang: Language) -> String { Catalogue.shared.text("masking.withheld", lang) }

    /// 张小明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明, one character → *. Surname
    /// and last character stay, everything between is starred, so a compound
    /// surname does not reveal the given name.
    public static func name(_ s: String) -> String {
        let chars = Array(s.trimmingWhitespace())
        switch chars.count {
        case 0: return ""
        case 1: return "*"
        case 2: return "\(chars[0])*"
        default: return "\(chars[0])" + String(repeating: "*", count: chars.count - 2) + "\(chars[chars.count - 1])"
        }
    }

    /// First 4 and last 4 kept, the rest starred: "1501**********1234". The
    /// first four name only a city; the last four include the check character.
    /// Eight characters or fewer are starred entirely, since keeping eight would
    /// show all of it.
    public static func idNumber(_ s: String) -> String {
        let chars = Array(s.trimmingWhitespace())
        guard chars.count > 8 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(4)) + String(repeating: "*", count: chars.count - 8) + String(chars.suffix(4))
    }

    /// 13812345678 → 138****5678. Other lengths keep the first 3 and last 2;
    /// five characters or fewer are starred entirely.
    public static func phone(_ s: String) -> String {
        let chars = Array(s.trimmingWhitespace())
        if chars.count == 11 {
            return String(chars.prefix(3)) + "****" + String(chars.suffix(4))
        }
        guard chars.count > 5 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(3)) + String(repeating: "*", count: chars.count - 5) + String(chars.suffix(2))
    }

    /// A bank account: only the last four digits, which is what a holder reads off a
    /// card and what a caseworker needs to tell two accounts apart on a list.
    public static func account(_ s: String) -> String {
        let chars = Array(s.trimmingWhitespace())
        guard chars.count > 4 else { return String(repeating: "*", count: chars.count) }
        return String(repeating: "*", count: min(8, chars.count - 4)) + String(chars.suffix(4))
    }
}
