import Logging
import Synchronization

/// The value of `X-Auth-Groups`: the user's groups, comma-separated.
///
/// A group name that itself contains a comma (NSS back ends such as LDAP allow one) cannot be told
/// apart from two groups in that list, and an upstream that split `ops,wheel` into `ops` and `wheel`
/// would grant `wheel` to a member of neither. Such names are left out of the header — never a group
/// too many, at worst one too few — and each is logged once, so the operator learns why.
final class GroupListHeader: Sendable {
    /// Names already reported, bounded so that the set cannot grow with whatever a directory holds.
    private let reported = Mutex<Set<String>>([])
    private static let maxReported = 1024
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The header value for these groups.
    func value(for groups: [String], user: String) -> String {
        var representable: [String] = []
        representable.reserveCapacity(groups.count)
        for group in groups {
            if group.contains(",") || group.isEmpty {
                reportOnce(group, user: user)
            } else {
                representable.append(group)
            }
        }
        return representable.joined(separator: ",")
    }

    private func reportOnce(_ group: String, user: String) {
        let first = reported.withLock { reported in
            guard reported.count < Self.maxReported else { return false }
            return reported.insert(group).inserted
        }
        if first {
            logger.warning(
                "group left out of X-Auth-Groups: its name contains a comma, the list separator",
                metadata: ["group": "\(group.prefix(128))", "user": "\(user)"])
        }
    }
}
