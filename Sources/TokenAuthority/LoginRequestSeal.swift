public import Crypto
public import Foundation
public import TokenCore

/// Carries an authorization request through the login form without keeping it on the server: the
/// request is sealed with an HMAC under a key that lives in memory for the daemon's lifetime, bound
/// to the browser's login cookie and to an expiry. A form that was not made by this daemon for this
/// browser in the last ten minutes does not open.
///
/// Stateless on purpose: a table of pending logins is a table a script can fill by loading the login
/// page in a loop. The request is not secret (it was in the URL); only its integrity matters.
public struct LoginRequestSeal: Sendable {
    /// How long a login page stays usable.
    public static let lifetime: TimeInterval = 600
    private let key: SymmetricKey
    private let clock: any WallClock

    /// - Parameter key: fresh for every start of the daemon unless given (tests give their own).
    public init(clock: any WallClock, key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
        self.clock = clock
    }

    private struct Sealed: Codable {
        var request: AuthorizationRequest
        var expires: Int64
    }

    /// The form's hidden `request` and `csrf` values for `request`, bound to the login cookie `binding`.
    public func seal(_ request: AuthorizationRequest, binding: String) -> (request: String, csrf: String) {
        let sealed = Sealed(request: request, expires: Int64(clock.now.timeIntervalSince1970 + Self.lifetime))
        let payload = (try? JSONEncoder().encode(sealed)) ?? Data()
        let mac = authentication(for: payload, binding: binding)
        return (payload.base64URLEncodedString() + "." + mac.base64URLEncodedString(), csrf(mac: mac, binding: binding))
    }

    /// The request a form carried, when its seal, its CSRF token and its binding all check out and it
    /// has not expired.
    public func open(request text: String, csrf: String, binding: String) -> AuthorizationRequest? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Data(base64URLEncoded: parts[0]), let mac = Data(base64URLEncoded: parts[1]),
            HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.message(payload, binding), using: key),
            ConstantTime.equal(self.csrf(mac: mac, binding: binding).utf8, csrf.utf8),
            let sealed = try? JSONDecoder().decode(Sealed.self, from: payload),
            sealed.expires > Int64(clock.now.timeIntervalSince1970)
        else { return nil }
        return sealed.request
    }

    /// The CSRF token of the sign-out confirmation form: bound to the browser session's cookie.
    public func signOutToken(binding: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("sign-out\u{0}" + binding).utf8), using: key)).base64URLEncodedString()
    }

    /// Whether a sign-out form's token is the one ``signOutToken(binding:)`` made for this cookie.
    public func isValidSignOutToken(_ token: String, binding: String) -> Bool {
        ConstantTime.equal(signOutToken(binding: binding).utf8, token.utf8)
    }

    private func authentication(for payload: Data, binding: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Self.message(payload, binding), using: key))
    }

    private func csrf(mac: Data, binding: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("csrf\u{0}".utf8) + mac + Data(binding.utf8), using: key)).base64URLEncodedString()
    }

    private static func message(_ payload: Data, _ binding: String) -> Data {
        payload + Data([0]) + Data(binding.utf8)
    }

}
