import DibaoCore
import Vapor

/// The OpenAPI 3.1 description of `/api/v1`, served at `/openapi.json`. A test walks the
/// app's routes and checks that every API route is described here.
enum OpenAPIDocument {
    static func json() -> [String: Any] {
        let money: [String: Any] = ["type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,2})?$", "description": "Yuan with at most two decimals, e.g. \"1200.50\" (stored as integer fen)"]
        let ref = { (name: String) -> [String: Any] in ["$ref": "#/components/schemas/\(name)"] }
        let errorResponse: [String: Any] = ["description": "Refused; `reason` and each problem's `message` are in the caller's language (?lang=zh|en)", "content": ["application/json": ["schema": ref("Error")]]]
        let auth: [[String: [String]]] = [["bearer": []], ["session": []]]
        let idParam: [String: Any] = ["name": "id", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        let intParam: [String: Any] = ["name": "id", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1]]
        let langParam: [String: Any] = ["name": "lang", "in": "query", "schema": ["type": "string", "enum": ["zh", "en"]]]
        func op(_ summary: String, _ tag: String, params: [[String: Any]] = [], body: String? = nil, ok: (String, [String: Any])) -> [String: Any] {
            var o: [String: Any] = [
                "summary": summary, "tags": [tag], "security": auth, "parameters": params + [langParam],
                "responses": [ok.0: ok.1, "401": errorResponse, "403": errorResponse, "404": errorResponse, "422": errorResponse],
            ]
            if let body { o["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(body)]]] }
            return o
        }
        func json(_ schema: [String: Any], _ description: String = "OK") -> [String: Any] {
            ["description": description, "content": ["application/json": ["schema": schema]]]
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Dibao API", "version": "1.0.0",
                     "description": "最低生活保障业务管理系统 — households, members and supporters. Every call is limited to the caller's area and below; ID numbers, health and disability data are masked for roles that do not need them."],
            "servers": [["url": "/"]],
            "paths": [
                "/healthz": ["get": ["summary": "Database in use and whether it answers", "tags": ["system"], "security": [], "responses": ["200": json(ref("Health")), "503": json(ref("Health"), "Database unavailable")]]],
                "/api/v1/me": ["get": op("The calling account, its role, area and permissions", "access", ok: ("200", json(ref("Me"))))],
                "/api/v1/areas": ["get": op("Areas in the caller's jurisdiction", "registry", ok: ("200", json(["type": "array", "items": ref("Area")])))],
                "/api/v1/households": [
                    "get": op("Search households (ID number exact, or name prefix of any member), 50 a page", "registry",
                              params: [["name": "q", "in": "query", "schema": ["type": "string"]],
                                       ["name": "area", "in": "query", "schema": ["type": "string", "description": "Area code inside the caller's area"]],
                                       ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1]]],
                              ok: ("200", json(ref("HouseholdList")))),
                    "post": op("Register a household with its members, supporters and assets", "registry", body: "HouseholdDraft", ok: ("201", json(ref("Household"), "Created"))),
                ],
                "/api/v1/households/{id}": [
                    "get": op("One household, masked for the caller's role", "registry", params: [idParam], ok: ("200", json(ref("Household")))),
                    "put": op("Replace a household's record; needs the version read and a reason", "registry", params: [idParam], body: "HouseholdUpdate", ok: ("200", json(ref("Household")))),
                ],
                "/api/v1/households/{id}/history": ["get": op("The household's audit history", "registry", params: [idParam], ok: ("200", json(["type": "array", "items": ref("HistoryRow")])))],
                "/api/v1/households/{id}/cases": ["post": op("File an application (二.二.1) for a household: channel, window, the three declarations' signers", "cases", params: [idParam], body: "IntakeInput", ok: ("201", json(ref("Case"), "Filed")))],
                "/api/v1/cases": ["get": op("The caller's work queue (oldest deadline first), or all cases of a stage", "cases",
                                            params: [["name": "stage", "in": "query", "schema": ref("CaseStage")]], ok: ("200", json(["type": "array", "items": ref("CaseRow")])))],
                "/api/v1/cases/overdue": ["get": op("Cases past the county's 30-working-day deadline in the caller's area", "cases", ok: ("200", json(["type": "array", "items": ref("CaseRow")])))],
                "/api/v1/cases/{id}": ["get": op("One case with its records, clock and the steps the caller may take", "cases", params: [idParam], ok: ("200", json(ref("Case"))))],
                "/api/v1/cases/{id}/evidence": ["post": ["summary": "Attach an evidence file (PDF, JPEG or PNG, at most 5 MB) during intake or investigation", "tags": ["cases"], "security": auth, "parameters": [idParam, langParam],
                    "requestBody": ["required": true, "content": ["multipart/form-data": ["schema": ["type": "object", "required": ["kind", "file"], "properties": [
                        "kind": ["type": "string", "enum": ["household_registration", "income", "assets", "other"]], "file": ["type": "string", "format": "binary"]]]]]],
                    "responses": ["201": json(ref("Case"), "Attached"), "401": errorResponse, "403": errorResponse, "404": errorResponse, "422": errorResponse]]],
                "/api/v1/cases/{id}/steps/{action}": ["post": op("Take a step of the case (二.二–二.三); refused with the rule when the stage, the role or a precondition does not allow it", "cases",
                    params: [idParam, ["name": "action", "in": "path", "required": true, "schema": ref("CaseAction")]], body: "StepInput", ok: ("200", json(ref("Case"))))],
                "/api/v1/cases/{id}/history": ["get": op("The case's audit history", "cases", params: [idParam], ok: ("200", json(["type": "array", "items": ref("HistoryRow")])))],
                "/api/v1/cases/{id}/objections": ["post": op("Record an objection raised in the village against the case's notice", "cases", params: [idParam], body: "StaffObjection", ok: ("201", json(ref("ObjectionRaised"), "Recorded")))],
                "/api/v1/cases/{id}/objections/{objection}/answer": ["post": op("Answer an objection (复核) with an explanation", "cases",
                    params: [idParam, ["name": "objection", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]], body: "ObjectionAnswer",
                    ok: ("200", json(["type": "object", "properties": ["status": ["type": "string"], "answeredOn": ["type": "string"]]])))],
                "/api/v1/cases/{id}/objections/{objection}/dismiss": ["post": op("Close an objection without review as a duplicate or abuse, with the reason the objector will read (audited)", "cases",
                    params: [idParam, ["name": "objection", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]], body: "ObjectionDismissal",
                    ok: ("200", json(["type": "object", "properties": ["status": ["type": "string"], "answeredOn": ["type": "string"]]])))],
                "/api/v1/spot-checks": ["post": op("Draw the county's spot-check sample (≥ the policy share, rounded up) from its undrawn batch; the seed is recorded", "cases",
                    body: "DrawInput", ok: ("201", json(["type": "object", "properties": ["drawID": ["type": "string", "format": "uuid"], "seed": ["type": "string"], "population": ["type": "integer"], "picked": ["type": "array", "items": ["type": "string"]]]], "Drawn")))],
                "/api/v1/spot-checks/{id}": ["get": op("A recorded draw, and whether redrawing it from its seed gives the same cases", "cases", params: [idParam],
                    ok: ("200", json(["type": "object", "properties": ["id": ["type": "string"], "countyCode": ["type": "string"], "drawnOn": ["type": "string"], "seed": ["type": "string"], "share": ["type": "integer"],
                                                                         "batch": ["type": "array", "items": ["type": "string"]], "picked": ["type": "array", "items": ["type": "string"]], "redrawMatches": ["type": "boolean"]]])))],
                "/api/v1/verification/batches": [
                    "post": ["summary": "Deliver a department batch (二.五): the body is the CSV file (UTF-8 or GB18030, formats in docs/verification-formats.md), streamed; 201 stored, 200 the same file was already stored (nothing changed), 422 refused whole (too many bad rows) with the error report",
                             "tags": ["verification"], "security": auth,
                             "parameters": [["name": "source", "in": "query", "required": true, "schema": ["type": "string", "enum": DepartmentSource.allCases.map(\.rawValue)]],
                                            ["name": "period", "in": "query", "schema": ["type": "string", "description": "YYYY-MM; the current month when omitted"]],
                                            ["name": "file_name", "in": "query", "schema": ["type": "string"]], langParam],
                             "requestBody": ["required": true, "content": ["text/csv": ["schema": ["type": "string"]]]],
                             "responses": ["201": json(ref("DepartmentBatch"), "Stored"), "200": json(ref("DepartmentBatch"), "Already stored"), "401": errorResponse, "403": errorResponse, "422": json(ref("DepartmentBatch"), "Refused whole")]],
                    "get": op("Recent batches (a department's token: its own deliveries)", "verification", ok: ("200", json(["type": "array", "items": ref("DepartmentBatch")]))),
                ],
                "/api/v1/verification/batches/{id}": ["get": op("One batch with its error report (line, column, rule, reason)", "verification", params: [idParam], ok: ("200", json(ref("DepartmentBatch"))))],
                "/api/v1/verification/requests": [
                    "post": op("Ask the verification centre of the caller's level to check households: one case (caseID), listed households, or scope=enrolled (every enrolled household of the caller's area). Refused whole when a household has no signed 授权核对委托书", "verification",
                               body: "VerificationRequestInput", ok: ("201", json(ref("VerificationRequest"), "Requested"))),
                    "get": op("Requests the caller may see: a centre's officer, the requests sent to that centre; others, their area's", "verification",
                              params: [["name": "status", "in": "query", "schema": ["type": "string", "enum": ["pending", "done"]]]], ok: ("200", json(["type": "array", "items": ref("VerificationRequest")]))),
                ],
                "/api/v1/verification/requests/{id}": ["get": op("One request with each household's report summary", "verification", params: [idParam], ok: ("200", json(ref("VerificationRequest"))))],
                "/api/v1/verification/requests/{id}/run": ["post": op("Run the check (the centre's officer): every member against every source, one report per household, one audit event per look-up", "verification", params: [idParam], ok: ("200", json(ref("VerificationRequest"))))],
                "/api/v1/verification/reports/{id}": ["get": op("One household's verification report: what each source says, totals per kind, contradictions; masked for roles without access to ID numbers", "verification", params: [idParam], ok: ("200", json(ref("VerificationReport"))))],
                "/api/v1/households/{id}/verification": ["get": op("The household's latest verification report", "verification", params: [idParam], ok: ("200", json(ref("VerificationReport"))))],
                "/api/v1/payrolls": [
                    "get": op("Payrolls in the caller's area (a bank's token: those with a file for its bank)", "payment", ok: ("200", json(["type": "array", "items": ref("Payroll")]))),
                    "post": op("Draft the county's payroll for a period (county caseworker), all lines in one transaction", "payment", body: "PayrollDraft", ok: ("201", json(ref("Payroll"), "Drafted"))),
                ],
                "/api/v1/payrolls/{id}": ["get": op("One payroll with its bank files", "payment", params: [idParam], ok: ("200", json(ref("Payroll"))))],
                "/api/v1/payrolls/{id}/{step}": ["post": op("A step: release (finance, never the drafter), export (payment files), close (no failed line open)", "payment",
                    params: [idParam, ["name": "step", "in": "path", "required": true, "schema": ["type": "string", "enum": ["release", "export", "close"]]]],
                    ok: ("200", json(ref("Payroll"))))],
                "/api/v1/payrolls/{id}/files/{bank}": ["get": op("The payment file for one bank (docs/bank-file-formats.md), the same bytes as exported", "payment",
                    params: [idParam, ["name": "bank", "in": "path", "required": true, "schema": ["type": "string"]]],
                    ok: ("200", ["description": "Payment file", "content": ["text/plain": ["schema": ["type": "string"]]]]))],
                "/api/v1/payrolls/{id}/files/{bank}/result": ["post": [
                    "summary": "The bank's result file (text/plain body); checked whole against the payment file before anything is booked", "tags": ["payment"], "security": auth,
                    "parameters": [idParam, ["name": "bank", "in": "path", "required": true, "schema": ["type": "string"]], langParam],
                    "requestBody": ["required": true, "content": ["text/plain": ["schema": ["type": "string"]]]],
                    "responses": ["200": json(ref("PaymentResult")), "401": errorResponse, "403": errorResponse, "404": errorResponse, "422": errorResponse]]],
                "/api/v1/budget-execution": ["get": op("Budget against spending per county of the caller's area: by month, quarter and source; progress, evenness, carry-over flag", "payment",
                    params: [["name": "year", "in": "query", "schema": ["type": "integer"]]], ok: ("200", json(["type": "array", "items": ref("BudgetExecution")])))],
                "/api/v1/public/notices": ["get": ["summary": "Public notices of a county, township or village (masked; no sign-in)", "tags": ["public"], "security": [],
                    "parameters": [["name": "area", "in": "query", "required": true, "schema": ["type": "string"]], ["name": "page", "in": "query", "schema": ["type": "integer"]], langParam],
                    "responses": ["200": json(ref("NoticeList")), "422": errorResponse]]],
                "/api/v1/public/cases/{receipt}": ["get": ["summary": "The stage of an application by its receipt number (no sign-in)", "tags": ["public"], "security": [],
                    "parameters": [["name": "receipt", "in": "path", "required": true, "schema": ["type": "string"]],
                                   ["name": "phone", "in": "query", "schema": ["type": "string", "pattern": "^[0-9]{4}$", "description": "Last four digits of the registered phone: shows the head (masked), village, reason and amount"]], langParam],
                    "responses": ["200": json(ref("Lookup")), "404": errorResponse, "422": errorResponse, "429": errorResponse]]],
                "/api/v1/public/objections": ["post": ["summary": "Raise an objection to a posted notice (no sign-in); returns the reference to read the answer", "tags": ["public"], "security": [],
                    "parameters": [langParam], "requestBody": ["required": true, "content": ["application/json": ["schema": ref("PublicObjection")]]],
                    "responses": ["201": json(ref("ObjectionRaised"), "Raised"), "422": errorResponse]]],
                "/api/v1/public/objections/{reference}": ["get": ["summary": "An objection's status and answer, by its reference (no sign-in)", "tags": ["public"], "security": [],
                    "parameters": [["name": "reference", "in": "path", "required": true, "schema": ["type": "string"]], langParam],
                    "responses": ["200": json(ref("ObjectionView")), "404": errorResponse]]],
                // 二.六 dynamic management (issue 13)
                "/api/v1/reviews": ["get": op("Reviews under way in the caller's area that wait for the caller's role, oldest due month first (`all=1`: every stage; `q`: head's name)", "reviews",
                    params: [["name": "all", "in": "query", "schema": ["type": "string", "enum": ["1"]]], ["name": "q", "in": "query", "schema": ["type": "string", "maxLength": 50]]],
                    ok: ("200", json(["type": "array", "items": ref("ReviewRow")])))],
                "/api/v1/reviews/due-list": ["post": op("Open the month's reviews due by class and date in the caller's county (the system opens them for the county; one audit event per run)", "reviews",
                    body: "Month", ok: ("200", json(ref("DueListRun"))))],
                "/api/v1/reviews/{id}": ["get": op("One review with its visit, recalculation, outcome and the steps the caller may take", "reviews", params: [intParam], ok: ("200", json(ref("Review"))))],
                "/api/v1/reviews/{id}/steps/{action}": ["post": op("Take a step of the review: recordVisit (township caseworker), propose (township head), decide or returnToTownship (county approver), cancel (county); refused with the rule", "reviews",
                    params: [intParam, ["name": "action", "in": "path", "required": true, "schema": ["type": "string", "enum": ReviewAction.allCases.filter { $0 != .open }.map(\.rawValue)]]],
                    body: "ReviewInput", ok: ("200", json(ref("Review"))))],
                "/api/v1/reviews/early/{id}/{answer}": ["post": op("The county accepts (opening a review) or declines (with its reason) a township's early-review request", "reviews",
                    params: [intParam, ["name": "answer", "in": "path", "required": true, "schema": ["type": "string", "enum": ["accept", "decline"]]]],
                    body: "Reason", ok: ("200", json(ref("EarlyReview"))))],
                "/api/v1/enrolled/{id}": ["get": op("The enrolled household of a household: status, class, next review, decisions, reviews, reports", "reviews", params: [idParam], ok: ("200", json(ref("Enrolled"))))],
                "/api/v1/enrolled/{id}/decisions/{decision}/letter": ["get": op("The decision letter (纳入/变更/停发通知书) of one of the household's benefit decisions", "reviews",
                    params: [idParam, ["name": "decision", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 1]]], ok: ("200", json(ref("DecisionLetter"))))],
                "/api/v1/enrolled/{id}/reviews": ["post": op("Open a review of the enrolled household by hand", "reviews", params: [idParam], body: "Reason", ok: ("201", json(ref("Review"), "Opened")))],
                "/api/v1/enrolled/{id}/reports": ["post": op("Record the household's written report (书面报告); a reported change opens a review", "reviews", params: [idParam], body: "ChangeReportInput", ok: ("201", json(ref("ChangeReport"), "Recorded")))],
                "/api/v1/enrolled/{id}/early-review": ["post": op("The township asks the county for an early review, with its reason", "reviews", params: [idParam], body: "Reason", ok: ("201", json(ref("EarlyReview"), "Asked")))],
            ],
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "System callers (banks, departments): token from `dibao user token`"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "dibao-session", "description": "Signed-in browser; writes also need header X-CSRF-Token"],
                ],
                "schemas": [
                    "ReviewRow": ["type": "object", "properties": ["id": ["type": "integer"], "enrolledID": ["type": "string"], "householdID": ["type": "string"], "villageCode": ["type": "string"],
                        "head": ["type": "string", "description": "Masked for roles that do not see personal data"], "stage": ["type": "string", "enum": ReviewStage.allCases.map(\.rawValue)],
                        "stageName": ["type": "string"], "trigger": ["type": "string", "enum": ReviewTrigger.allCases.map(\.rawValue)], "triggerName": ["type": "string"],
                        "dueMonth": ["type": "string"], "overdue": ["type": "boolean"], "openedOn": ["type": "string", "format": "date"]]],
                    "Review": ["type": "object", "description": "A review (复核) as its page shows it", "properties": ["id": ["type": "integer"], "stage": ["type": "string"], "trigger": ["type": "string"],
                        "currentAmount": ["type": "string"], "computed": ["type": "string"], "outcome": ["type": "string"], "proposed": money,
                        "steps": ["type": "array", "items": ["type": "object", "properties": ["action": ["type": "string"], "title": ["type": "string"], "needsReason": ["type": "boolean"]]]]]],
                    "ReviewInput": ["type": "object", "properties": ["reason": ["type": "string"], "visitKind": ["type": "string", "enum": VisitKind.allCases.map(\.rawValue)],
                        "visitors": ["type": "string", "description": "Names separated by 、 or commas; at least the policy's number"], "visitedOn": ["type": "string", "format": "date"],
                        "notes": ["type": "string"], "incomes": ["type": "object", "additionalProperties": money, "description": "\"<member id>.<income kind>\" → monthly yuan"],
                        "useVerifiedIncome": ["type": "string"], "incomeStable": ["type": "string", "enum": ["true", "false"]],
                        "outcome": ["type": "string", "enum": ReviewOutcome.allCases.map(\.rawValue)], "amount": money,
                        "exitReason": ["type": "string", "enum": ExitReason.allCases.map(\.rawValue)]]],
                    "Enrolled": ["type": "object", "description": "保障对象", "properties": ["id": ["type": "string"], "status": ["type": "string", "enum": EnrolledStatus.allCases.map(\.rawValue)],
                        "reviewClass": ["type": "string"], "nextReviewOn": ["type": "string"], "lastReportOn": ["type": "string"], "monthly": ["type": "string"],
                        "decisions": ["type": "array", "items": ["type": "object"]], "reviews": ["type": "array", "items": ref("ReviewRow")]]],
                    "ChangeReportInput": ["type": "object", "properties": ["reportedOn": ["type": "string", "format": "date"], "channel": ["type": "string", "enum": ["village", "township"]],
                        "kinds": ["type": "array", "items": ["type": "string", "enum": ChangeKind.allCases.map(\.rawValue)]], "text": ["type": "string", "maxLength": 2000]]],
                    "ChangeReport": ["type": "object", "properties": ["id": ["type": "integer"], "reviewID": ["type": "integer"]]],
                    "DecisionLetter": ["type": "object", "description": "纳入/变更/停发通知书", "properties": ["number": ["type": "string"], "title": ["type": "string"],
                        "kind": ["type": "string", "enum": BenefitDecision.Kind.allCases.map(\.rawValue)], "fromMonth": ["type": "string"], "amount": ["type": "string"],
                        "reason": ["type": "string"], "policy": ["type": "string"], "remedy": ["type": "string"], "issuer": ["type": "string"], "decidedOn": ["type": "string"]]],
                    "EarlyReview": ["type": "object", "properties": ["id": ["type": "integer"], "stage": ["type": "string", "enum": EarlyReviewStage.allCases.map(\.rawValue)], "reviewID": ["type": "integer"]]],
                    "Reason": ["type": "object", "properties": ["reason": ["type": "string"]]],
                    "Month": ["type": "object", "required": ["month"], "properties": ["month": ["type": "string", "description": "2026-03"]]],
                    "DueListRun": ["type": "object", "properties": ["id": ["type": "string"], "month": ["type": "string"], "opened": ["type": "integer"]]],
                    "PayrollDraft": ["type": "object", "required": ["period"], "properties": ["period": ["type": "string", "description": "2026-03, or 2026Q1 in a quarterly county"]]],
                    "Payroll": ["type": "object", "properties": [
                        "id": ["type": "string", "format": "uuid"], "number": ["type": "string"], "county": ["type": "string"], "period": ["type": "string"],
                        "stage": ["type": "string", "enum": PayrollStage.allCases.map(\.rawValue)], "lines": ["type": "integer"], "total": money,
                        "held": ["type": "integer"], "heldTotal": money, "paid": money, "failed": ["type": "integer"], "failedTotal": money,
                        "draftedBy": ["type": "string"], "releasedBy": ["type": "string"],
                        "files": ["type": "array", "items": ["type": "object", "properties": ["bank": ["type": "string"], "lines": ["type": "integer"], "total": money,
                                                                                           "sha256": ["type": "string"], "resultOn": ["type": "string"],
                                                                                           "paid": ["type": "integer"], "failed": ["type": "integer"]]]]]],
                    "PaymentResult": ["type": "object", "properties": ["paid": ["type": "integer"], "failed": ["type": "integer"], "failedTotal": money]],
                    "BudgetExecution": ["type": "object", "properties": [
                        "county": ["type": "string"], "year": ["type": "integer"], "budget": money, "spent": money,
                        "monthly": ["type": "array", "items": money], "quarters": ["type": "array", "items": money],
                        "progressPerMille": ["type": "integer"], "evennessPerMille": ["type": "integer"], "carryOver": money, "carryOverFlagged": ["type": "boolean"],
                        "sources": ["type": "array", "items": ["type": "object", "properties": ["source": ["type": "string", "enum": FundSource.allCases.map(\.rawValue)], "budget": money, "spent": money]]]]],
                    "Error": ["type": "object", "required": ["error", "reason"], "properties": [
                        "error": ["type": "string"], "reason": ["type": "string"],
                        "problems": ["type": "array", "items": ["type": "object", "properties": ["field": ["type": "string"], "rule": ["type": "string"], "message": ["type": "string"]]]]]],
                    "Health": ["type": "object", "properties": ["status": ["type": "string"], "database": ["type": "string"], "databaseKind": ["type": "string", "enum": ["sqlite", "postgresql"]], "migrations": ["type": "integer"]]],
                    "Me": ["type": "object", "properties": ["username": ["type": "string"], "displayName": ["type": "string"], "role": ["type": "string"], "areaCode": ["type": "string"], "permissions": ["type": "array", "items": ["type": "string"]]]],
                    "Area": ["type": "object", "properties": ["code": ["type": "string"], "name": ["type": "string"], "level": ["type": "integer", "minimum": 1, "maximum": 5], "kind": ["type": ["string", "null"], "enum": ["urban", "rural", NSNull()]]]],
                    "HouseholdDraft": ["type": "object", "required": ["villageCode", "address", "phone", "members", "supporters", "assets"], "properties": [
                        "villageCode": ["type": "string", "description": "12-digit code of a village/community in the caller's area"],
                        "address": ["type": "string"], "phone": ["type": "string"],
                        "members": ["type": "array", "items": ref("MemberDraft")],
                        "supporters": ["type": "array", "items": ["type": "object", "required": ["name", "idNumber", "duty", "monthlySupport", "note"], "properties": [
                            "name": ["type": "string"], "idNumber": ["type": "string"], "duty": ["type": "string", "enum": ["elders", "children", "spouse"]], "monthlySupport": money, "note": ["type": "string"]]]],
                        "assets": ["type": "array", "items": ["type": "object", "required": ["kind", "description", "value"], "properties": [
                            "kind": ["type": "string", "enum": ["vehicle", "housing", "deposit", "securities", "business", "livestock", "other"]], "description": ["type": "string"], "value": money]]],
                    ]],
                    "MemberDraft": ["type": "object", "required": ["name", "idNumber", "relation", "disabilityLevel", "severeIllness", "illnessNote", "workCapacity", "employment", "incomes"], "properties": [
                        "name": ["type": "string"], "idNumber": ["type": "string", "description": "18-character resident ID (GB 11643)"],
                        "relation": ["type": "string", "enum": ["head", "spouse", "child", "parent", "grandparent", "grandchild", "sibling", "other"]],
                        "disabilityLevel": ["type": "integer", "minimum": 0, "maximum": 4], "severeIllness": ["type": "boolean"], "illnessNote": ["type": "string"],
                        "workCapacity": ["type": "string", "enum": ["full", "partial", "none"]],
                        "employment": ["type": "string", "enum": ["employed", "flexible", "farming_herding", "unemployed", "student", "retired", "not_applicable"]],
                        "incomes": ["type": "object", "description": "Monthly income by kind (wages, business, farming, pension, transfer, other)", "additionalProperties": money],
                    ]],
                    "HouseholdUpdate": ["type": "object", "required": ["version", "reason", "household"], "properties": ["version": ["type": "integer"], "reason": ["type": "string", "minLength": 1], "household": ref("HouseholdDraft")]],
                    "HouseholdRow": ["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "headName": ["type": "string"], "villageCode": ["type": "string"], "villageName": ["type": "string"], "kind": ["type": "string"], "memberCount": ["type": "integer"], "status": ["type": "string"], "updatedAt": ["type": "string"]]],
                    "HouseholdList": ["type": "object", "properties": ["items": ["type": "array", "items": ref("HouseholdRow")], "total": ["type": "integer"], "page": ["type": "integer"], "pageSize": ["type": "integer"],
                                                          "truncated": ["type": "boolean", "description": "A name search stopped at 2000 matching people; refine it"]]],
                    "Household": ["type": "object", "description": "Masked (names 张*明, ID 1501**********1234, no health/disability detail) unless the caller's role may see them; `masked` says which",
                                  "properties": ["id": ["type": "string", "format": "uuid"], "headName": ["type": "string"], "villageCode": ["type": "string"], "villageName": ["type": "string"], "kind": ["type": "string"], "address": ["type": "string"], "phone": ["type": "string"], "status": ["type": "string"], "version": ["type": "integer"], "memberCount": ["type": "integer"], "monthlyIncome": ["type": "string"], "masked": ["type": "boolean"], "members": ["type": "array", "items": ["type": "object"]], "supporters": ["type": "array", "items": ["type": "object"]], "assets": ["type": "array", "items": ["type": "object"]]]],
                    "CaseStage": ["type": "string", "enum": CaseStage.allCases.map(\.rawValue)],
                    "CaseAction": ["type": "string", "enum": CaseAction.allCases.map(\.rawValue)],
                    "IntakeInput": ["type": "object", "properties": ["channel": ["type": "string", "enum": ["window", "village_committee"]], "windowName": ["type": "string"],
                                                                     "signers": ["type": "object", "description": "Signer by declaration: income_assets, verification_authorization, integrity_pledge", "additionalProperties": ["type": "string"]]]],
                    "StepInput": ["type": "object", "description": "Each step reads the fields it needs: reason (refusals, returns, withdrawals); investigators, visitedOn, notes, applicantSigned, truth, truthNote, incomes, blacklist, blacklistReason (completeInvestigation); heldOn, panelSize, votesFor, votesAgainst, votesAbstain, evaluationSigned (recordEvaluation); opinion, amount (townshipApprove); findings, visitedOn (recordSpotCheckVisit); amount, firstMonth (approve); incomeStable (enroll)",
                                  "properties": ["reason": ["type": "string"], "investigators": ["type": "string"], "visitedOn": ["type": "string", "format": "date"], "notes": ["type": "string"], "applicantSigned": ["type": "string"],
                                                 "truth": ["type": "object", "additionalProperties": ["type": "string", "enum": ["true", "false"]]], "truthNote": ["type": "object", "additionalProperties": ["type": "string"]],
                                                 "incomes": ["type": "object", "description": "Verified monthly income by \"<member id>.<income kind>\"", "additionalProperties": money],
                                                 "blacklist": ["type": "string"], "blacklistReason": ["type": "string"], "heldOn": ["type": "string", "format": "date"],
                                                 "panelSize": ["type": "integer"], "votesFor": ["type": "integer"], "votesAgainst": ["type": "integer"], "votesAbstain": ["type": "integer"], "evaluationSigned": ["type": "string"],
                                                 "useVerifiedIncome": ["type": "string", "description": "true: take members' incomes from the household's latest verification report"],
                                                 "opinion": ["type": "string"], "amount": money, "firstMonth": ["type": "string", "description": "2026-03 or 2026-03-01"], "findings": ["type": "string"], "incomeStable": ["type": "string"]]],
                    "Case": ["type": "object", "description": "A case with its household (masked as the caller's role requires), records, county clock and `steps` the caller may take",
                             "properties": ["id": ["type": "string", "format": "uuid"], "receipt": ["type": "string"], "stage": ref("CaseStage"), "stageName": ["type": "string"], "household": ref("Household"),
                                            "deadline": ["type": ["string", "null"]], "workingDaysLeft": ["type": ["integer", "null"]], "overdue": ["type": "boolean"], "computedAmount": ["type": ["string", "null"]],
                                            "approvedAmount": ["type": ["string", "null"]], "firstMonth": ["type": ["string", "null"]], "reviewClass": ["type": ["string", "null"]], "nextReviewOn": ["type": ["string", "null"]],
                                            "openObjections": ["type": "integer"], "steps": ["type": "array", "items": ["type": "object", "properties": ["action": ref("CaseAction"), "title": ["type": "string"], "needsReason": ["type": "boolean"]]]]]],
                    "CaseRow": ["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "receipt": ["type": "string"], "head": ["type": "string"], "village": ["type": "string"], "stage": ref("CaseStage"),
                                                                 "stageName": ["type": "string"], "deadline": ["type": ["string", "null"]], "workingDaysLeft": ["type": ["integer", "null"]], "overdue": ["type": "boolean"], "openObjections": ["type": "integer"]]],
                    "StaffObjection": ["type": "object", "required": ["text"], "properties": ["name": ["type": "string"], "text": ["type": "string"]]],
                    "PublicObjection": ["type": "object", "required": ["receipt", "text"], "properties": ["receipt": ["type": "string"], "name": ["type": "string"], "text": ["type": "string"]]],
                    "ObjectionAnswer": ["type": "object", "required": ["answer"], "properties": ["answer": ["type": "string"]]],
                    "ObjectionDismissal": ["type": "object", "required": ["kind", "reason"], "properties": ["kind": ["type": "string", "enum": ["duplicate", "abusive"]], "reason": ["type": "string", "maxLength": 2000]]],
                    "ObjectionRaised": ["type": "object", "properties": ["reference": ["type": "string"], "answerDue": ["type": "string", "format": "date"]]],
                    "ObjectionView": ["type": "object", "properties": ["reference": ["type": "string"], "receipt": ["type": "string"], "raisedOn": ["type": "string"], "text": ["type": "string"], "status": ["type": "string"],
                                                                       "statusName": ["type": "string"], "answerDue": ["type": "string"], "answer": ["type": ["string", "null"]], "answeredOn": ["type": ["string", "null"]]]],
                    "DrawInput": ["type": "object", "properties": ["seed": ["type": "string", "description": "Optional; a random 64-bit seed is made and recorded when omitted"]]],
                    "NoticeList": ["type": "object", "description": "Masked names only; never ID numbers, phone, address below village, health or disability",
                                   "properties": ["area": ["type": "string"], "areaName": ["type": "string"], "page": ["type": "integer"], "totalSecond": ["type": "integer"],
                                                  "first": ["type": "array", "items": ref("NoticeRow")], "second": ["type": "array", "items": ref("NoticeRow")]]],
                    "NoticeRow": ["type": "object", "properties": ["village": ["type": ["string", "null"], "description": "Only with the phone's last four digits"], "head": ["type": ["string", "null"]], "members": ["type": "string"], "memberCount": ["type": "integer"],
                                                                   "monthlyIncome": ["type": "string"], "amount": ["type": "string"], "postedOn": ["type": "string"], "endsOn": ["type": ["string", "null"]], "summary": ["type": "string"]]],
                    "Lookup": ["type": "object", "properties": ["receipt": ["type": "string"], "stage": ref("CaseStage"), "stageName": ["type": "string"], "village": ["type": "string"], "head": ["type": "string"],
                                                                "submittedOn": ["type": "string"], "decidedOn": ["type": ["string", "null"]], "reason": ["type": ["string", "null"]], "amount": ["type": ["string", "null"]], "firstMonth": ["type": ["string", "null"]]]],
                    "DepartmentBatch": ["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "source": ["type": "string"], "period": ["type": "string"], "checksum": ["type": "string"], "encoding": ["type": "string"],
                                                                         "rowsTotal": ["type": "integer"], "rowsAccepted": ["type": "integer"], "rowsRejected": ["type": "integer"], "status": ["type": "string", "enum": ["accepted", "refused"]],
                                                                         "duplicate": ["type": "boolean"], "problems": ["type": "array", "items": ["type": "object", "properties": ["line": ["type": "integer"], "field": ["type": "string"], "rule": ["type": "string"], "message": ["type": "string"]]]]]],
                    "VerificationRequestInput": ["type": "object", "properties": ["caseID": ["type": "string", "format": "uuid"], "households": ["type": "array", "items": ["type": "string", "format": "uuid"]],
                                                                                  "scope": ["type": "string", "enum": ["enrolled"]], "note": ["type": "string"]]],
                    "VerificationRequest": ["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "number": ["type": "string"], "centreCode": ["type": "string"], "purpose": ["type": "string"],
                                                                             "householdCount": ["type": "integer"], "status": ["type": "string", "enum": ["pending", "done"]], "contradictionHouseholds": ["type": "integer"],
                                                                             "reports": ["type": "array", "items": ["type": "object", "properties": ["reportID": ["type": "string"], "householdID": ["type": "string"], "contradictions": ["type": "integer"]]]]]],
                    "VerificationReport": ["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "checkedOn": ["type": "string"], "policyVersion": ["type": "string"], "incomeMonths": ["type": "integer"],
                                                                            "members": ["type": "array", "items": ["type": "object"]], "totals": ["type": "array", "items": ["type": "object"]], "verifiedMonthlyIncome": ["type": "string"],
                                                                            "contradictions": ["type": "array", "items": ["type": "object", "properties": ["kind": ["type": "string", "enum": ContradictionKind.allCases.map(\.rawValue)], "title": ["type": "string"], "text": ["type": "string"]]]]]],
                    "HistoryRow": ["type": "object", "properties": ["seq": ["type": "integer"], "when": ["type": "string"], "who": ["type": "string"], "action": ["type": "string"], "reason": ["type": "string"], "detail": ["type": "string"]]],
                ],
            ],
        ]
    }

    static func data() throws -> Data {
        try JSONSerialization.data(withJSONObject: json(), options: [.sortedKeys, .prettyPrinted])
    }

    /// The `/api/v1` paths described, in `/api/v1/households/{id}` form.
    static var describedPaths: Set<String> {
        Set((json()["paths"] as? [String: Any] ?? [:]).keys)
    }
}
