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

    static func render(_ keys: [KeyInfo]) -> String {
        var table = Table("KID", "ALG", "ACTIVE", "CREATED", "RETIRED")
        for key in keys {
            table.add(
                key.kid, key.alg, key.active ? "yes" : "no", TimeFormatting.local(unixSeconds: key.createdAt),
                key.retiredAt.map { TimeFormatting.local(unixSeconds: $0) } ?? "-")
        }
        return table.render()
    }
}
