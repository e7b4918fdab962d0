public import Hummingbird
public import NIOCore
import Synchronization

/// The request context of every route: Hummingbird's core storage plus the channel, from which the
/// peer (kernel-verified on the Unix socket) is resolved through the ``PeerDirectory``.
public struct TokenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    public let channel: any Channel
    /// What handlers learn that the access-log line should show (the user, once known).
    public let annotations = RequestAnnotations()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// docs/api.md#routes: request bodies over 16 KiB get 413. No legitimate request comes near it.
    public var maxUploadSize: Int { 16 * 1024 }
}

/// Facts a handler learns while answering (who the user turned out to be) for the request's log line.
/// A reference type because the context is passed down by value while the middleware logs on the way up.
public final class RequestAnnotations: Sendable {
    private let state = Mutex<String?>(nil)

    /// The user the request acted for, when known.
    public var user: String? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
