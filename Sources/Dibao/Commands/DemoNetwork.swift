import Fluent
import Vapor
import DibaoCore

/// The demo league's service network (二.四): one hall per county — the urban county's
/// qualifies for the one-stop subsidy, the rural county's is below the floor area — and one
/// window at each township's civil-affairs office.
enum DemoNetwork {
    static func seed(app: Application) async throws {
        let league = try AreaCode(DemoData.league.0)
        let range = league.subtreeCodes
        guard try await ServicePoint.query(on: app.db).filter(\.$areaCode >= range.lowerBound).filter(\.$areaCode <= range.upperBound).count() == 0 else { return }
        let today = app.dibao.clock.today()
        func point(_ kind: ServicePointKind, _ area: String, _ name: String, _ address: String, _ phone: String, _ m2: Int? = nil) -> ServicePoint {
            let p = ServicePoint()
            p.kind = kind.rawValue
            p.areaCode = area
            p.name = name
            p.address = address
            p.hours = "周一至周五 8:30–12:00，14:30–18:00（法定节假日除外）"
            p.phone = phone
            p.squareMetres = m2
            p.oneStop = kind == .hall
            p.inUse = true
            p.closedReason = ""
            p.createdBy = "demo"
            p.createdOn = today.iso
            return p
        }
        var points = [
            point(.hall, DemoData.urbanCounty.0, "新城区社会救助“一站式”服务大厅", "新城区政务服务中心一楼", "0471-6901234", 360),
            point(.hall, DemoData.ruralCounty.0, "托克托县社会救助服务大厅", "托克托县双河镇政务服务中心二楼", "0471-8521234", 240),
        ]
        for (i, t) in (DemoData.urbanTownships + DemoData.ruralTownships).enumerated() {
            points.append(point(.window, t.0, "\(t.1)民政所低保受理窗口", "\(t.1)便民服务中心", String(format: "0471-69%05d", 10_000 + i)))
        }
        let made = points
        try await app.audit.write(on: app.db) { tx in
            for p in made { try await p.create(on: tx) }
            return ((), made.map { p in
                AuditEntry(actor: .system, action: "service_point.added", entityType: "service_point", entityID: p.id!.uuidString, areaCode: p.areaCode,
                           detail: ["kind": p.kind, "name": p.name])
            })
        }
    }
}
