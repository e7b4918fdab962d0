import Foundation
import HTTPTypes
import HummingbirdTesting
import LinuxPAM
import Testing
import TokenAuthority
import TokenCore
import TokenServer

/// `POST /conversation`: every prompt of the PAM stack carried to a program, one request per answer.
@Suite("PAM conversations: the endpoint for programs")
struct ConversationTests {
    @Test("each prompt comes in PAM's words with a new single-use handle; the last answer gets the tokens")
    func promptsInTurn() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        fixture.pam.notice("Welcome to the lab", for: "alice")
        try await fixture.test { client in
            let first = try await client.form("/conversation", ["username": "alice"])
            #expect(first.status == .ok)
            #expect(first.headers[.cacheControl] == "no-store")
            let prompt = first.object
            #expect((prompt["prompt"] as? [String: String]) == ["type": "secret", "text": "Password: "])
            #expect((prompt["messages"] as? [[String: String]]) == [["type": "info", "text": "Welcome to the lab"]])
            #expect((prompt["expires_in"] as? Int ?? 0) > 100)
            let handle = try #require(prompt["conversation"] as? String)
            #expect(handle.hasPrefix("pcv_"))

            let second = try await client.form("/conversation", ["conversation": handle, "answer": "wonderland"]).object
            #expect((second["prompt"] as? [String: String])?["text"] == "One-time password (OATH) for `alice': ")
            let next = try #require(second["conversation"] as? String)
            #expect(next != handle)

            let done = try await client.form("/conversation", ["conversation": next, "answer": "123456"])
            #expect(done.status == .ok)
            let token = try #require(done.object["access_token"] as? String)
            #expect(jwtPayload(token)["sub"] as? String == "alice")
            #expect((done.object["refresh_token"] as? String)?.hasPrefix("ptr_") == true)
        }
        let logs = fixture.logs.all.joined(separator: "\n")
        #expect(!logs.contains("wonderland") && !logs.contains("123456"), "no answer is ever logged")
    }

    @Test("a wrong one-time code fails like a wrong password, once per conversation, counted by the throttle")
    func wrongCode() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        try await fixture.test { client in
            for _ in 0..<3 {
                let result = try await client.converse("alice", answers: ["wonderland", "654321"])
                #expect(result.status == .badRequest)
                #expect(result.object["error"] as? String == "invalid_grant")
                #expect(result.object["error_description"] as? String == "invalid username or password")
            }
            let blocked = try await client.form("/conversation", ["username": "alice"])
            #expect(blocked.status == .tooManyRequests, "three failed conversations are three failures, not six")
        }
    }

    @Test("a handle answers once; a second answer, or a made-up handle, is told the conversation ended")
    func answeredOnce() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        try await fixture.test { client in
            let handle = try #require(try await client.form("/conversation", ["username": "alice"]).object["conversation"] as? String)
            #expect(try await client.form("/conversation", ["conversation": handle, "answer": "wonderland"]).status == .ok)
            for replay in [handle, ConversationHandle.generate().value, "pcv_short"] {
                let again = try await client.form("/conversation", ["conversation": replay, "answer": "wonderland"])
                #expect(again.status == .badRequest)
                #expect(again.object["error_description"] as? String == Authority.conversationEnded)
            }
            let missing = try await client.form("/conversation", ["conversation": handle])
            #expect(missing.status == .badRequest)
            #expect(missing.object["error"] as? String == "invalid_request")
        }
    }

    @Test("another peer cannot answer, and its try does not spend the handle")
    func boundToPeer() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let authority = fixture.server.authority
        let owner = Peer.unix(uid: 1000, gid: 1000, pid: 10)
        guard
            case .prompt(let handle, _, _, _, _) = try await authority.startConversation(user: "alice", clientID: "pamtoken", scope: nil, peer: owner)
        else {
            Issue.record("no prompt")
            return
        }
        for stranger in [Peer.unix(uid: 1001, gid: 1001, pid: 11), .tcp(address: "127.0.0.1")] {
            await #expect(throws: AuthorityFailure.invalidGrant(Authority.conversationEnded)) {
                try await authority.answerConversation(handle.value, answer: "wonderland", peer: stranger)
            }
        }
        let progress = try await authority.answerConversation(handle.value, answer: "wonderland", peer: Peer.unix(uid: 1000, gid: 1000, pid: 12))
        guard case .granted(let grant, _) = progress else {
            Issue.record("not granted: \(progress)")
            return
        }
        #expect(grant.user == "alice")
    }

    @Test("the password grant cannot answer a second factor and says so; nor can it change an expired password")
    func passwordGrantExplains() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        fixture.pam.expirePassword(of: "bob")
        try await fixture.test { client in
            let code = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(code.status == .badRequest)
            #expect((code.object["error_description"] as? String)?.contains("asks for more than a password") == true)
            let expired = try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "builder"])
            #expect((expired.object["error_description"] as? String)?.contains("has expired and must be changed") == true)
            let wrong = try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "wrong"])
            #expect(wrong.object["error_description"] as? String == "invalid username or password")
        }
    }

    @Test("an expired password is changed in the conversation, and the new one works afterwards")
    func expiredPasswordChanged() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.expirePassword(of: "bob")
        try await fixture.test { client in
            var texts: [String] = []
            let result = try await client.converse("bob", answers: ["builder", "builder", "n3w-pass", "n3w-pass"]) { texts.append($0) }
            #expect(result.status == .ok, "\(result.text)")
            #expect(texts == ["Password: ", "Current password: ", "New password: ", "Retype new password: "])
            #expect(result.object["access_token"] != nil)
            #expect(fixture.pam.password(of: "bob") == "n3w-pass")
            #expect(try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "n3w-pass"]).status == .ok)
        }
    }

    @Test("a new password the stack refuses is reported in the stack's words, and nothing changes")
    func passwordNotChanged() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.pam.expirePassword(of: "bob")
        try await fixture.test { client in
            let result = try await client.converse("bob", answers: ["builder", "builder", "ab", "ab"])
            #expect(result.status == .badRequest)
            #expect(result.object["error_description"] as? String == "the password was not changed: You must choose a longer password.")
            #expect(fixture.pam.password(of: "bob") == "builder")
        }
    }

    @Test("with allow_password_change off an expired password is refused like any failure")
    func changeNotAllowed() async throws {
        let fixture = try await ServerFixture(settings: .init(failureDelay: .zero, allowPasswordChange: false))
        defer { fixture.cleanUp() }
        fixture.pam.expirePassword(of: "bob")
        try await fixture.test { client in
            let result = try await client.converse("bob", answers: ["builder"])
            #expect(result.status == .badRequest)
            #expect(result.object["error_description"] as? String == "invalid username or password")
        }
    }

    @Test("past the deadline the transaction ends, its place is given back, and the late answer is refused")
    func deadline() async throws {
        let fixture = try await ServerFixture(
            settings: .init(failureDelay: .zero, conversationTimeout: .seconds(3), conversationLimit: 1))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let handle = try #require(try await client.form("/conversation", ["username": "alice"]).object["conversation"] as? String)
            #expect(try await client.form("/conversation", ["username": "bob"]).status == .tooManyRequests, "the only conversation place is taken")
            var endings = fixture.pam.endings.makeAsyncIterator()
            _ = await endings.next()
            let late = try await client.form("/conversation", ["conversation": handle, "answer": "wonderland"])
            #expect(late.object["error_description"] as? String == Authority.conversationEnded)
            #expect(try await client.converse("bob", answers: ["builder"]).status == .ok, "the place came back")
        }
    }

    @Test("an unanswered conversation counts as a failed login as soon as its deadline ends it")
    func abandonedCounts() async throws {
        let fixture = try await ServerFixture(settings: .init(failureDelay: .zero, conversationTimeout: .seconds(1)))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            #expect(try await client.form("/conversation", ["username": "alice"]).status == .ok)
            var endings = fixture.pam.endings.makeAsyncIterator()
            _ = await endings.next()
            for _ in 0..<2 {
                let wrong = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wrong"])
                #expect(wrong.status == .badRequest)
            }
            let blocked = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(blocked.status == .tooManyRequests, "the abandoned conversation was the third failure")
        }
    }

    @Test("an answer with a NUL byte is refused, not cut short, and the handle stays usable")
    func nulInAnswer() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let handle = try #require(try await client.form("/conversation", ["username": "alice"]).object["conversation"] as? String)
            let nul = try await client.form("/conversation", ["conversation": handle, "answer": "wonderland\u{0}junk"])
            #expect(nul.status == .badRequest)
            #expect(nul.object["error"] as? String == "invalid_request")
            #expect(try await client.form("/conversation", ["conversation": handle, "answer": "wonderland"]).status == .ok)
        }
    }

    @Test("conversations are bounded per peer, since each holds a thread until it ends")
    func boundedPerPeer() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            #expect(try await client.form("/conversation", ["username": "alice"]).status == .ok)
            #expect(try await client.form("/conversation", ["username": "bob"]).status == .ok)
            let third = try await client.form("/conversation", ["username": "alice"])
            #expect(third.status == .tooManyRequests)
            #expect(third.headers[.retryAfter] != nil)
        }
    }
}

extension TestClientProtocol {
    /// Starts a conversation for `user` and answers its prompts with `answers` in turn; returns the last
    /// response (the tokens or an error), telling `seen` each prompt's text.
    func converse(_ user: String, answers: [String], seen: (String) -> Void = { _ in }) async throws -> TestResponse {
        var response = try await form("/conversation", ["username": user])
        var remaining = answers[...]
        while response.status == .ok, let handle = response.object["conversation"] as? String {
            seen((response.object["prompt"] as? [String: String])?["text"] ?? "")
            guard let answer = remaining.popFirst() else { throw FixtureError("more prompts than answers: \(response.text)") }
            response = try await form("/conversation", ["conversation": handle, "answer": answer])
        }
        return response
    }
}
