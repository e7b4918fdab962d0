/// How a session's user proved who they are; the `amr` claim (RFC 8176 §2).
public enum AuthMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// A password checked by PAM. RFC 8176's `pwd`.
    case password = "pwd"
    /// The kernel's word for the peer's uid on the Unix socket (`SO_PEERCRED`).
    case peerCredentials = "peercred"
}
