import Foundation
import Hummingbird
import LinuxPAM
import PamtokenWire
import TokenAuthority
import TokenCore

extension TokenRouter {
    /// `POST /conversation` (docs/api.md#conversation-endpoint): a login whose every PAM prompt is
    /// carried to the caller — `pamtoken login` on a terminal uses it. Started with `username`, then
    /// one request per prompt with the last `conversation` handle and the `answer`.
    func addConversationRoutes(to router: Router<TokenRequestContext>, table: inout RouteTable) {
        table.add(.post, "/conversation", on: router) { request, context in
            let parameters = try await RequestParameters.decode(request, context: context)
            let peer = self.peers.peer(for: context.channel)
            let progress: ConversationProgress
            if let handle = parameters["conversation"] {
                guard let answer = parameters["answer"] else { throw APIError.invalidRequest("missing parameter answer") }
                progress = try await self.authority.answerConversation(handle, answer: answer, peer: peer)
            } else {
                let user = try parameters.required("username")
                let clientID = parameters["client_id"].flatMap { $0.isEmpty ? nil : $0 } ?? "pamtoken"
                guard clientID.utf8.count <= 128 else { throw APIError.invalidRequest("client_id too long") }
                if self.authority.clients.client(clientID) != nil {
                    // As for the password grant: a registered client signs users in at /authorize.
                    throw APIError.unauthorizedClient("client \(clientID) is registered for browser sign-in; use /authorize")
                }
                let scope = parameters["scope"].flatMap { $0.isEmpty ? nil : $0 }
                guard (scope?.utf8.count ?? 0) <= 1024 else { throw APIError.invalidRequest("scope too long") }
                context.annotations.user = user
                progress = try await self.authority.startConversation(user: user, clientID: clientID, scope: scope, peer: peer)
            }
            switch progress {
            case .prompt(let handle, let prompt, let notes, let expiresIn, _):
                return .json(
                    ConversationPrompt(
                        conversation: handle.value, prompt: ConversationMessage(prompt), messages: notes.map(ConversationMessage.init),
                        expiresIn: expiresIn),
                    noStore: true)
            case .granted(let grant, let messages):
                context.annotations.user = grant.user
                var response = TokenResponse(grant)
                response.messages = messages.isEmpty ? nil : messages.map(ConversationMessage.init)
                return .json(response, noStore: true)
            case .signedIn:
                // Only a login page's conversation ends in a browser session, and its handles are bound to a browser.
                throw APIError.invalidGrant(Authority.conversationEnded)
            }
        }
    }
}

extension ConversationMessage {
    /// A PAM message as the wire spells its kind.
    init(_ message: PAMMessage) {
        self.init(type: message.kind.rawValue, text: message.text)
    }
}
