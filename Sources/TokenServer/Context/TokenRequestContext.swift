import Foundation
import TokenCore
import TokenStore
import JWTKit
import HTTPTypes
public import Hummingbird
import Logging
public import NIOCore

/// The request context of every route: Hummingbird's core storage plus the channel, from which the
/// peer (kernel-verified on the Unix socket) is resolved through the ``PeerDirectory``.
public struct TokenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// CONTRACT §3: request bodies over 16 KiB get 413. No legitimate request comes near it.
    public var maxUploadSize: Int { 16 * 1024 }
}
