import Foundation
import PostgresNIO
import Steward
@testable import StewardPostgres
import Testing

/// TLS modes against the test cluster (a self-signed certificate, as Debian's default), URL
/// parsing and redaction.
@Suite("PostgreSQL connections: sslmode, URLs, secrets", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresConnectionTests {
    static var ca: String? { ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_CA"] }

    func url(_ options: String, host: String = "127.0.0.1") throws -> String {
        let base = try #require(PostgresTestDatabase.url).replacingOccurrences(of: "@127.0.0.1:", with: "@\(host):")
        return base + "?schema=tls_probe&" + options
    }

    /// Whether the store's connection is encrypted, as the server sees it.
    func encrypted(_ store: PostgresJobStore) async throws -> Bool {
        let rows = try await store.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        return try rows[0].decode(Bool.self)
    }

    @Test(
        "each sslmode connects to a server with a self-signed certificate as libpq does",
        arguments: [
            ("sslmode=disable", false), ("sslmode=allow", true), ("sslmode=prefer", true), ("sslmode=require", true),
            ("sslmode=verify-ca&sslrootcert=CA", true), ("sslmode=verify-full&sslrootcert=CA", true),
        ])
    func modes(_ options: String, _ tls: Bool) async throws {
        let ca = try #require(Self.ca, "scripts/test exports STEWARD_TEST_POSTGRES_CA")
        let store = try PostgresJobStore(url: try url(options.replacingOccurrences(of: "CA", with: ca)))
        try await store.migrate()
        #expect(try await encrypted(store) == tls)
        try await store.close()
    }

    @Test("the default (prefer) encrypts without checking the certificate")
    func defaultMode() async throws {
        let store = try PostgresJobStore(url: try #require(PostgresTestDatabase.url) + "?schema=tls_probe")
        #expect(store.configuration.sslMode == .prefer)
        try await store.migrate()
        #expect(try await encrypted(store))
        try await store.close()
    }

    @Test("verify-full checks the host name against the certificate; localhost is named in it")
    func verifyFullByName() async throws {
        let ca = try #require(Self.ca)
        let store = try PostgresJobStore(url: try url("sslmode=verify-full&sslrootcert=\(ca)", host: "localhost"))
        try await store.migrate()
        #expect(try await encrypted(store))
        try await store.close()
    }

    @Test("a certificate no trusted CA signed fails verify-ca in plain words, naming the fix")
    func untrusted() async throws {
        let store = try PostgresJobStore(url: try url("sslmode=verify-ca"))
        await #expect {
            try await store.migrate()
        } throws: { error in
            let text = "\(error)"
            return text.contains("certificate is not signed by the system's trusted CAs") && text.contains("sslrootcert")
        }
        try await store.close()
    }

    @Test("an unreadable sslrootcert is refused, naming the option and the path")
    func missingRoot() throws {
        #expect {
            _ = try PostgresJobStore(url: try url("sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem"))
        } throws: { "\($0)".contains("sslrootcert '/nonexistent/ca.pem' cannot be read as PEM") }
    }
}

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("user and password are percent-decoded once")
    func decodedOnce() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://us%40er:50%25off@db/app%2Dx")
        #expect(c.username == "us@er")
        #expect(c.password == "50%off")
        #expect(c.database == "app-x")
    }

    @Test(
        "malformed parts are refused with the part named and the password redacted",
        arguments: [
            ("postgres://u:secret@db:99999/app", "port 99999 in 'postgres://u:***@db:99999/app' is not between 1 and 65535"),
            ("postgres://u:secret@db/app?schema=\(String(repeating: "s", count: 56))", "at most 55 fit the wake-up channel"),
            ("postgres://u:secret@db/app?sslmode=maybe", "sslmode 'maybe' in 'postgres://u:***@db/app?sslmode=maybe'"),
            ("postgres://u:secret@db/app?password=secret", "unknown option 'password' in 'postgres://u:***@db/app?password=***'"),
            ("postgres://u:secret@db/app?call_timeout=inf", "call_timeout: 'inf' is not a finite"),
            ("postgres://u:secret@db/app?sslcert=/x.pem", "sslcert and sslkey"),
            ("postgres://u:secret@db/app?max_connections=0", "max_connections '0'"),
        ])
    func refused(_ url: String, _ message: String) {
        #expect {
            _ = try PostgresStoreConfiguration(url: url)
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("secret")
        }
    }

    @Test("a schema of 55 characters is accepted")
    func longestSchema() throws {
        let schema = String(repeating: "s", count: 55)
        #expect(try PostgresStoreConfiguration(url: "postgres://u@db/app?schema=\(schema)").schema == schema)
    }

    @Test(
        "store URLs are redacted wherever they are shown",
        arguments: [
            ("postgres://steward:secret@db:5432/app", "postgres://steward:***@db:5432/app"),
            ("postgres://steward:p@ss@db/app?x=1", "postgres://steward:***@db/app?x=1"),
            ("postgres://steward@db/app", "postgres://steward@db/app"),
            ("postgres://db/app?user=u&password=secret", "postgres://db/app?user=u&password=***"),
            ("sqlite:./steward.db", "sqlite:./steward.db"),
        ])
    func redaction(_ url: String, _ shown: String) {
        #expect(StoreURL.redacted(url) == shown)
    }

    @Test("a configuration prints without its password")
    func description() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://steward:secret@db/app")
        #expect("\(c)" == "postgres://steward:***@db:5432/app?schema=steward&sslmode=prefer")
    }
}

@Suite("PostgreSQL wake-ups", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresWakeupTests {
    @Test("a LISTEN connection the server drops is re-established: wake-ups arrive again without the poll")
    func listenReconnects() async throws {
        let store = try PostgresTestDatabase.makeStore()
        try await store.migrate()
        // Another process's store: its NOTIFY is the only way the worker can hear of the job.
        let other = try PostgresJobStore(url: PostgresTestDatabase.url(for: store))
        let registry = JobRegistry()
        registry.register(name: "ping") { _, _ in nil }
        let config = WorkerConfiguration(pollInterval: .seconds(60))
        try await withWorker(store: store, registry: registry, queues: [QueueConfiguration(name: "default")], configuration: config) { _ in
            // The listener connects in the background: under a loaded machine that takes more than
            // a moment, so wait for its backend to show up before dropping it.
            let listeners =
                "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN \"\(store.channel)\";' OR query = 'LISTEN \"\(store.channel)\"'"
            var killed: [Int32] = []
            let deadline = ContinuousClock.now + .seconds(15)
            while killed.isEmpty, ContinuousClock.now < deadline {
                killed = try await other.query(listeners).map { try $0.decode(Int32.self) }
                for pid in killed { _ = try await other.query("SELECT pg_terminate_backend(\(pid))") }
                if killed.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(killed.count == 1, "no LISTEN connection found to drop")
            // The listener backs off 100 ms, reconnects and wakes every queue once; after that only a
            // NOTIFY can wake the idle worker within the 60 s poll interval. Wait for its new
            // backend to be listening (a fixed 2 s was not always enough on a loaded machine: the
            // NOTIFY then went out before the LISTEN), and a moment for the wake-all to pass.
            let listening = ContinuousClock.now + .seconds(15)
            var back = false
            while !back, ContinuousClock.now < listening {
                try await Task.sleep(for: .milliseconds(100))
                back = try await other.query(listeners).contains { !killed.contains(try $0.decode(Int32.self)) }
            }
            #expect(back, "the listener did not connect again within 15 s")
            try await Task.sleep(for: .milliseconds(500))
            let id = try await other.enqueue([NewJob(name: "ping")], now: Date())[0].id
            let started = ContinuousClock.now
            let ran = try await eventually(timeout: .seconds(10)) { try await other.job(id, now: Date())?.state == .succeeded }
            #expect(ran, "the job was not picked up after the listener's connection was dropped")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        try await other.close()
        try await store.destroySchema()
        try await store.close()
    }
}

@Suite("PostgreSQL secrets in CLI output", .enabled(if: PostgresTestDatabase.enabled))
struct PostgresSecretTests {
    @Test("steward migrate prints the store URL with its password redacted")
    func migrateRedacts() throws {
        // The test cluster trusts local logins, so any password is accepted (and must never be shown).
        let base = try #require(PostgresTestDatabase.url).replacingOccurrences(of: "steward@", with: "steward:s3cret%21@")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = ["migrate", "--store", base + "?schema=redaction_probe&sslmode=disable"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("migrated postgres://steward:***@127.0.0.1:"), "\(text)")
        #expect(!text.contains("s3cret"))
    }

    @Test("steward bench --json reports its store with the password redacted")
    func benchRedacts() throws {
        let base = try #require(PostgresTestDatabase.url).replacingOccurrences(of: "steward@", with: "steward:s3cret%21@")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: WorkerProcesses.binary)
        p.arguments = [
            "bench", "--jobs", "10", "--single-jobs", "2", "--batch-size", "5", "--json", "--fresh",
            "--store", base + "?schema=redaction_bench&sslmode=disable",
        ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains(#""store":"postgres://steward:***@127.0.0.1:"#), "\(text)")
        #expect(!text.contains("s3cret"))
    }
}
