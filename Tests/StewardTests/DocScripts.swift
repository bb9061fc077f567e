import Foundation
import Testing

/// Runs shell lines from the README, the docs and the examples as a user types them: in a fresh
/// folder with the repository's `examples/` linked in, `steward` being the binary under test and
/// the example worker's `swift run` line being the example worker built by scripts/test.
///
/// A line's trailing comment says what to expect: `(exit N)` its exit status (0 otherwise), and a
/// leading state word (`succeeded`, `failed`, `compensated`, `cancelled`) must appear in what it
/// prints. Lines ending in `&` run in the background and are stopped when the script ends.
struct DocScript {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The example worker (examples/worker), built by scripts/test.
    static var exampleWorker: String? { ProcessInfo.processInfo.environment["STEWARD_EXAMPLE_WORKER"] }

    struct Line {
        var command: String
        var expectedStatus: Int32
        var expectedState: String?
        var background: Bool
    }

    /// `text` split into a command and its comment (a `#` after whitespace, outside quotes).
    static func parse(_ text: String) -> Line {
        var single = false
        var double = false
        var previous: Character = " "
        var cut = text.endIndex
        for i in text.indices {
            let c = text[i]
            if c == "'" && !double { single.toggle() }
            if c == "\"" && !single { double.toggle() }
            if c == "#" && !single && !double && previous.isWhitespace {
                cut = i
                break
            }
            previous = c
        }
        let command = text[..<cut].trimmingCharacters(in: .whitespaces)
        let comment = cut < text.endIndex ? String(text[text.index(after: cut)...]).trimmingCharacters(in: .whitespaces) : ""
        var status: Int32 = 0
        if let r = comment.range(of: #"\(exit (\d+)\)"#, options: .regularExpression) {
            status = Int32(comment[r].dropFirst(6).dropLast()) ?? 0
        }
        let first = comment.prefix { $0.isLetter || $0 == "_" }
        let states: Set<Substring> = ["succeeded", "failed", "compensated", "cancelled"]
        return Line(
            command: command.hasSuffix("&") ? String(command.dropLast()).trimmingCharacters(in: .whitespaces) : command,
            expectedStatus: status, expectedState: states.contains(first) ? String(first) : nil,
            background: command.hasSuffix("&"))
    }

    /// The lines of a fenced ```sh block that follows `heading` in `markdown`.
    static func block(after heading: String, in markdown: String) throws -> [String] {
        let afterHeading = try #require(markdown.range(of: heading), "no '\(heading)'")
        let rest = markdown[afterHeading.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "\n```"))
        return rest[open.upperBound..<close.lowerBound].split(separator: "\n").map(String.init)
    }

    /// The `#   command` lines of a file's header comment.
    static func headerCommands(_ text: String) -> [String] {
        text.split(separator: "\n").prefix { $0.hasPrefix("#") }.compactMap { line in
            let body = line.dropFirst().drop { $0 == " " }
            return line.hasPrefix("#   ") && (body.hasPrefix("steward ") || body.hasPrefix("swift run ")) ? String(body) : nil
        }
    }

    /// Runs `lines` with bash in a new folder; returns the exit status (0 when every line did what
    /// its comment says) and everything printed. `serve` lines are started in the background on a
    /// free port, checked over HTTP (`/healthz`, the dashboard, `/api/v1/queues`) and stopped with
    /// SIGTERM, which must end them with status 0.
    static func run(_ lines: [String], environment: [String: String] = [:], timeout: Duration = .seconds(300)) async throws
        -> (status: Int32, output: String)
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(
            at: dir.appendingPathComponent("examples"), withDestinationURL: repository.appendingPathComponent("examples"))
        var script = """
            set -u
            steward() { "$STEWARD_BIN" "$@"; }
            pids=()
            trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' EXIT
            http_get() { python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }
            check() {  # check LINE EXPECTED_STATUS STATE COMMAND
              echo "+ $4"
              out="$(eval "$4" 2>&1)"; rc=$?
              printf '%s\\n' "$out"
              if [ "$rc" != "$2" ]; then echo "FAILED: exit $rc, expected $2: $4"; exit 1; fi
              if [ -n "$3" ] && ! grep -q "$3" <<<"$out"; then echo "FAILED: '$3' not printed by: $4"; exit 1; fi
            }

            """
        for (n, text) in lines.enumerated() {
            var line = parse(text)
            guard !line.command.isEmpty else { continue }
            if line.command.hasPrefix("swift run --package-path examples example-worker") {
                line.command = "\"$STEWARD_EXAMPLE_WORKER\"" + line.command.dropFirst("swift run --package-path examples example-worker".count)
            }
            // Started processes are the binaries themselves (not a shell function around them), so
            // the SIGTERM at the end reaches them.
            var direct = line.command
            if direct.hasPrefix("steward ") { direct = "\"$STEWARD_BIN\"" + direct.dropFirst("steward".count) }
            let quoted = "'" + line.command.replacingOccurrences(of: "'", with: "'\\''") + "'"
            if line.command.hasPrefix("export ") {
                script += "echo '+ \(line.command.replacingOccurrences(of: "'", with: "'\\''"))'\n\(line.command)\n"
            } else if line.command.hasPrefix("steward serve") {
                let port = try freePort()
                script += """
                    echo "+ \(line.command.replacingOccurrences(of: "\"", with: "\\\"")) (port \(port))"
                    \(direct) --port \(port) >serve-\(n).log 2>&1 &
                    serve=$!
                    for _ in $(seq 150); do http_get http://127.0.0.1:\(port)/healthz >/dev/null 2>&1 && break; sleep 0.2; done
                    http_get http://127.0.0.1:\(port)/healthz >/dev/null || { cat serve-\(n).log; echo "FAILED: serve did not answer"; exit 1; }
                    http_get http://127.0.0.1:\(port)/ | grep -q '<title>Steward</title>' || { echo "FAILED: no dashboard"; exit 1; }
                    http_get http://127.0.0.1:\(port)/api/v1/queues | grep -q '"default"' || { echo "FAILED: no queues"; exit 1; }
                    # Every Steward family on /metrics has its HELP and TYPE from the first scrape.
                    http_get http://127.0.0.1:\(port)/metrics >metrics-\(n).txt
                    for family in steward_schedule_fires_total steward_jobs_enqueued_total steward_workers_active; do
                      grep -q "^# HELP $family " metrics-\(n).txt && grep -q "^# TYPE $family " metrics-\(n).txt ||
                        { cat metrics-\(n).txt; echo "FAILED: /metrics has no HELP/TYPE for $family"; exit 1; }
                    done
                    if grep '^# TYPE steward_' metrics-\(n).txt | while read -r _ _ family _; do grep -q "^# HELP $family " metrics-\(n).txt || echo "$family"; done | grep .; then
                      echo "FAILED: families without HELP"; exit 1
                    fi
                    kill -TERM $serve; wait $serve; rc=$?
                    cat serve-\(n).log
                    [ "$rc" = 0 ] || { echo "FAILED: serve stopped with $rc"; exit 1; }

                    """
            } else if line.background {
                script += "echo '+ \(line.command.replacingOccurrences(of: "'", with: "'\\''")) &'\n\(direct) >bg-\(n).log 2>&1 &\npids+=($!)\n"
            } else {
                script += "check \(n) \(line.expectedStatus) '\(line.expectedState ?? "")' \(quoted)\n"
            }
        }
        script += "exit 0\n"
        let path = dir.appendingPathComponent("script.sh")
        try script.write(to: path, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [path.path]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["STEWARD_BIN"] = WorkerProcesses.binary
        env.removeValue(forKey: "STEWARD_STORE")
        env.merge(environment) { $1 }
        p.environment = env
        let out = dir.appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = p.standardOutput
        try p.run()
        let status = await exitStatus(of: p, within: timeout) ?? -1
        return (status, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &addr) { ptr in
            try ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, len) == 0, getsockname(fd, $0, &len) == 0 else { throw POSIXError(.EADDRINUSE) }
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

@Suite("README, docs and examples, run as written", .serialized)
struct DocScriptTests {
    @Test("the README's CLI quick start runs top to bottom on one store (workers and serve started and stopped)")
    func readmeQuickStart() async throws {
        let readme = try String(contentsOf: DocScript.repository.appendingPathComponent("README.md"), encoding: .utf8)
        var lines = try DocScript.block(after: "## Quick start (CLI)", in: readme)
        // The first line builds the binary and names it `steward`: the binary under test stands in.
        #expect(lines.first?.hasPrefix("swift build -c release && alias steward=") == true)
        lines.removeFirst()
        #expect(lines.contains { $0.hasPrefix("steward serve") })
        let (status, output) = try await DocScript.run(lines)
        #expect(status == 0, "\(output)")
        #expect(output.contains("+ steward workflow run hello"))
    }

    @Test("a Swift worker and steward worker share one store and one queue, as docs/guide.md and examples/worker show")
    func sharedStore() async throws {
        if DocScript.exampleWorker == nil {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "STEWARD_EXAMPLE_WORKER is not set (scripts/test sets it)")
            return
        }
        let guide = try String(contentsOf: DocScript.repository.appendingPathComponent("docs/guide.md"), encoding: .utf8)
        let shared = try DocScript.block(after: "### Your Swift worker beside", in: guide)
        let (status, output) = try await DocScript.run(shared)
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""charged":1999"#), "\(output)")
        let readme = try String(contentsOf: DocScript.repository.appendingPathComponent("examples/worker/README.md"), encoding: .utf8)
        let (readmeStatus, readmeOutput) = try await DocScript.run(try DocScript.block(after: "# examples/worker", in: readme))
        #expect(readmeStatus == 0, "\(readmeOutput)")
    }

    @Test("examples/deploy: the systemd unit passes systemd-analyze verify; the container's serve configuration is valid")
    func deployExamples() async throws {
        let deploy = DocScript.repository.appendingPathComponent("examples/deploy")
        let unit = try String(contentsOf: deploy.appendingPathComponent("steward.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/steward", with: WorkerProcesses.binary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try unit.write(to: dir.appendingPathComponent("steward.service"), atomically: true, encoding: .utf8)
        let commands = [
            "STEWARD_ADMIN_TOKEN=t steward config validate examples/deploy/serve.yaml",
            "if command -v systemd-analyze >/dev/null; then systemd-analyze verify \(dir.path)/steward.service; else echo 'systemd-analyze not installed'; fi",
        ]
        let (status, output) = try await DocScript.run(commands)
        #expect(status == 0, "\(output)")
        #expect(!output.contains("steward.service:"), "systemd-analyze found problems:\n\(output)")
    }

    @Test("every example workflow runs in the worker its header names, with the outcome it states")
    func exampleWorkflows() async throws {
        let files = try FileManager.default.contentsOfDirectory(
            atPath: DocScript.repository.appendingPathComponent("examples/workflows").path
        ).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count == 6)
        let needsWorker = files.filter { name in
            let text = (try? String(contentsOf: DocScript.repository.appendingPathComponent("examples/workflows/\(name)"), encoding: .utf8)) ?? ""
            return DocScript.headerCommands(text).contains { $0.hasPrefix("swift run") }
        }
        if DocScript.exampleWorker == nil {
            // scripts/test builds examples/worker and sets it; in CI its absence fails.
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "STEWARD_EXAMPLE_WORKER is not set (scripts/test sets it)")
        }
        for file in files {
            let text = try String(
                contentsOf: DocScript.repository.appendingPathComponent("examples/workflows/\(file)"), encoding: .utf8)
            let commands = DocScript.headerCommands(text)
            #expect(commands.contains { $0.contains("workflow run") && $0.contains("--wait") }, "\(file): no run command in its header")
            if needsWorker.contains(file), DocScript.exampleWorker == nil { continue }
            let (status, output) = try await DocScript.run(commands)
            #expect(status == 0, "\(file):\n\(output)")
        }
    }
}
