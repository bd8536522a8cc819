/// What a staff password must not be (issue 12: `password` and the username itself were
/// accepted): shorter than 10 characters, one of the passwords every guesser tries first,
/// or made from the account's own username or name. Checked wherever a password is set:
/// account creation, the person's own change, an administrator's reset.
public enum PasswordRule {
    public static let minimumLength = 10
    public static let maximumLength = 128

    /// The commonest passwords in leaked lists, Chinese and international, lower-cased.
    static let common: Set<String> = [
        "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "123456", "1234567", "12345678", "123456789",
        "1234567890", "0123456789", "111111", "11111111", "000000", "00000000", "123123", "123123123", "654321", "666666", "888888",
        "88888888", "66666666", "12341234", "1qaz2wsx", "1q2w3e4r", "1q2w3e4r5t", "qwerty", "qwerty123", "qwertyuiop", "asdfghjkl",
        "zxcvbnm", "abc123", "abc12345", "abcd1234", "a123456", "a12345678", "aa123456", "woaini", "woaini1314", "5201314",
        "iloveyou", "admin", "admin123", "admin1234", "administrator", "root", "root123", "welcome", "welcome1", "letmein",
        "changeme", "test", "test123", "test1234", "guest", "dibao", "dibao123", "dibao2026", "minzheng", "minzheng123",
        "zhangsan", "lisi", "wangwu", "qazwsxedc", "147258369", "987654321", "112233", "123qwe", "qwe123", "1234qwer",
    ]

    public enum Problem: Refusal, Equatable {
        case tooShort(Int), tooLong(Int), common, fromAccount

        public var field: String { "new" }

        public var rule: String {
            switch self {
            case .tooShort: return "password.too_short"
            case .tooLong: return "password.too_long"
            case .common: return "password.common"
            case .fromAccount: return "password.from_account"
            }
        }

        /// The label, then the reason (`refusal.labelled`), so that a form that sets a password
        /// under another name (an initial password) can put its own label in place of this one
        /// (`Phrase.relabelled`).
        public var phrase: Phrase {
            let why: Phrase
            switch self {
            case .tooShort(let n): why = Phrase("password.refusal_too_short", n)
            case .tooLong(let n): why = Phrase("password.refusal_too_long", n)
            case .common: why = Phrase("password.refusal_common")
            case .fromAccount: why = Phrase("password.refusal_from_account")
            }
            return .labelled(Phrase("password.refusal_new_password"), why)
        }
    }

    public static func problem(_ password: String, username: String, displayName: String = "") -> Problem? {
        if password.count < minimumLength { return .tooShort(minimumLength) }
        if password.count > maximumLength { return .tooLong(maximumLength) }
        let folded = password.lowercased()
        // A common password with digits or punctuation tacked on is still that password.
        let core = String(folded.reversed().drop { !$0.isLetter }.reversed())
        if common.contains(folded) || (!core.isEmpty && common.contains(core)) { return .common }
        let repeated = Set(folded).count <= 2
        if repeated { return .common }
        for part in [username.lowercased(), displayName.lowercased()] where part.count >= 3 {
            if folded.contains(part) || part.contains(folded) { return .fromAccount }
        }
        return nil
    }
}
