import ArgumentParser
import PamtokenWire

/// `pamtoken admin keys list|rotate`: `GET /admin/keys`, `POST /admin/keys/rotate`.
struct AdminKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List or rotate the signing keys.",
        discussion: """
            Examples:
              sudo pamtoken admin keys list
              sudo pamtoken admin keys rotate
            """,
        subcommands: [AdminKeysListCommand.self, AdminKeysRotateCommand.self],
        defaultSubcommand: AdminKeysListCommand.self)

    /// This host's keys; in a fleet, then the other hosts' keys it trusts.
    static func render(_ list: KeyList) -> String {
        var table = Table("KID", "ALG", "ACTIVE", "CREATED", "RETIRED")
        for key in list.keys {
            table.add(
                key.kid, key.alg, key.active ? "yes" : "no", TimeFormatting.local(unixSeconds: key.createdAt),
                key.retiredAt.map { TimeFormatting.local(unixSeconds: $0) } ?? "-")
        }
        guard let fleet = list.fleet else { return table.render() }
        var others = Table("KID", "ALG", "HOST", "TRUSTED UNTIL")
        for key in fleet {
            others.add(key.kid, key.alg, key.host, TimeFormatting.local(unixSeconds: key.notAfter))
        }
        return table.render() + "\nOther hosts' keys (fleet):\n" + (fleet.isEmpty ? "(none)\n" : others.render())
    }
}
