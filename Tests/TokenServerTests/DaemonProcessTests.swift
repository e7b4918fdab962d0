import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("The pamtokend process: sd_notify, signals, socket activation, idle exit, bad config", .serialized)
struct DaemonProcessTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtokend-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "".write(toFile: directory + "/empty.toml", atomically: true, encoding: .utf8)
    }

    @Test("READY=1 once serving, STOPPING=1 and exit 0 on SIGTERM; the socket file is removed")
    func notifyAndSIGTERM() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notify = NotifySocket(path: directory + "/notify.sock")
        let socket = directory + "/run/pamtoken.sock"
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/empty.toml", "--state-dir", directory + "/state", "--listen", "unix:" + socket],
            environment: ["NOTIFY_SOCKET": notify.path])
        let exit = try daemon.start()
        let ready = await notify.next()
        #expect(ready?.contains("READY=1") == true)

        let url = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try await LiveClient.send(url + "/healthz").status == 200)

        daemon.signal(SIGTERM)
        #expect(await notify.next() == "STOPPING=1")
        #expect(await exit.value == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
        let log = daemon.log
        #expect(log.contains("pamtokend stopped"))
        #expect(FileManager.default.fileExists(atPath: directory + "/state/pamtoken.sqlite"))
    }

    @Test(
        "a second daemon on the same state directory, or --migrate-store on its file, exits 1 with one line naming the first's pid",
        .timeLimit(.minutes(1)))
    func secondDaemon() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notify = NotifySocket(path: directory + "/notify.sock")
        let arguments = ["--config", directory + "/empty.toml", "--state-dir", directory + "/state"]
        let first = try DaemonProcess(
            arguments: arguments + ["--listen", "unix:" + directory + "/first.sock"], environment: ["NOTIFY_SOCKET": notify.path])
        let firstExit = try first.start()
        defer { if first.process.isRunning { first.signal(SIGKILL) } }
        #expect(await notify.next()?.contains("READY=1") == true)
        let keys = try FileManager.default.contentsOfDirectory(atPath: directory + "/state/keys").sorted()
        let pid = first.process.processIdentifier

        // Another algorithm: a second daemon that reached its keys would make an EdDSA key.
        let second = try DaemonProcess(arguments: arguments + ["--listen", "unix:" + directory + "/second.sock", "--signing-alg", "EdDSA"])
        let secondExit = try second.start()
        defer { if second.process.isRunning { second.signal(SIGKILL) } }
        #expect(await secondExit.value == 1)
        let failures = second.log.split(separator: "\n").filter { $0.contains("cannot run") }
        #expect(failures.count == 1, "\(second.log)")
        #expect(failures.first?.contains("is in use by process \(pid)") == true, "\(second.log)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/state/keys").sorted() == keys, "no key made")
        #expect(!FileManager.default.fileExists(atPath: directory + "/second.sock"))

        let database = directory + "/state/pamtoken.sqlite"
        let copy = try DaemonProcess(arguments: ["--config", directory + "/empty.toml", "--migrate-store", database, directory + "/copy.sqlite"])
        let copyExit = try copy.start()
        #expect(await copyExit.value == 1)
        #expect(copy.log.contains("--migrate-store: the session database \(database) is in use by process \(pid)"), "\(copy.log)")

        let url = "http+unix://" + (directory + "/first.sock").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try await LiveClient.send(url + "/healthz").status == 200)
        first.signal(SIGTERM)
        #expect(await firstExit.value == 0)

        try FileManager.default.createSymbolicLink(atPath: directory + "/alias.sqlite", withDestinationPath: database)
        let itself = try DaemonProcess(arguments: ["--config", directory + "/empty.toml", "--migrate-store", database, directory + "/alias.sqlite"])
        let itselfExit = try itself.start()
        #expect(await itselfExit.value == 1)
        #expect(itself.log.contains("FROM and TO are the same store"), "\(itself.log)")
    }

    @Test("under systemd-socket-activate the inherited socket is served, and --idle-exit ends the process with 0")
    func socketActivation() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let activator = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        try #require(FileManager.default.isExecutableFile(atPath: activator.path), "needs the systemd package")
        let socket = directory + "/activated.sock"
        let notify = NotifySocket(path: directory + "/notify.sock")
        let daemon = try DaemonProcess(
            executable: activator,
            arguments: [
                "-l", socket, "--fdname=unix", "-E", "NOTIFY_SOCKET=\(notify.path)", DaemonProcess.binary.path,
                "--config", directory + "/empty.toml", "--state-dir", directory + "/state", "--idle-exit", "1",
                "--listen", "unix:" + directory + "/never-bound.sock",
            ])
        let exit = try daemon.start()
        // systemd-socket-activate owns the socket before the daemon exists; the first connection starts it.
        let url = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var reply: LiveClient.Reply?
        for _ in 0..<100 where reply == nil {
            reply = try? await LiveClient.send(url + "/healthz")
            if reply == nil { try await Task.sleep(for: .milliseconds(50)) }  // the activator has not bound yet
        }
        #expect(reply?.status == 200)
        #expect(await notify.next()?.contains("READY=1") == true)
        // No further request: after one idle second the daemon exits cleanly by itself.
        #expect(await exit.value == 0)
        let log = daemon.log
        #expect(log.contains("socket activation"), "\(log)")
        #expect(log.contains("idle: exiting"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/never-bound.sock"), "--listen is not bound under activation")
    }

    @Test("an inherited non-loopback TCP socket is refused unless allow_remote = true")
    func inheritedRemoteSocket() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let activator = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        try #require(FileManager.default.isExecutableFile(atPath: activator.path), "needs the systemd package")
        let port = 20000 + Int.random(in: 0..<20000)
        let daemon = try DaemonProcess(
            executable: activator,
            arguments: [
                "-l", "0.0.0.0:\(port)", DaemonProcess.binary.path, "--config", directory + "/empty.toml", "--state-dir", directory + "/state",
            ])
        let exit = try daemon.start()
        for _ in 0..<100 {  // the activator binds first; the first connection starts the daemon, which refuses
            if (try? await LiveClient.send("http://127.0.0.1:\(port)/healthz")) == nil, daemon.process.isRunning == false { break }
            if !daemon.process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await exit.value == 1)
        #expect(daemon.log.contains("not loopback; set allow_remote = true"), "\(daemon.log)")
    }

    @Test("a bad configuration exits 78 (EX_CONFIG) with one line naming the problem, and creates nothing")
    func badConfiguration() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "acess_ttl = 30\n".write(toFile: directory + "/bad.toml", atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/bad.toml", "--state-dir", directory + "/state"])
        let exit = try daemon.start()
        #expect(await exit.value == 78)
        let lines = daemon.log.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("acess_ttl") == true)
        #expect(!FileManager.default.fileExists(atPath: directory + "/state"))

        let remote = try DaemonProcess(arguments: ["--config", directory + "/empty.toml", "--listen", "tcp:0.0.0.0:8719", "--check-config"])
        let remoteExit = try remote.start()
        #expect(await remoteExit.value == 78)
        #expect(remote.log.contains("allow_remote"))

        let usage = try DaemonProcess(arguments: ["--no-such-flag"])
        let usageExit = try usage.start()
        #expect(await usageExit.value == 2, "usage errors exit 2, as the CLI's do")
    }

    @Test("an address in use is one log line naming the address, before any state exists; --default-idle-exit yields to idle_exit in the file")
    func startupLines() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(taken, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let daemon = try DaemonProcess(
            arguments: ["--config", directory + "/empty.toml", "--state-dir", directory + "/state", "--listen", "tcp:127.0.0.1:\(port)"])
        let exit = try daemon.start()
        #expect(await exit.value == 1)
        let failures = daemon.log.split(separator: "\n").filter { $0.contains("cannot listen") }
        #expect(failures.count == 1, "\(daemon.log)")
        #expect(failures.first?.contains("cannot listen on tcp:127.0.0.1:\(port): Address already in use") == true)
        #expect(!daemon.log.contains("bind(descriptor"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/state"), "nothing is created before the addresses are known to bind")

        try "idle_exit = 7\n".write(toFile: directory + "/idle.toml", atomically: true, encoding: .utf8)
        for (file, expected) in [("/idle.toml", "idle_exit = 7"), ("/empty.toml", "idle_exit = 600")] {
            let check = try DaemonProcess(arguments: ["--config", directory + file, "--default-idle-exit", "600", "--check-config"])
            let checkExit = try check.start()
            #expect(await checkExit.value == 0)
            #expect(check.log.contains(expected), "\(check.log)")
        }
    }

    @Test("--check-config prints the effective configuration and exits 0")
    func checkConfig() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try DaemonProcess(arguments: ["--config", directory + "/empty.toml", "--access-ttl", "120", "--check-config"])
        let exit = try daemon.start()
        #expect(await exit.value == 0)
        #expect(daemon.log.contains("access_ttl = 120"))
    }
}
