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
            ],
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "System callers (banks, departments): token from `dibao user token`"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "dibao-session", "description": "Signed-in browser; writes also need header X-CSRF-Token"],
                ],
                "schemas": [
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
                    "HouseholdList": ["type": "object", "properties": ["items": ["type": "array", "items": ref("HouseholdRow")], "total": ["type": "integer"], "page": ["type": "integer"], "pageSize": ["type": "integer"]]],
                    "Household": ["type": "object", "description": "Masked (names 张*明, ID 1501**********1234, no health/disability detail) unless the caller's role may see them; `masked` says which",
                                  "properties": ["id": ["type": "string", "format": "uuid"], "headName": ["type": "string"], "villageCode": ["type": "string"], "villageName": ["type": "string"], "kind": ["type": "string"], "address": ["type": "string"], "phone": ["type": "string"], "status": ["type": "string"], "version": ["type": "integer"], "memberCount": ["type": "integer"], "monthlyIncome": ["type": "string"], "masked": ["type": "boolean"], "members": ["type": "array", "items": ["type": "object"]], "supporters": ["type": "array", "items": ["type": "object"]], "assets": ["type": "array", "items": ["type": "object"]]]],
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
