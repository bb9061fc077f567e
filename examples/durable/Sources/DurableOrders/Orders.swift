import Foundation
import Steward
import Synchronization

struct Order: Codable, Sendable {
    var id: String
    var amount: Int
}

struct Approval: Codable, Sendable {
    var by: String
}

struct ShipRequest: Codable, Sendable {
    var order: String
}

struct Receipt: Codable, Sendable {
    var order: String
    var payment: String
    var approvedBy: String?
    var label: String
}

/// A stand-in for a payment provider. Every call carries an idempotency key made from the run's
/// id, as a real provider's API takes one: a step body that runs twice (a crash after the call,
/// before its record) charges once.
final class PaymentsClient: Sendable {
    private let charges = Mutex<[String: String]>([:])
    let declineAbove: Int

    init(declineAbove: Int = 1_000) { self.declineAbove = declineAbove }

    func reserve(_ order: Order, key: String) async throws -> String { "hold-\(order.id)" }

    func charge(_ hold: String, amount: Int, key: String) async throws -> String {
        if amount > declineAbove { throw PermanentJobError("card declined for \(amount)") }
        return charges.withLock { $0[key, default: "pay-\(hold)"] }
    }

    func release(_ hold: String, key: String) async throws -> String { "released-\(hold)" }
}

/// Ships an order: a child run of ``ProcessOrder``.
struct ShipOrder: DurableWorkflow {
    static let name = "orders.ship"
    func run(context: DurableContext, input: ShipRequest) async throws -> String {
        try await context.step("label") { "LBL-\(input.order)" }
    }
}

/// The order: reserve, charge (release the hold if that fails), sleep, wait for approval, ship.
struct ProcessOrder: DurableWorkflow {
    static let name = "orders.process"
    let payments: PaymentsClient
    let pause: Duration

    func run(context: DurableContext, input: Order) async throws -> Receipt {
        let key = context.runID
        let hold = try await context.step("reserve") { try await payments.reserve(input, key: key + "-reserve") }
        let payment: String
        do {
            payment = try await context.step("charge") { try await payments.charge(hold, amount: input.amount, key: key + "-charge") }
        } catch {
            _ = try await context.step("release") { try await payments.release(hold, key: key + "-release") }
            throw error
        }
        try await context.sleep(for: pause)
        try await context.setEvent("status", "awaiting approval")
        let ok = try await context.receive(Approval.self, topic: "approve", timeout: .seconds(3600))
        let label = try await context.child(ShipOrder.self, input: ShipRequest(order: input.id))
        return Receipt(order: input.id, payment: payment, approvedBy: ok?.by, label: label)
    }
}
