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

    public enum Problem: BilingualRefusal, Equatable {
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

        public var zh: String {
            switch self {
            case .tooShort(let n): return "新密码：至少 \(n) 个字符"
            case .tooLong(let n): return "新密码：最多 \(n) 个字符"
            case .common: return "新密码：这是最常被猜中的密码之一，请另选"
            case .fromAccount: return "新密码：不能由用户名或姓名构成"
            }
        }

        public var en: String {
            switch self {
            case .tooShort(let n): return "New password: at least \(n) characters"
            case .tooLong(let n): return "New password: at most \(n) characters"
            case .common: return "New password: one of the passwords guessed first; choose another"
            case .fromAccount: return "New password: must not be made from the username or the name"
            }
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
