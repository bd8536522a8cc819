import DibaoCore
import Vapor
/// A bank's result file as text: UTF-8 (with or without a BOM), or GB18030 as banks'
/// Windows systems often save it — detected as department imports do. Anything else is
/// refused rather than stored as mojibake (issue 12: GB18030 failure reasons were kept as
/// replacement characters).
enum BankResultText {
    static func decode(_ buffer: ByteBuffer) throws -> String {
        let bytes = Array(buffer.readableBytesView)
        if let utf8 = DepartmentImport.decode(bytes[...], .utf8) { return utf8 }
        if let gb = DepartmentImport.decode(bytes[...], .gb18030), !gb.contains("\u{FFFD}") { return gb }
        throw FieldRefusal(field: "file", rule: "bank_file.encoding",
                           .labelled(Phrase("bankfile.refusal_label_result_file"), Phrase("bankfile.refusal_encoding")))
    }
}
