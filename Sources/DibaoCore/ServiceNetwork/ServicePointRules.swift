/// 二.四 "加强低保管理服务窗口建设": the service network is the county's service hall (最低生活保障
/// 服务大厅, the axis), the township civil-affairs office's window (the support) and the village
/// assistant (the base point). A county hall of at least the policy's floor area (300 m² in
/// 2013) that offers one-stop service is the one the region subsidises (以奖代补).
public enum ServicePointKind: String, Sendable, Codable, CaseIterable {
    /// 服务大厅, one or more per county.
    case hall
    /// 受理窗口 of a township (苏木乡镇/街道 民政所): where an application is taken in writing.
    case window

    /// The area level a point of this kind belongs to.
    public var level: AreaLevel { self == .hall ? .county : .township }
}

/// A hall or window as typed into the form or sent to the API, before it is trusted.
public struct ServicePointDraft: Sendable, Equatable {
    public var name: String?
    public var address: String?
    public var hours: String?
    public var phone: String?
    /// Floor area in whole square metres, as typed ("320"); halls only.
    public var squareMetres: String?
    public var oneStop: Bool

    public init(name: String? = nil, address: String? = nil, hours: String? = nil, phone: String? = nil, squareMetres: String? = nil, oneStop: Bool = false) {
        self.name = name
        self.address = address
        self.hours = hours
        self.phone = phone
        self.squareMetres = squareMetres
        self.oneStop = oneStop
    }
}

/// A checked hall or window: what is stored and published.
public struct ServicePointFacts: Sendable, Equatable {
    public var name: String
    public var address: String
    public var hours: String
    public var phone: String
    public var squareMetres: Int?
    public var oneStop: Bool
}

public enum ServicePointRules {
    /// Far above any real hall: a typo of extra zeros is refused at the form.
    public static let maxSquareMetres = 100_000
    public static let maxName = 60
    public static let maxAddress = 200
    public static let maxHours = 100
    public static let maxPhone = 30

    /// Checks every field at once, so the form can show each problem beside its field.
    public static func check(_ draft: ServicePointDraft, kind: ServicePointKind) throws(FormRefused) -> ServicePointFacts {
        var problems: [FieldRefusal] = []
        // `label` is the form's own label of the field (`network.name` …), so the refusal names
        // what the person sees, in the reader's language.
        func text(_ raw: String?, _ field: String, _ label: Phrase, max: Int, required: Bool) -> String {
            let t = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if required && t.isEmpty {
                problems.append(FieldRefusal(field: field, rule: "service_point.\(field)_required", .labelled(label, Phrase("admin.refusal_required"))))
            } else if t.count > max {
                problems.append(FieldRefusal(field: field, rule: "service_point.\(field)_length", .labelled(label, Phrase("admin.refusal_at_most_chars", max))))
            } else if t.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append(FieldRefusal(field: field, rule: "service_point.\(field)_characters", .labelled(label, Phrase("admin.refusal_control_characters"))))
            }
            return t
        }
        let name = text(draft.name, "name", Phrase("network.name"), max: maxName, required: true)
        let address = text(draft.address, "address", Phrase("network.address"), max: maxAddress, required: true)
        let hours = text(draft.hours, "hours", Phrase("network.hours"), max: maxHours, required: true)
        let phone = text(draft.phone, "phone", Phrase("network.phone"), max: maxPhone, required: true)
        if !phone.isEmpty, phone.count <= maxPhone, !validPhone(phone) {
            problems.append(FieldRefusal(field: "phone", rule: "service_point.phone", Phrase("network.refusal_phone")))
        }
        var area: Int? = nil
        switch kind {
        case .hall:
            let typed = (draft.squareMetres ?? "").trimmingCharacters(in: .whitespaces)
            if let n = Int(typed), typed.allSatisfy(\.isASCII), (1...maxSquareMetres).contains(n) {
                area = n
            } else {
                problems.append(FieldRefusal(field: "square_metres", rule: "service_point.square_metres", Phrase("network.refusal_square_metres", maxSquareMetres)))
            }
        case .window:
            if !(draft.squareMetres ?? "").trimmingCharacters(in: .whitespaces).isEmpty || draft.oneStop {
                problems.append(FieldRefusal(field: "square_metres", rule: "service_point.window_has_no_hall_facts", Phrase("network.refusal_window_hall_facts")))
            }
        }
        guard problems.isEmpty else { throw FormRefused(problems: problems) }
        return ServicePointFacts(name: name, address: address, hours: hours, phone: phone, squareMetres: area, oneStop: kind == .hall && draft.oneStop)
    }

    /// 0473-1234567, 12349, (0477) 8123456, +86 471 1234567.
    public static func validPhone(_ s: String) -> Bool {
        let allowed = Set("0123456789 -+()")
        return s.allSatisfy { allowed.contains($0) } && s.filter(\.isNumber).count >= 5
    }

    /// 二.四 "最低生活保障服务大厅建设面积应不低于300平方米 … 对建成的“一站式”服务大厅给予适当补助":
    /// a hall in use that offers one-stop service and has at least the policy's floor area.
    public static func qualifiesForOneStopSubsidy(kind: ServicePointKind, oneStop: Bool, squareMetres: Int?, inUse: Bool, minimumSquareMetres: Int) -> Bool {
        guard kind == .hall, oneStop, inUse, let area = squareMetres else { return false }
        return area >= minimumSquareMetres
    }
}
