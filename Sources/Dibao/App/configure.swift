import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import SQLKit
import Vapor
import DibaoCore

/// Sets up the whole system on `app`: database (SQLite by default, PostgreSQL by URL),
/// migrations, policy versions, sessions, security middleware, pages, API and commands.
public func configure(_ app: Application, settings: Settings) async throws {
    // The words of every page (issue 16): read now, so a missing or broken catalogue stops
    // the server here instead of showing keys.
    app.logger.debug("text catalogues", metadata: ["keys": "\(Strings.catalogue.keys.count)"])
    app.dibao = AppEnvironment(settings: settings)
    let cache = ResponseCache()
    let actors = ActorCache()
    app.responseCache = cache
    app.actorCache = actors
    app.rateLimiter = RateLimiter()
    app.audit = AuditLog(clock: settings.clock, afterCommit: { areas in
        cache.invalidate(areas: areas)
        actors.invalidateAll()
    })

    switch settings.database {
    case .sqlite(let path):
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
    case .postgres(let url):
        // Trace is below the log floor (InfoFloorLogHandler): bound values are never written.
        app.databases.use(try .postgres(url: url, maxConnectionsPerEventLoop: 4, sqlLogLevel: .trace), as: .psql)
    }
    if case .sqlite = settings.database, let sql = app.db as? any SQLDatabase {
        // WAL lets readers go on while a writer commits; the busy timeout makes a second
        // process (a command beside the server) wait for the lock instead of failing.
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await sql.raw("PRAGMA busy_timeout=10000").run()
    }

    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateAuditEvents())
    app.migrations.add(CreateAccessTables())
    app.migrations.add(CreateRegistryReference())
    app.migrations.add(SeedDefaultPolicy())
    app.migrations.add(CreateHouseholdTables())
    app.migrations.add(CreateCaseTables())
    app.migrations.add(CreateVerificationTables())
    app.migrations.add(CreatePaymentTables())
    app.migrations.add(AddTokenExpiry())
    // 二.六: the enrolled household and its decisions as rows; earlier schedules move in.
    app.migrations.add(CreateEnrollmentTables())
    app.migrations.add(MoveSchedulesToDecisions())
    // 二.七, 二.八, 三.六: complaints, the relatives registry, inspections, fraud records.
    app.migrations.add(CreateComplaintTables())
    app.migrations.add(CreateSupervisionTables())
    app.migrations.add(CreateAccountabilityTables())
    app.migrations.add(AddComplaintExtension())
    // Issue 15: policy versions that change the procedure, calendars and standards as data.
    app.migrations.add(AddCaseProcedure())
    app.migrations.add(AddPolicyVersionStatus())
    app.migrations.add(CreateHolidayCalendars())
    app.migrations.add(AddStandardApproval())
    app.migrations.add(SeedInstallationRegion())
    // 二.四: service halls and windows; a case keeps the window it was taken at.
    app.migrations.add(CreateServicePoints())
    // 二.一: an area's own part of its published conditions.
    app.migrations.add(CreateAreaConditions())
    // 三.二, 三.三: staffing and work funds per year.
    app.migrations.add(CreateWorkGuarantees())
    // Areas retired and merged, keeping their history.
    app.migrations.add(AddAreaRetirement())
    // 单人保 (2021 第十条): the member a case or an enrolled household covers alone.
    app.migrations.add(AddSinglePersonEnrollment())
    // Issue 16: a batch's error report keeps phrases, not sentences.
    app.migrations.add(StoreRowProblemsAsPhrases())
    try await app.autoMigrate()
    try await PolicyVersions.reload(app.dibao, on: app.db)
    try await HolidayCalendars.boot(app)

    app.passwords.use(.bcrypt(cost: settings.passwordCost))
    app.views.use(.leaf)
    let sessionMemory = CachedDatabaseSessions.Memory()
    app.sessionMemory = sessionMemory
    let idle = Double(settings.sessionIdleMinutes) * 60, absolute = Double(settings.sessionAbsoluteHours) * 3600
    app.sessions.use { _ in CachedDatabaseSessions(memory: sessionMemory, idle: idle, absolute: absolute) }
    try await CachedDatabaseSessions.purge(on: app.db, idle: idle, absolute: absolute)
    app.sessions.configuration.cookieName = "dibao-session"
    let secure = settings.secureCookies
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: settings.sessionAbsoluteHours * 3600, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    app.middleware = Middlewares()
    // The error middleware is outermost but for the log line, so nothing a request does —
    // in the file server, the session store or a route — leaves without an answer.
    app.middleware.use(RequestLog())
    app.middleware.use(DibaoErrorMiddleware())
    app.middleware.use(SecurityHeaders())
    app.middleware.use(StaticFiles(files: FileMiddleware(publicDirectory: app.directory.publicDirectory), publicDirectory: app.directory.publicDirectory))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(IdentifyActor())
    app.middleware.use(LanguageCookie())
    app.middleware.use(CSRFProtection())

    try routes(app)
    registerCommands(app)
}

func routes(_ app: Application) throws {
    try app.register(collection: Health())
    app.get("openapi.json") { _ -> Response in
        let r = Response(status: .ok, body: .init(data: try OpenAPIDocument.data()))
        r.headers.contentType = .json
        return r
    }
    try app.register(collection: SignInPages())
    try app.register(collection: PublicPages())
    try app.register(collection: NoticePrintout())
    try app.register(collection: ComplaintPublicPages())
    try app.register(collection: StandardsPublicPage())
    try app.register(collection: ServiceNetworkPublicPage())
    try app.register(collection: ConditionsPublicPage())

    let pages = app.grouped(RequireSignedIn(pages: true))
    try pages.register(collection: HomePage())
    try pages.register(collection: HouseholdPages())
    try pages.register(collection: CasePages())
    try pages.register(collection: CaseDocuments())
    try pages.register(collection: VerificationPages())
    try pages.register(collection: PaymentPages())
    try pages.register(collection: EnrollmentPages())
    try pages.register(collection: ComplaintPages())
    try pages.register(collection: SupervisionPages())
    try pages.register(collection: AccountabilityPages())
    try pages.register(collection: AccountPages())
    try pages.register(collection: AdminPages())
    try pages.register(collection: AccountAdminPages())
    try pages.register(collection: ServiceNetworkPages())
    try pages.register(collection: ConditionsPages())
    try pages.register(collection: WorkGuaranteePages())

    let api = app.grouped("api", "v1").grouped(RequireSignedIn(pages: false))
    try api.register(collection: HouseholdAPI())
    try api.register(collection: CaseAPI())
    try api.register(collection: VerificationAPI())
    try api.register(collection: PaymentAPI())
    try api.register(collection: EnrollmentAPI())
    try api.register(collection: ComplaintAPI())
    try api.register(collection: SupervisionAPI())
    try api.register(collection: AccountabilityAPI())
    try api.register(collection: AdminAPI())
    try api.register(collection: ServiceNetworkAPI())
    try api.register(collection: WorkGuaranteeAPI())
}

