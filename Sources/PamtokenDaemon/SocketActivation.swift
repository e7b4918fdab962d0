public import Foundation
import TokenCore
public import TokenServer

#if canImport(Glibc)
import Glibc
#endif

/// systemd socket activation (`sd_listen_fds(3)`): when `LISTEN_PID` is our pid, descriptors 3 …
/// 3+`LISTEN_FDS`-1 are listening sockets prepared by the unit, named by `LISTEN_FDNAMES`.
public enum SocketActivation {
    /// The first descriptor systemd passes.
    static let firstDescriptor: Int32 = 3

    /// The inherited sockets, or an empty array when the process was not socket-activated. The
    /// variables are unset afterwards (docs/configuration.md), so children do not believe the sockets are theirs,
    /// and the descriptors are marked close-on-exec.
    public static func takeListeners(environment: [String: String] = ProcessInfo.processInfo.environment) -> [ListenEndpoint] {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap(Int32.init), count > 0, count < 1024
        else { return [] }
        let names = environment["LISTEN_FDNAMES"]?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
        return (0..<count).map { index in
            let fd = firstDescriptor + index
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let name = Int(index) < names.count ? names[Int(index)] : "fd\(fd)"
            return .inherited(fd: fd, name: name, isUnix: isUnixSocket(fd))
        }
    }

    /// The bound address of an inherited TCP socket when it is not a loopback address, else nil.
    static func remoteAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        // The address as text, judged by the same rule as `listen` addresses (TokenCore's IPAddress).
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let port: UInt16
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee } }
            inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
            port = UInt16(bigEndian: address.sin_port)
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee } }
            inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
            port = UInt16(bigEndian: address.sin6_port)
        default:
            return nil
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard !IPAddress.isLoopback(host: host) else { return nil }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether the descriptor is an `AF_UNIX` socket (peer credentials then apply).
    static func isUnixSocket(_ fd: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return status == 0 && Int32(storage.ss_family) == AF_UNIX
    }
}
