import PostgresStore
import Testing

/// `.pgpass` as libpq reads it: the first matching line wins, `*` matches anything, `\` escapes.
@Suite("PostgreSQL password file (PGPASSFILE, ~/.pgpass)")
struct PasswordFileTests {
    let location = try! PostgresLocation(url: "postgresql://pamtoken@db.example.com:5433/pamtoken")

    @Test("the first line whose host, port, database and user match gives the password")
    func firstMatch() {
        let text = """
            # hostname:port:database:username:password
            db.example.com:5432:pamtoken:pamtoken:wrong-port
            other.example.com:*:*:*:wrong-host
            db.example.com:5433:pamtoken:pamtoken:right
            *:*:*:*:fallback
            """
        #expect(PasswordFile.password(for: location, in: text) == "right")
        #expect(PasswordFile.password(for: location, in: "*:*:*:pamtoken:any") == "any")
        #expect(PasswordFile.password(for: location, in: "*:*:*:postgres:other-user") == nil)
    }

    @Test("backslash escapes a colon or a backslash; a malformed line is skipped")
    func escapes() {
        #expect(PasswordFile.password(for: location, in: #"*:*:*:*:a\:b\\c"#) == #"a:b\c"#)
        #expect(PasswordFile.password(for: location, in: "*:*:*:too-few\n*:*:*:*:ok") == "ok")
        #expect(PasswordFile.password(for: location, in: "*:*:*:*:ends\\") == nil)
    }

    @Test("a Unix socket is the host localhost")
    func socket() throws {
        let local = try PostgresLocation(url: "postgresql://pamtoken@/pamtoken?host=/run/postgresql")
        #expect(PasswordFile.password(for: local, in: "localhost:5432:pamtoken:pamtoken:local\n*:*:*:*:other") == "local")
    }
}
