import DibaoCore
import Vapor

/// The oversight modules' part of the OpenAPI document (二.七, 二.八): complaints with their
/// public side, the relatives registry, inspection plans and fund oversight.
enum OversightOpenAPI {
    typealias Op = (_ summary: String, _ tag: String, _ params: [[String: Any]], _ body: String?, _ ok: (String, [String: Any])) -> [String: Any]

    static func paths(op: Op, json: ([String: Any], String) -> [String: Any], ref: (String) -> [String: Any], intParam: [String: Any], idParam: [String: Any],
                      langParam: [String: Any], errorResponse: [String: Any]) -> [String: Any] {
        let reference: [String: Any] = ["name": "reference", "in": "path", "required": true, "schema": ["type": "string", "maxLength": 20]]
        let action: [String: Any] = ["name": "action", "in": "path", "required": true,
                                     "schema": ["type": "string", "enum": ComplaintAction.allCases.filter { ![.record, .submitOnline].contains($0) }.map(\.rawValue)]]
        let periods: [[String: Any]] = [["name": "from", "in": "query", "schema": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"]],
                                        ["name": "through", "in": "query", "schema": ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"]]]
        return [
            "/api/v1/public/complaints": ["post": ["summary": "Submit a complaint or report (二.八) with no sign-in; limited per client; returns the unguessable reference to read the answer by",
                                                   "tags": ["public"], "security": [], "parameters": [langParam],
                                                   "requestBody": ["required": true, "content": ["application/json": ["schema": ref("ComplaintInput")]]],
                                                   "responses": ["201": json(ref("ComplaintSubmitted"), "Submitted"), "422": errorResponse, "429": errorResponse]]],
            "/api/v1/public/complaints/{reference}": ["get": ["summary": "A complaint's stage, time limit, missing materials and answer by its reference; never a name, phone, ID number or address",
                                                              "tags": ["public"], "security": [], "parameters": [reference, langParam],
                                                              "responses": ["200": json(ref("PublicComplaint"), "OK"), "404": errorResponse, "429": errorResponse]]],
            "/api/v1/complaints": [
                "get": op("Complaints of the caller's area: open ones, what breaches its time limit first on top (`all=1`: every one, newest first); discipline inspection sees those referred to it", "complaints",
                          [["name": "all", "in": "query", "schema": ["type": "string", "enum": ["1"]]], ["name": "q", "in": "query", "schema": ["type": "string", "maxLength": 50]],
                           ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 10000]]], nil, ("200", json(ref("ComplaintList"), "OK"))),
                "post": op("Record a complaint received by phone, letter, visit, media, opinion card or survey; the receiver owns it (首问责任制)", "complaints", [], "ComplaintInput",
                           ("201", json(ref("Complaint"), "Recorded"))),
            ],
            "/api/v1/complaints/{id}": ["get": op("One complaint with its time limit, repeat candidates, history and the steps the caller may take", "complaints", [intParam], nil, ("200", json(ref("Complaint"), "OK")))],
            "/api/v1/complaints/{id}/steps/{action}": ["post": op("A step of the complaint by its owner: take (first inquiry), hand_over (reason, toUser), request_materials (one notice, missingItems), complete_materials, accept (subjectHousehold), redirect (guidance), decline_repeat (repeatOf), open_review, refer (to discipline inspection), answer", "complaints",
                                                               [intParam, action], "ComplaintInput", ("200", json(ref("Complaint"), "OK")))],
            "/api/v1/supervision/relatives": [
                "get": op("Registered relatives (近亲属备案) found in applying or enrolled households of the caller's area, with their focused checks; ID numbers masked for roles that do not see personal data", "supervision",
                          [], nil, ("200", json(["type": "array", "items": ref("RelativeFlag")], "OK"))),
                "post": op("Register a close relative of a caseworker or village cadre; flags at once every applying or enrolled household they belong to", "supervision", [], "RelativeInput",
                           ("201", json(["type": "object", "properties": ["id": ["type": "string", "format": "uuid"], "flagged": ["type": "integer"]]], "Registered"))),
            ],
            "/api/v1/supervision/relatives/checks": ["post": op("Record a focused check (重点核查) of a flagged household, for an application (before approval), a review, or on its own; a finding of not eligible opens the clearing-out review", "supervision",
                                                             [], "FocusedCheckInput", ("201", json(["type": "object", "properties": ["id": ["type": "integer"], "reviewOpened": ["type": "integer"]]], "Recorded")))],
            "/api/v1/supervision/funds": ["get": op("Fund oversight: payments per county and period, and anomalies (shared account, paid after exit, above members × standard, paid in two areas)", "supervision",
                                                    periods, nil, ("200", json(ref("FundOversight"), "OK")))],
            "/api/v1/supervision/plans": ["post": op("Create a yearly or special inspection plan for a region, league or county with the share drawn at random", "supervision", [], "InspectionPlanInput",
                                                     ("201", json(ref("InspectionPlan"), "Created")))],
            "/api/v1/supervision/plans/{id}": ["get": op("An inspection plan with its recorded draw and findings", "supervision", [intParam], nil, ("200", json(ref("InspectionPlan"), "OK")))],
            "/api/v1/supervision/plans/{id}/draw": ["post": op("Draw the plan's random checks of townships and villages once, with a recorded seed", "supervision", [intParam], nil, ("200", json(ref("InspectionPlan"), "OK")))],
            "/api/v1/accountability": ["get": op("Fraud cases with their recoveries, false-certificate issuers and accountability actions of the caller's area (三.六); personal data masked for roles that do not see it", "accountability",
                                                 [], nil, ("200", json(["type": "object", "properties": ["fraud": ["type": "array", "items": ["type": "object"]], "issuers": ["type": "array", "items": ["type": "object"]],
                                                                                                        "actions": ["type": "array", "items": ["type": "object"]]]], "OK")))],
            "/api/v1/accountability/fraud": ["post": op("Record a fraud case (骗取低保待遇) of a household: the facts, the amount obtained, the decision; its head goes on the integrity blacklist that intake checks", "accountability",
                                                       [], "FraudInput", ("201", json(["type": "object", "properties": ["id": ["type": "integer"]]], "Recorded")))],
            "/api/v1/accountability/fraud/{id}/recoveries": ["post": op("Record money recovered (never more than still owed); `close` ends the case with its decision", "accountability",
                                                                       [intParam], "RecoveryInput", ("200", json(["type": "object", "properties": ["id": ["type": "integer"]]], "OK")))],
            "/api/v1/accountability/issuers": ["post": op("Record a unit or person that issued a false certificate, for the credit system (docs/credit-export.md)", "accountability",
                                                         [], "IssuerInput", ("201", json(["type": "object", "properties": ["id": ["type": "integer"]]], "Recorded")))],
            "/api/v1/accountability/actions": ["post": op("Record an accountability action against a staff member (责任追究)", "accountability",
                                                         [], "AccountabilityActionInput", ("201", json(["type": "object", "properties": ["id": ["type": "integer"]]], "Recorded")))],
            "/api/v1/supervision/plans/{id}/redraw": ["get": op("An auditor's redraw from the recorded seed over the same lists, and whether it matches", "supervision", [intParam], nil,
                                                            ("200", json(["type": "object", "properties": ["matches": ["type": "boolean"], "seed": ["type": "string"],
                                                                                                         "townships": ["type": "array", "items": ["type": "string"]], "villages": ["type": "array", "items": ["type": "string"]]]], "OK")))],
        ]
    }

    static func schemas(ref: (String) -> [String: Any]) -> [String: Any] {
        let s: [String: Any] = ["type": "string"]
        func object(_ names: [String]) -> [String: Any] { ["type": "object", "properties": Dictionary(uniqueKeysWithValues: names.map { ($0, s) })] }
        return [
            "ComplaintInput": ["type": "object", "properties": [
                "channel": ["type": "string", "enum": ComplaintChannel.allCases.filter { $0 != .online }.map(\.rawValue)],
                "complainantName": ["type": "string", "maxLength": 30], "complainantPhone": ["type": "string", "maxLength": 20], "complainantIdNumber": s,
                "subject": ["type": "string", "enum": ComplaintSubject.allCases.map(\.rawValue)], "subjectText": ["type": "string", "maxLength": 100],
                "area": ["type": "string", "description": "County, township or village code"], "text": ["type": "string", "maxLength": 2000], "recordNote": ["type": "string", "maxLength": 4000],
                "reason": s, "toUser": s, "missingItems": ["type": "string", "description": "One item per line"], "guidance": s, "repeatOf": s,
                "subjectHousehold": ["type": "string", "format": "uuid"], "answer": s, "publicResult": ["type": "string", "maxLength": 500]]],
            "ComplaintSubmitted": object(["reference", "stage"]),
            "PublicComplaint": ["type": "object", "properties": ["reference": s, "receivedOn": s, "channelName": s, "stage": ["type": "string", "enum": ComplaintStage.allCases.map(\.rawValue)],
                                                                 "stageName": s, "deadline": s, "missingItems": ["type": "array", "items": s], "guidance": s, "answer": s, "answeredOn": s,
                                                                 "earlierAnswer": s, "notAcceptedNote": s]],
            "Complaint": ["type": "object", "description": "A complaint; the complainant is masked for those who do not handle complaints", "properties": [
                "id": ["type": "integer"], "reference": s, "stage": ["type": "string", "enum": ComplaintStage.allCases.map(\.rawValue)], "owner": s, "deadline": s,
                "timeState": ["type": "string", "enum": TimeLimitState.allCases.map(\.rawValue)], "daysLeft": ["type": "integer"], "missingItems": ["type": "array", "items": s],
                "reviewID": ["type": "integer"], "answer": s, "candidates": ["type": "array", "items": object(["reference", "receivedOn", "excerpt", "answer"])]]],
            "ComplaintList": ["type": "object", "properties": ["items": ["type": "array", "items": object(["reference", "stage", "deadline", "timeState", "owner"])], "more": ["type": "boolean"]]],
            "RelativeInput": ["type": "object", "properties": ["registrantName": s, "registrantKind": ["type": "string", "enum": RegistrantKind.allCases.map(\.rawValue)], "registrantPost": s,
                                                               "area": s, "relation": ["type": "string", "enum": CloseRelation.allCases.map(\.rawValue)], "relativeName": s, "relativeIdNumber": s]],
            "RelativeFlag": object(["householdID", "head", "villageName", "registrant", "relation", "relativeName", "relativeIDNumber", "flaggedOn", "source"]),
            "FocusedCheckInput": ["type": "object", "properties": ["household": ["type": "string", "format": "uuid"], "caseId": ["type": "string", "format": "uuid"], "reviewId": s,
                                                                   "finding": ["type": "string", "enum": FocusedCheckFinding.allCases.map(\.rawValue)], "note": s]],
            "FundOversight": ["type": "object", "properties": ["from": s, "through": s, "totals": ["type": "array", "items": object(["period", "countyCode", "lines", "total"])],
                                                               "anomalies": ["type": "array", "items": ["type": "object", "properties": [
                                                                   "kind": ["type": "string", "enum": FundAnomalyKind.allCases.map(\.rawValue)], "period": s, "villageCode": s,
                                                                   "households": ["type": "array", "items": s], "lines": ["type": "array", "items": ["type": "integer"]], "detail": s]]]]],
            "FraudInput": ["type": "object", "properties": ["household": ["type": "string", "format": "uuid"], "finding": s, "obtained": ["type": "string", "description": "Yuan, e.g. \"3600.00\""], "decision": s]],
            "RecoveryInput": ["type": "object", "properties": ["amount": s, "close": ["type": "string", "enum": ["true", "on"]], "decision": s]],
            "IssuerInput": ["type": "object", "properties": ["kind": ["type": "string", "enum": IssuerKind.allCases.map(\.rawValue)], "name": s, "identifier": s, "certificate": s, "area": s, "fraudCase": s]],
            "AccountabilityActionInput": ["type": "object", "properties": ["staffName": s, "post": s, "kind": ["type": "string", "enum": AccountabilityKind.allCases.map(\.rawValue)],
                                                                           "reason": s, "decidedBy": s, "decidedOn": ["type": "string", "format": "date"], "area": s, "complaint": s]],
            "InspectionPlanInput": ["type": "object", "properties": ["year": s, "kind": ["type": "string", "enum": InspectionKind.allCases.map(\.rawValue)], "title": s, "area": s,
                                                                     "sharePercent": s]],
            "InspectionPlan": ["type": "object", "properties": ["id": ["type": "integer"], "year": ["type": "integer"], "title": s, "share": ["type": "integer"], "seed": s,
                                                                "townships": ["type": "array", "items": s], "villages": ["type": "array", "items": s]]],
        ]
    }
}
