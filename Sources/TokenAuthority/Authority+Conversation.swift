import Foundation
public import LinuxPAM
import Logging
import Prometheus
public import TokenCore

/// Where a PAM conversation stands after a step.
public enum ConversationProgress: Sendable {
    /// PAM asks `user` something: show `prompt` (after `notes`) and send the answer with `handle`
    /// before `expiresIn` seconds.
    case prompt(handle: ConversationHandle, prompt: PAMMessage, notes: [PAMMessage], expiresIn: Int, user: String)
    /// PAM accepted the user: `messages` are what modules said on the way ("your password expires in 3 days").
    case granted(TokenGrant, messages: [PAMMessage])
    /// PAM accepted the user of a login page: the new browser session's cookie and the flow's next step.
    case signedIn(BrowserSessionSecret, AuthorizationStep, user: String)
}

extension Authority {
    /// The `invalid_grant` description of a handle that is unknown, used, another's, or past its deadline.
    public static let conversationEnded = "the conversation has ended or expired: start again"

    /// `POST /conversation` without a handle (docs/api.md#conversation-endpoint): starts a login whose
    /// every prompt — password, one-time code, expired-password change — is carried to the caller.
    public func startConversation(
        user: String, clientID: String, scope: String?, peer: Peer
    ) async throws(AuthorityFailure)
        -> ConversationProgress
    {
        guard !user.isEmpty else { throw .invalidRequest("missing parameter username") }
        return try await beginConversation(user: user, password: nil, owner: .of(peer), purpose: .token(clientID: clientID, scope: scope), peer: peer)
    }

    /// `POST /conversation` with a handle: the answer to the prompt the handle came with.
    public func answerConversation(_ handle: String, answer: String, peer: Peer) async throws(AuthorityFailure) -> ConversationProgress {
        try await continueConversation(handle, answer: answer, owner: .of(peer), peer: peer).progress
    }

    /// `POST /login` with username and password: the password answers PAM's first prompt, and whatever
    /// PAM asks next is shown on the page. On success a new browser session starts (a new cookie value
    /// every time: no fixation) and the request continues as with a live session.
    ///
    /// - Parameter binding: the login cookie, which the conversation is bound to.
    /// - Throws: `invalidGrant` (one generic message) after the uniform failure delay, `passwordNotChanged`,
    ///   or `tooManyAttempts`; the login page is shown again for each.
    public func signIn(
        user: String, password: String, for request: AuthorizationRequest, binding: String, peer: Peer
    ) async throws(AuthorityFailure) -> ConversationProgress {
        guard let client = clients.client(request.clientID), client.isRegistered(redirectURI: request.redirectURI) else {
            // The seal proves the daemon made the form; a client removed since then lands here.
            throw .invalidRequest("the application is no longer registered")
        }
        guard password.utf8.count <= 4096 else { throw .invalidRequest("username or password too long") }
        return try await beginConversation(user: user, password: password, owner: .browser(binding), purpose: .browser(request), peer: peer)
    }

    /// `POST /login` with a conversation handle: the answer to the prompt on the page.
    ///
    /// - Returns: the progress, and the authorization request the conversation is for.
    public func continueSignIn(
        _ handle: String, answer: String, binding: String, peer: Peer
    ) async throws(AuthorityFailure)
        -> ConversationProgress
    {
        try await continueConversation(handle, answer: answer, owner: .browser(binding), peer: peer).progress
    }

    /// Whether a PAM conversation is open (a person may still answer): the daemon is not idle then.
    public var hasOpenConversations: Bool { conversations.openCount > 0 }

    /// Ends the PAM conversations waiting for answers (each as a failed login), so that PAM's threads
    /// are free when the daemon stops; later ones end as soon as they ask.
    public func endConversations() {
        conversations.closeAll()
    }

    private func beginConversation(
        user: String, password: String?, owner: ConversationOwner, purpose: ConversationPurpose, peer: Peer
    ) async throws(AuthorityFailure) -> ConversationProgress {
        let (attempt, resolved) = try await admitLogin(user: user, peer: peer)
        let start = ContinuousClock.now
        try await refuseSystemAccount(resolved, attempt: attempt, user: user, peer: peer, startedAt: start)
        // Each conversation holds a thread of the conversation pool until it ends: bounded in all and per
        // peer, checked before PAM is asked, so a refusal tells nothing and counts nothing.
        guard conversations.enter(peer.throttleKey) else {
            attempt.abandon()
            logger.warning("too many PAM conversations open", metadata: ["peer": "\(peer)", "open": .stringConvertible(conversations.openCount)])
            metrics.loginsThrottled.increment()
            throw .tooManyAttempts(retryAfter: 5)
        }
        let slot = ConversationSlot(table: conversations, peer: peer.throttleKey)
        let dialog = PAMDialog(timeout: settings.conversationTimeout, onEnd: { slot.end() })
        authenticator.converse(
            user: user, password: password, remoteHost: peer.remoteHost, changeExpiredPassword: settings.allowPasswordChange, dialog: dialog)
        let entry = ConversationTable.Entry(
            dialog: dialog, attempt: attempt, user: user, resolved: resolved, owner: owner, purpose: purpose, expires: start)
        return try await advance(entry, peer: peer, startedAt: start)
    }

    private func continueConversation(
        _ text: String, answer: String, owner: ConversationOwner, peer: Peer
    ) async throws(AuthorityFailure)
        -> (progress: ConversationProgress, purpose: ConversationPurpose)
    {
        guard answer.utf8.count <= 4096 else { throw .invalidRequest("answer too long") }
        // PAM takes C strings: a NUL would cut the answer short (a new password set to its prefix).
        guard !answer.utf8.contains(0) else { throw .invalidRequest("the answer contains a NUL byte") }
        let start = ContinuousClock.now
        guard let handle = ConversationHandle(text), let entry = conversations.take(handle, owner: owner) else {
            throw .invalidGrant(Authority.conversationEnded)
        }
        guard entry.dialog.answer(answer) else {
            // The deadline passed just now: the PAM thread has already given up.
            entry.attempt.failed()
            throw .invalidGrant(Authority.conversationEnded)
        }
        return (try await advance(entry, peer: peer, startedAt: start), entry.purpose)
    }

    /// Waits for PAM's next word: a prompt is filed under a new handle; the end becomes tokens or a
    /// browser session, or the failure (after the uniform delay, counted from the last answer).
    private func advance(
        _ entry: ConversationTable.Entry, peer: Peer, startedAt start: ContinuousClock.Instant
    ) async throws(AuthorityFailure)
        -> ConversationProgress
    {
        switch await entry.dialog.next() {
        case .prompt(let prompt, let notes):
            // The handle lives as long as the PAM thread waits for this batch of prompts.
            let expires = entry.dialog.deadline ?? .now
            let filed = ConversationTable.Entry(
                dialog: entry.dialog, attempt: entry.attempt, user: entry.user, resolved: entry.resolved, owner: entry.owner,
                purpose: entry.purpose, expires: expires)
            let handle = conversations.insert(filed)
            let seconds = Int(ContinuousClock.now.duration(to: expires).components.seconds)
            return .prompt(handle: handle, prompt: prompt, notes: notes, expiresIn: max(1, seconds), user: entry.user)
        case .finished(let outcome):
            let identity = try await settleLogin(
                outcome, attempt: entry.attempt, user: entry.user, resolved: entry.resolved, peer: peer, startedAt: start)
            // Only what no prompt has shown yet: the notes that came with prompts were read already.
            let messages = entry.dialog.undeliveredNotes
            if (try? outcome.get().passwordChanged) == true {
                logger.notice("expired password changed at sign-in", metadata: ["user": "\(identity.user)", "peer": "\(peer)"])
            }
            switch entry.purpose {
            case .token(let clientID, let scope):
                let grant = try await startSession(identity, method: .password, clientID: clientID, scope: scope, peer: peer)
                return .granted(grant, messages: messages)
            case .browser(let request):
                let (cookie, step) = try await startBrowserSession(identity, for: request, peer: peer)
                return .signedIn(cookie, step, user: identity.user)
            }
        }
    }
}
