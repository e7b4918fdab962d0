import PamtokenWire

/// Renders session listings as a table; shared with `admin sessions`.
enum SessionTable {
    static func render(_ sessions: [SessionInfo], showUser: Bool) -> String {
        var table =
            showUser
            ? Table("", "ID", "USER", "CREATED", "LAST USED", "EXPIRES", "METHOD", "CLIENT", "PEER")
            : Table("", "ID", "CREATED", "LAST USED", "EXPIRES", "METHOD", "CLIENT", "PEER")
        for session in sessions {
            var row = [session.current == true ? "*" : " ", session.id]
            if showUser { row.append(session.user) }
            row += [
                TimeFormatting.local(unixSeconds: session.createdAt), TimeFormatting.local(unixSeconds: session.lastUsedAt),
                TimeFormatting.local(unixSeconds: session.expiresAt), session.authMethod, session.clientID, session.peer ?? "-",
            ]
            table.rows.append(row)
        }
        return table.render()
    }
}
