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

    @Test("backslash escapes a colon or a backslash, an unescaped colon ends the password; a malformed line is skipped")
    func escapes() {
        #expect(PasswordFile.password(for: location, in: #"*:*:*:*:a\:b\\c"#) == #"a:b\c"#)
        #expect(PasswordFile.password(for: location, in: "*:*:*:*:secret:ignored") == "secret")
        #expect(PasswordFile.password(for: location, in: "*:*:*:*:crlf\r\n*:*:*:*:second") == "crlf", "Windows line ends")
        #expect(PasswordFile.password(for: location, in: "*:*:*:too-few\n*:*:*:*:ok") == "ok")
        #expect(PasswordFile.password(for: location, in: "*:*:*:*:ends\\") == nil)
    }

    @Test("the default socket directory is the host localhost, another socket directory its path")
    func socket() throws {
        let local = try PostgresLocation(url: "postgresql://pamtoken@/pamtoken?host=/run/postgresql")
        #expect(PasswordFile.password(for: local, in: "localhost:5432:pamtoken:pamtoken:local\n*:*:*:*:other") == "local")
        let other = try PostgresLocation(url: "postgresql://pamtoken@/pamtoken?host=/srv/pg")
        #expect(PasswordFile.password(for: other, in: "localhost:5432:pamtoken:pamtoken:local\n/srv/pg:5432:pamtoken:pamtoken:srv") == "srv")
    }
}
