import Foundation
import DibaoCore

/// The region this installation serves (内蒙古自治区, code 15): the area the system acts for
/// when no person does (a calendar loaded at start, the public standards page).
enum Installation {
    static let region = try! AreaCode("150000000000")
    static let regionName = "内蒙古自治区"
}
