import SQLKit
import Vapor
import Foundation
import DibaoCore

/// Synthetic department files in the documented formats, for the demo, the samples in
/// docs/ and the benchmark. The shares are rough guesses at a poor region's population:
/// everybody has a registration record; a quarter draw wages, some a pension; most hold a
/// small deposit; few own a car or a business.
struct DepartmentSampleData {
    private var rng: SplitMix64
    let today: CivilDate
    /// The twelve months before the current one, "YYYY-MM".
    let months: [String]

    init(seed: UInt64, today: CivilDate) {
        self.rng = SplitMix64(seed: seed)
        self.today = today
        self.months = (1...12).map { String(today.firstOfMonth.adding(months: -$0).iso.prefix(7)) }.reversed()
    }

    /// The columns the generator writes, per source (optional ones included where it fills them).
    static let headers: [DepartmentSource: String] = [
        .householdRegistration: "id_number,name,household_number,status",
        .vehicle: "id_number,plate,vehicle_type,registered_on,value_yuan,status",
        .employment: "id_number,employer,item,period,monthly_yuan",
        .housing: "id_number,certificate,location,floor_area_m2,registered_on",
        .deposit: "id_number,institution,account,balance_yuan,as_of",
        .securities: "id_number,institution,account,market_value_yuan,as_of",
        .insurance: "id_number,insurer,policy_number,cash_value_yuan,as_of",
        .business: "id_number,registration_number,business_name,capital_yuan,registered_on,status",
        .tax: "id_number,withholder,income_item,period,income_yuan",
        .providentFund: "id_number,employer,period,monthly_deposit_yuan,balance_yuan",
    ]

    private mutating func chance(_ perMille: Int) -> Bool { Int(rng.next() % 1000) < perMille }
    private mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    private func yuan(_ fen: Int) -> String { "\(fen / 100).\(fen % 100 < 10 ? "0" : "")\(fen % 100)" }

    static let employers = ["呼和浩特市某物业服务有限公司", "内蒙古某乳业有限公司", "某建筑劳务公司", "某餐饮服务部", "某环卫服务中心", "某商贸有限公司"]
    static let banks = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "内蒙古农村信用社", "包商银行"]
    static let vehicleTypes = ["小型轿车", "小型普通客车", "轻型货车", "二轮摩托车", "三轮摩托车", "农用车"]

    /// Appends the rows of one person to `out` (one text per source); returns how many.
    mutating func person(_ id: String, name: String, into out: inout [DepartmentSource: String]) -> Int {
        var n = 0
        func add(_ source: DepartmentSource, _ line: String) { out[source, default: ""] += line + "\n"; n += 1 }
        let hh = "H\(id.prefix(6))\(below(1_000_000))"
        add(.householdRegistration, "\(id),\(name),\(hh),\(chance(2) ? "deceased" : "normal")")
        if chance(220) {
            let employer = Self.employers[below(Self.employers.count)]
            let wage = 180_000 + below(250_000)
            for m in months where chance(850) { add(.employment, "\(id),\(employer),wage,\(m),\(yuan(wage))") }
            if chance(500) { for m in months { add(.tax, "\(id),\(employer),工资薪金,\(m),\(yuan(wage))") } }
            if chance(400) { for m in months { add(.providentFund, "\(id),\(employer),\(m),\(yuan(wage / 10)),\(yuan(wage / 10 * (12 + below(60))))") } }
        } else if chance(120) {
            let pension = 150_000 + below(200_000)
            for m in months { add(.employment, "\(id),社会保险经办机构,pension,\(m),\(yuan(pension))") }
        }
        if chance(600) {
            for a in 0..<(1 + below(2)) {
                add(.deposit, "\(id),\(Self.banks[below(Self.banks.count)]),62\(below(100_000_000))\(a),\(yuan(below(chance(50) ? 20_000_000 : 800_000))),\(today.adding(days: -below(40)).iso)")
            }
        }
        if chance(60) {
            let type = Self.vehicleTypes[below(Self.vehicleTypes.count)]
            add(.vehicle, "\(id),蒙A\(10_000 + below(90_000)),\(type),\(2010 + below(15))-0\(1 + below(9))-1\(below(10)),\(yuan(300_000 + below(12_000_000))),held")
        }
        if chance(350) { add(.housing, "\(id),蒙(\(2015 + below(10)))呼和浩特市不动产权第\(below(10_000_000))号,某区某街道,\(40 + below(80)).\(below(10))0,20\(10 + below(15))-0\(1 + below(9))-15") }
        if chance(30) { add(.business, "\(id),92150100MA\(100_000 + below(900_000)),某个体工商户,\(yuan(1_000_000 + below(50_000_000))),2018-0\(1 + below(9))-01,\(chance(700) ? "active" : "cancelled")") }
        if chance(20) { add(.securities, "\(id),某证券公司,\(below(100_000_000)),\(yuan(below(10_000_000))),\(today.adding(days: -below(30)).iso)") }
        if chance(50) { add(.insurance, "\(id),某人寿保险公司,P\(below(1_000_000_000)),\(yuan(below(5_000_000))),\(today.adding(days: -below(90)).iso)") }
        return n
    }

    /// A valid resident ID of somebody not in the register (the departments' other people).
    mutating func stranger(_ i: Int) -> String {
        let born = CivilDate(year: 1940 + below(70), month: 1 + below(12), day: 1 + below(28))!
        return ResidentID.make(regionCode: ["150102", "150103", "150104", "150105", "150121", "150122"][i % 6], birthDate: born,
                               sequence: below(999), sex: i % 2 == 0 ? .male : .female).value
    }
}

/// Buffered writing of the ten department files into a folder.
final class DepartmentFileSet {
    let directory: String
    private var handles: [DepartmentSource: FileHandle] = [:]
    private(set) var rows: [DepartmentSource: Int] = [:]
    private var pending: [DepartmentSource: String] = [:]
    private var pendingBytes = 0

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for source in DepartmentSource.allCases {
            let path = self.path(source)
            FileManager.default.createFile(atPath: path, contents: Data((DepartmentSampleData.headers[source]! + "\n").utf8))
            let h = FileHandle(forWritingAtPath: path)!
            h.seekToEndOfFile()
            handles[source] = h
        }
    }

    func path(_ source: DepartmentSource) -> String { directory + "/" + source.rawValue + ".csv" }

    func append(_ chunk: [DepartmentSource: String]) throws {
        for (source, text) in chunk {
            pending[source, default: ""] += text
            rows[source, default: 0] += text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            pendingBytes += text.utf8.count
        }
        if pendingBytes > 8 << 20 { try flush() }
    }

    func flush() throws {
        for (source, text) in pending where !text.isEmpty { try handles[source]!.write(contentsOf: Data(text.utf8)) }
        pending = [:]
        pendingBytes = 0
    }

    func close() throws {
        try flush()
        for h in handles.values { try h.close() }
    }
}

extension DepartmentSampleData {
    /// The demo's department deliveries: one batch per source, about every registered member
    /// and as many people again whom the register does not hold, imported as a department
    /// would deliver them.
    static func loadDemo(app: Application) async throws -> Int {
        guard let sql = app.db as? any SQLDatabase else { return 0 }
        let people = try await sql.raw("SELECT id_number, name FROM members").all().map {
            (try $0.decode(column: "id_number", as: String.self), try $0.decode(column: "name", as: String.self))
        }
        guard !people.isEmpty else { return 0 }
        let dir = NSTemporaryDirectory() + "dibao-demo-dept-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try DepartmentFileSet(directory: dir)
        var gen = DepartmentSampleData(seed: 2013, today: app.dibao.clock.today())
        for (i, (id, name)) in people.enumerated() {
            var chunk: [DepartmentSource: String] = [:]
            _ = gen.person(id, name: name, into: &chunk)
            _ = gen.person(gen.stranger(i), name: "某人", into: &chunk)
            try files.append(chunk)
        }
        try files.close()
        var stored = 0
        for source in DepartmentSource.allCases {
            let out = try await DepartmentImport.importFile(at: files.path(source), source: source, period: nil,
                                                            by: .system(), app: app)
            stored += out.batch.rowsAccepted
        }
        return stored
    }
}
