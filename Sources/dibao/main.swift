import Dibao
import Logging
import Vapor
#if os(Linux)
// A batch check or a payroll builds and frees hundreds of megabytes at a time. glibc would
// hand freed memory back to the system and take it again, zero-filled page by page, for
// the next batch: keep it for reuse instead. (`mallopt` is in <malloc.h>, which Swift's
// Glibc module leaves out; -1 and -3 are M_TRIM_THRESHOLD and M_MMAP_THRESHOLD there.)
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
_ = mallopt(-1, 512 << 20)
_ = mallopt(-3, 64 << 20)
#endif

var env = try Environment.detect()
try InfoFloorLogHandler.bootstrap(from: &env)
let app = try await Application.make(env)
do {
    try await configure(app, settings: Settings.fromEnvironment())
    try await app.execute()
} catch {
    app.logger.error("\(String(describing: error))")
    try? await app.asyncShutdown()
    exit(1)
}
try await app.asyncShutdown()
