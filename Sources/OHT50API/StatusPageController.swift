import Hummingbird

/// Serves `StatusPage`: read-only without the token; every state change still needs the Bearer header,
/// which a cross-site form cannot send.
struct StatusPageController: Sendable {
    func register(on router: Router<APIRequestContext>) {
        router.get("/") { _, _ in Self.serve(StatusPage.html, type: "text/html; charset=utf-8") }
        router.get("/ui/app.css") { _, _ in Self.serve(StatusPage.css, type: "text/css; charset=utf-8") }
        router.get("/ui/app.js") { _, _ in Self.serve(StatusPage.script, type: "text/javascript; charset=utf-8") }
    }

    private static func serve(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
