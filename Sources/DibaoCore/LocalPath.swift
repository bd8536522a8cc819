/// Where a sign-in may send the person afterwards: only a path on this site (issue 12).
///
/// Refused: anything not starting with one "/" ("//evil.example" is another host), a
/// backslash anywhere (browsers read "/\evil.example" as "//evil.example"), any control
/// character (CR/LF would end the `Location` header and start the attacker's own), and
/// anything longer than a real link of ours.
public enum LocalPath {
    public static let maxLength = 2_000

    public static func safe(_ candidate: String?, fallback: String = "/") -> String {
        guard let path = candidate, path.utf8.count <= maxLength, path.hasPrefix("/"), !path.hasPrefix("//"),
              !path.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F || !$0.isASCII })
        else { return fallback }
        return path
    }
}
