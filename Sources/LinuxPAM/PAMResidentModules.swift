internal import CPAM
import Synchronization

/// Keeps a PAM service's modules loaded for the life of the daemon.
///
/// Each transaction's `pam_start` reads the service's configuration and `dlopen`s every module it
/// names; its `pam_end` `dlclose`s them. When no other transaction holds a module at that moment, the
/// close unmaps it, and the next transaction maps, relocates and initialises it again, with
/// the unmapping's TLB shootdowns felt by every thread. With `pam_unix`'s account stack that churn
/// was most of a refresh's cost: about 1.1 ms of one core per `pam_acct_mgmt`, against about 0.11 ms
/// with the modules kept loaded (docs/BENCHMARKS.md, "Where a refresh's CPU goes").
///
/// One handle started at launch and ended at shutdown keeps every module's reference count above
/// zero, so later transactions' `dlopen` only finds the loaded copy. The handle runs no module and is
/// never used by two threads. Configuration changes still apply at the next transaction: each one
/// still reads `/etc/pam.d`. An upgraded module file takes effect at the daemon's restart, as with
/// every long-running PAM user (sshd, cron); Debian's libpam upgrade restarts such services.
final class PAMResidentModules: Sendable {
    private let handle: Mutex<OpaquePointer?>

    /// Loads `service`'s modules (from `configurationDirectory`, `/etc/pam.d` when nil). A service
    /// whose configuration cannot be read loads nothing here; its transactions then fail as before.
    init(service: String, configurationDirectory: String? = nil) {
        var started: OpaquePointer? = nil
        if cpam_start_resident(service, configurationDirectory, &started) != PAM_SUCCESS {
            started = nil
        }
        handle = Mutex(started)
    }

    /// Whether the modules were loaded.
    var isHolding: Bool { handle.withLock { $0 != nil } }

    /// Ends the handle; modules no transaction holds are unloaded. Idempotent.
    func release() {
        let ending = handle.withLock { held -> OpaquePointer? in
            defer { held = nil }
            return held
        }
        if let ending { pam_end(ending, PAM_SUCCESS) }
    }

    deinit { release() }
}
