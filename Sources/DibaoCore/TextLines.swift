extension StringProtocol {
    /// The file's lines, numbered as an editor numbers them: a browser sends a textarea with
    /// CRLF line ends, and Swift reads "\r\n" as one character, so splitting on "\n" alone
    /// would see a pasted file as one long line.
    public var fileLines: [SubSequence] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }
}
