import Foundation
import Steward
import StewardConfig
import Testing

@Suite("Workflow definitions, templates and conditions")
struct WorkflowDefinitionTests {
    static let scope: JSONValue = .object([
        "input": .object(["order_id": .integer(42), "name": .string("Ada"), "big": .integer(9_007_199_254_740_993)]),
        "tasks": .object([
            "validate": .object([
                "output": .object([
                    "amount": .number(12.5), "ok": .bool(true),
                    "rows": .array([.object(["id": .integer(7)]), .object(["id": .integer(8)])]),
                ]),
                "state": .string("succeeded"),
            ])
        ]),
    ])

    @Test("a value that is exactly one template keeps its JSON type; inside text it renders as text")
    func templates() throws {
        let input: JSONValue = .object([
            "order": .string("{{input.order_id}}"),
            "rows": .string("{{ tasks.validate.output.rows }}"),
            "first": .string("{{tasks.validate.output.rows[1].id}}"),
            "greeting": .string("Hello {{input.name}}, order {{input.order_id}}: {{tasks.validate.output.rows[0]}}"),
            "big": .string("{{input.big}}"),
            "plain": .array([.string("no template"), .integer(3)]),
        ])
        let rendered = try WorkflowTemplate.render(input, in: Self.scope)
        #expect(
            rendered
                == .object([
                    "order": .integer(42),
                    "rows": .array([.object(["id": .integer(7)]), .object(["id": .integer(8)])]),
                    "first": .integer(8),
                    "greeting": .string(#"Hello Ada, order 42: {"id":7}"#),
                    "big": .integer(9_007_199_254_740_993),
                    "plain": .array([.string("no template"), .integer(3)]),
                ]))
    }

    @Test(
        "a missing path or a malformed template names the path",
        arguments: [
            ("{{input.customer}}", "missing path 'input.customer': no 'customer' in input"),
            ("{{tasks.validate.output.rows[5].id}}", "tasks.validate.output.rows has 2 items, no [5]"),
            ("{{input.name.first}}", "input.name is a string, not an object with 'first'"),
            ("{{input.order_id", "'{{' without a closing '}}'"),
            ("{{order_id}}", "must start with index, input, item, tasks"),
            ("{{input..x}}", "expected a name"),
        ])
    func templateErrors(_ text: String, _ message: String) throws {
        #expect {
            _ = try WorkflowTemplate.render(.string(text), in: Self.scope)
        } throws: { "\($0)".contains(message) }
    }

    @Test(
        "conditions: comparisons, and/or/not, parentheses, literals, exists",
        arguments: [
            ("tasks.validate.output.amount > 10", true),
            ("tasks.validate.output.amount >= 12.5 and input.name == 'Ada'", true),
            ("tasks.validate.output.amount < 10 or input.name == \"Bob\"", false),
            ("not (input.order_id != 42)", true),
            ("tasks.validate.output.ok", true),
            ("exists(input.customer)", false),
            ("exists(tasks.validate.output.rows[1].id) and tasks.validate.output.rows[1].id == 8", true),
            ("input.name <= 'B'", true),
            ("tasks.validate.state == 'succeeded' and not false", true),
            ("input.missing == null or true", true),
        ] as [(String, Bool)])
    func conditions(_ text: String, _ expected: Bool) throws {
        if text.contains("input.missing") {
            // A missing path is an error even beside `or`, except inside exists().
            #expect(throws: WorkflowExpressionError.self) { try WorkflowCondition(parsing: text).evaluate(in: Self.scope) }
            return
        }
        #expect(try WorkflowCondition(parsing: text).evaluate(in: Self.scope) == expected)
    }

    @Test(
        "malformed or ill-typed conditions are errors naming the place",
        arguments: [
            ("input.order_id >", "expected a value at the end"),
            ("(input.order_id > 1", "expected ')'"),
            ("input.order_id = 1", "'=' at column 16 is not an operator"),
            ("input.name > 3", "cannot order a string (\"Ada\") and a number (3)"),
            ("input.order_id", "the condition is a number (42), not true or false"),
            ("'open", "unclosed string"),
            ("and input.x", "expected a value before 'and'"),
        ])
    func conditionErrors(_ text: String, _ message: String) {
        #expect {
            try WorkflowCondition(parsing: text).evaluate(in: Self.scope)
        } throws: { "\($0)".contains(message) }
    }

    static let orders = """
        workflows:
          orders:
            version: 2
            timeout: 10m
            error_handling: {type: compensating_actions}
            output: {charged: "{{tasks.charge.output.amount}}"}
            tasks:
              - name: reserve
                job: inventory.reserve
                input: {order: "{{input.order_id}}"}
                compensate: {job: inventory.release, input: {reservation: "{{tasks.reserve.output.id}}"}}
              - name: charge
                depends_on: [reserve]
                retry: {max_attempts: 3, backoff: {type: linear, initial: 1s, step: 2s, max: 30s}, retry_on: [Timeout]}
                timeout: 30s
                when: "input.amount > 0"
                queue: payments
                priority: 5
                input: {amount: "{{input.amount}}", reservation: "{{tasks.reserve.output.id}}"}
              - name: notify
                depends_on: charge
                trigger: all_done
                map: "{{input.recipients}}"
                parallelism: 2
                tolerate_failures: 1
                input: {to: "{{item}}", n: "{{index}}"}
        """

    @Test("YAML: every field is read into the definition")
    func parseYAML() throws {
        let definitions = try WorkflowFile.parse(Self.orders, file: "orders.yaml")
        let d = try #require(definitions.first)
        #expect(d.name == "orders" && d.version == "2" && d.timeoutSeconds == 600 && d.errorHandling == .compensatingActions)
        #expect(d.tasks.map(\.name) == ["reserve", "charge", "notify"])
        #expect(d.tasks[0].job == "inventory.reserve" && d.tasks[1].job == "charge")
        #expect(d.tasks[0].compensate?.job == "inventory.release")
        #expect(d.tasks[1].retry == .linear(maxAttempts: 3, initial: .seconds(1), step: .seconds(2), max: .seconds(30), retryOn: ["Timeout"]))
        #expect(d.tasks[1].timeoutSeconds == 30 && d.tasks[1].queue == "payments" && d.tasks[1].priority == 5)
        #expect(d.tasks[1].when == "input.amount > 0")
        #expect(d.tasks[2].dependsOn == ["charge"] && d.tasks[2].trigger == .allDone)
        #expect(d.tasks[2].map == "{{input.recipients}}" && d.tasks[2].parallelism == 2 && d.tasks[2].tolerateFailures == 1)
        #expect(d.output == .object(["charged": .string("{{tasks.charge.output.amount}}")]))
    }

    @Test(
        "invalid definitions: file:line:column and what is wrong",
        arguments: [
            ("      - name: a\n        depends_on: [b]\n      - name: b\n        depends_on: [a]\n", 6, "cycle: a -> b -> a"),
            ("      - name: a\n      - name: a\n", 6, "duplicate task 'a'"),
            ("      - name: a\n        depends_on: [ghost]\n", 6, "depends on unknown task 'ghost'"),
            ("      - name: a\n        input: {x: \"{{input.y\"}\n", 6, "'{{' without a closing '}}'"),
            ("      - name: a\n        when: \"input.y >\"\n", 6, "expected a value at the end"),
            ("      - name: a\n        trigger: sometimes\n", 6, "unknown trigger 'sometimes'"),
            ("      - name: a\n        map: \"every row\"\n", 6, "is not a list source"),
            ("      - name: a\n      - name: b\n        input: {x: \"{{tasks.a.output}}\"}\n", 7, "not upstream of 'b'"),
            ("      - name: a\n        input: {x: \"{{item}}\"}\n", 6, "only defined inside a map task"),
            ("      - name: a\n        retri: {}\n", 6, "unknown key 'retri'"),
            ("      - name: a\n        retry: {max_attempts: 0}\n", 6, "max_attempts: 0 is outside 1..."),
            ("      - name: a\n        timeout: forever\n", 6, "'forever' is not a duration"),
        ] as [(String, Int, String)])
    func invalid(_ tasks: String, _ line: Int, _ message: String) throws {
        let text = "workflows:\n  w:\n    version: 1\n    tasks:\n" + tasks
        #expect {
            _ = try WorkflowFile.parse(text, file: "w.yaml")
        } throws: { error in
            let e = error as? ConfigFileError
            return e?.file == "w.yaml" && e?.line == line && e?.message.contains(message) == true
        }
    }

    @Test("the Swift builder is validated the same way")
    func builder() throws {
        let ok = WorkflowDefinition(
            name: "etl",
            tasks: [
                WorkflowTask("extract"),
                WorkflowTask("load", input: .object(["rows": .string("{{tasks.extract.output}}")]), dependsOn: ["extract"]),
            ])
        try ok.validate()
        #expect(ok.leaves.map(\.name) == ["load"])
        let cyclic = WorkflowDefinition(
            name: "loop", tasks: [WorkflowTask("a", dependsOn: ["c"]), WorkflowTask("b", dependsOn: ["a"]), WorkflowTask("c", dependsOn: ["b"])])
        #expect(throws: WorkflowDefinitionError("workflow 'loop': cycle: a -> c -> b -> a")) { try cyclic.validate() }
    }
}
