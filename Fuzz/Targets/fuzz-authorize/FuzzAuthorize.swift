import FuzzSupport
import OAuthBody

/// libFuzzer target: the query of `GET /authorize`, which any web page can make a browser send.
///
/// Beyond "no crash, no hang, no leak", three properties: a query that parses names a non-empty
/// client and redirect URI; a request whose parse reports no problem carries an S256-shaped challenge
/// and `response_type=code`; and the parse is stable (the same bytes give the same request).
/// A violation traps, which libFuzzer records as a crash with the input that caused it.
@main
enum Main {
    static func main() { FuzzDriver.run(fuzzAuthorize) }
}

// Also exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzAuthorize(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    guard let query = try? AuthorizationQuery(query: bytes) else { return 0 }
    precondition(!query.clientID.isEmpty && !query.redirectURI.isEmpty, "a query without client_id or redirect_uri was accepted")
    if query.problem == nil {
        precondition(query.codeChallenge.utf8.count == 43, "a request without an S256 challenge passed")
        let parameters = (try? OAuthBodyParser.form(bytes)) ?? [:]
        precondition(parameters["response_type"] == "code", "a request without response_type=code passed")
        precondition(parameters["code_challenge_method"] == "S256", "a request without S256 passed")
    }
    precondition((try? AuthorizationQuery(query: bytes)) == query, "the same query parsed twice differs")
    return 0
}
