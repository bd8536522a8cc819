/// 三.二 "加强能力建设…配备相应工作人员…通过政府购买服务等方式加强基层工作力量": the staff a county or
/// township has for dibao work, against the households it serves. 三.三 "将最低生活保障工作经费纳入
/// 财政预算": the year's work funds. 三.五 "将最低生活保障工作纳入…考核": the measures a
/// performance page shows beside the budget's execution.
public struct StaffingDraft: Sendable, Equatable {
    public var posts: String?
    public var filled: String?
    public var fullTime: String?
    public var purchased: String?

    public init(posts: String? = nil, filled: String? = nil, fullTime: String? = nil, purchased: String? = nil) {
        self.posts = posts
        self.filled = filled
        self.fullTime = fullTime
        self.purchased = purchased
    }
}

public struct Staffing: Sendable, Equatable, Codable {
    /// 编制: posts set for dibao work.
    public var posts: Int
    /// 在岗: posts filled.
    public var filled: Int
    /// 专职: of those filled, full-time on dibao work.
    public var fullTime: Int
    /// 政府购买服务: workers bought in as services, on top of the posts.
    public var purchased: Int

    public init(posts: Int, filled: Int, fullTime: Int, purchased: Int) {
        self.posts = posts
        self.filled = filled
        self.fullTime = fullTime
        self.purchased = purchased
    }

    /// Everyone working on dibao: filled posts and purchased services.
    public var workers: Int { filled + purchased }
}

public enum StaffingRules {
    /// Far above any real office: a typo of extra digits is refused.
    public static let maxPeople = 10_000

    public static func check(_ d: StaffingDraft) throws(FormRefused) -> Staffing {
        var problems: [FieldRefusal] = []
        func number(_ raw: String?, _ field: String, _ label: Phrase) -> Int {
            let t = (raw ?? "").trimmingCharacters(in: .whitespaces)
            if t.isEmpty { return 0 }
            guard t.allSatisfy(\.isASCII), let n = Int(t), (0...maxPeople).contains(n) else {
                problems.append(FieldRefusal(field: field, rule: "staffing.\(field)", .labelled(label, Phrase("guarantee.refusal_whole_number", maxPeople))))
                return 0
            }
            return n
        }
        let s = Staffing(posts: number(d.posts, "posts", Phrase("guarantee.refusal_label_posts")), filled: number(d.filled, "filled", Phrase("guarantee.refusal_label_filled")),
                         fullTime: number(d.fullTime, "full_time", Phrase("guarantee.refusal_label_full_time")), purchased: number(d.purchased, "purchased", Phrase("guarantee.refusal_label_purchased")))
        if problems.isEmpty {
            if s.filled > s.posts {
                problems.append(FieldRefusal(field: "filled", rule: "staffing.filled_over_posts",
                                             .labelled(Phrase("guarantee.refusal_label_filled"), Phrase("guarantee.refusal_filled_over_posts"))))
            }
            if s.fullTime > s.filled {
                problems.append(FieldRefusal(field: "full_time", rule: "staffing.full_time_over_filled", .labelled(Phrase("guarantee.refusal_label_full_time"), Phrase("guarantee.refusal_full_time_over_filled"))))
            }
        }
        guard problems.isEmpty else { throw FormRefused(problems: problems) }
        return s
    }

    /// Households per worker, rounded half up; nil when nobody is recorded as working.
    public static func householdsPerWorker(households: Int, staffing: Staffing?) -> Int? {
        guard let w = staffing?.workers, w > 0 else { return nil }
        return (households * 2 + w) / (w * 2)
    }
}

/// A count of things concluded in a period and how many of them within their limit.
public struct OnTimeCount: Sendable, Equatable, Codable {
    public var concluded: Int
    public var onTime: Int

    public init(concluded: Int = 0, onTime: Int = 0) {
        self.concluded = concluded
        self.onTime = onTime
    }

    public mutating func add(onTime ok: Bool) {
        concluded += 1
        if ok { onTime += 1 }
    }

    /// Share within the limit, per mille; nil when nothing was concluded.
    public var perMille: Int? { concluded > 0 ? onTime * 1000 / concluded : nil }
}

public enum Performance {
    /// 二.二.4: a decision made on or before the day its limit ends.
    public static func decisionOnTime(decidedOn: CivilDate, deadline: CivilDate?) -> Bool {
        guard let deadline else { return true }
        return decidedOn <= deadline
    }

    /// 二.六: a review decided in the month its household was due, or earlier.
    public static func reviewOnTime(dueMonth: CivilDate, decidedOn: CivilDate) -> Bool {
        decidedOn.firstOfMonth <= dueMonth.firstOfMonth
    }
}
