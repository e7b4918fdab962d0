public import NIOCore
import Synchronization
public import TokenAuthority

#if canImport(Glibc)
import Glibc
#endif

/// Peer credentials of open Unix-socket connections, read once per connection with `SO_PEERCRED` when
/// the listener accepts it and dropped when it closes.
///
/// Request contexts are built from the channel alone, so this is how a handler learns the kernel's
/// word on who connected without a system call per request.
public final class PeerDirectory: Sendable {
    private let peers = Mutex<[ObjectIdentifier: Peer]>([:])
    private let fallback: Peer

    /// - Parameter fallback: the peer reported for channels we know nothing about. `.unknown` in the
    ///   daemon; router tests set it to impersonate a Unix-socket peer.
    public init(fallback: Peer = .unknown) {
        self.fallback = fallback
    }

    /// The peer of a request's channel.
    public func peer(for channel: any Channel) -> Peer {
        if let peer = peers.withLock({ $0[ObjectIdentifier(channel)] }) {
            return peer
        }
        if let address = channel.remoteAddress, let ip = address.ipAddress {
            return .tcp(address: ip)
        }
        return fallback
    }

    /// Reads `SO_PEERCRED` of a freshly accepted Unix-socket channel and remembers it until close.
    /// Called on the channel's event loop, where the socket option read completes at once.
    func register(_ channel: any Channel) -> EventLoopFuture<Void> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededVoidFuture() }
        let key = ObjectIdentifier(channel)
        return provider.unsafeGetSocketOption(level: .init(SOL_SOCKET), name: .init(SO_PEERCRED))
            .map { (credentials: PeerCredentials) in
                self.peers.withLock { $0[key] = .unix(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid) }
                channel.closeFuture.whenComplete { _ in
                    _ = self.peers.withLock { $0.removeValue(forKey: key) }
                }
            }
            .recover { _ in }
    }

    /// Connections currently tracked (for tests of the cleanup).
    var count: Int { peers.withLock { $0.count } }
}

/// `struct ucred` of `<sys/socket.h>`, which Glibc only declares under `_GNU_SOURCE`: same layout.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
