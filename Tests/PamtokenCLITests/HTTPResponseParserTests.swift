import PamtokenCLI
import PamtokenWire
import Testing

@Suite("The HTTP response parser")
struct HTTPResponseParserTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a Content-Length response yields status, headers and exactly that many body bytes")
    func contentLength() throws {
        let response = try HTTPResponseParser.parse(
            bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nRetry-After:  7 \r\n\r\n{\"a\":\"bc\"}\nEXTRA"))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("RETRY-AFTER") == "7")
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"a\":\"bc\"}\n")
    }

    @Test("a chunked response is reassembled, with chunk extensions and trailers ignored")
    func chunked() throws {
        let response = try HTTPResponseParser.parse(
            bytes(
                "HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"er\r\nA\r\nror\":\"x\"}\n\r\n0\r\nX-Trailer: 1\r\n\r\n")
        )
        #expect(response.status == 401)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"error\":\"x\"}\n")
    }

    @Test("without Content-Length the body runs to end of file; 204 has none; 100 Continue is skipped")
    func framing() throws {
        #expect(try HTTPResponseParser.parse(bytes("HTTP/1.0 200 OK\n\nhello")).body == bytes("hello"))
        #expect(try HTTPResponseParser.parse(bytes("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")).body.isEmpty)
        let response = try HTTPResponseParser.parse(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"))
        #expect(response.status == 201)
        #expect(response.body == bytes("ok"))
    }

    @Test(
        "malformed or cut-short responses are errors, not crashes",
        arguments: [
            "", "garbage", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n", "HTTP/1.1 100 Continue\r\n\r\n",
        ])
    func malformed(text: String) {
        #expect(throws: HTTPParseError.self) { try HTTPResponseParser.parse(Array(text.utf8)) }
    }

    @Test("every prefix and every single-byte corruption of a valid response parses or throws")
    func noCrashOnAnyPrefix() {
        let valid = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        #expect((try? HTTPResponseParser.parse(valid))?.body == bytes("abcde"))
        var parsed = 0
        for length in 0..<valid.count {
            if (try? HTTPResponseParser.parse(Array(valid.prefix(length)))) != nil { parsed += 1 }
        }
        #expect(parsed == 0, "a cut-short chunked response must never look complete")
        for index in valid.indices {
            for replacement: UInt8 in [0, 10, 13, 58, 255] {
                var corrupted = valid
                corrupted[index] = replacement
                _ = try? HTTPResponseParser.parse(corrupted)
            }
        }
    }

    @Test("requests are serialised with Connection: close, Host, Content-Length and a percent-encoded form")
    func formEncoding() {
        #expect(FormEncoding.encode("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
        let request = DaemonRequest.post("/token", form: [("grant_type", "password"), ("password", "p&ss word")])
        #expect(String(decoding: request.body, as: UTF8.self) == "grant_type=password&password=p%26ss%20word")
        #expect(request.headers.first?.value == "application/x-www-form-urlencoded")
    }
}
