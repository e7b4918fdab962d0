public import Logging

#if canImport(Glibc)
import Glibc
#endif
// `struct stat` is claimed by whichever module declaring it the compiler saw first: import each.
#if canImport(CoreFoundation)
import CoreFoundation
#endif
#if canImport(CDispatch)
import CDispatch
#endif

/// Whether standard error is connected to systemd's journal, and the syslog priority prefix that lets
/// journald file each line at its level (`journalctl -p warning -u pamtokend`, sd-daemon(3)).
///
/// systemd sets `JOURNAL_STREAM=<device>:<inode>` for a service whose output goes to the journal; the
/// variable is inherited by children whose stderr may be elsewhere, so it counts only when it names
/// the file standard error really is.
public enum JournalStream {
    /// True when standard error is the journal stream systemd announced.
    public static let isStandardError: Bool = {
        guard let value = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }()

    /// `<N>`, the sd-daemon(3) prefix of a level: 7 debug … 2 critical.
    public static func prefix(_ level: Logger.Level) -> String {
        let priority =
            switch level {
            case .trace, .debug: 7
            case .info: 6
            case .notice: 5
            case .warning: 4
            case .error: 3
            case .critical: 2
            }
        return "<\(priority)>"
    }
}
