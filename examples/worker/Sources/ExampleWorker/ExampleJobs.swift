import Foundation
import Steward

/// The handlers the example workflows name, as typed jobs. Each decodes the input its task
/// renders (examples/workflows/*.yaml) and returns the output later tasks read.
enum ExampleJobs {
    static func register(in registry: JobRegistry) {
        // chain.yaml
        registry.register(ReportCollect.self)
        registry.register(ReportFormat.self)
        // A handler holding a dependency (what a real worker passes: its mail client).
        registry.register(ReportMailer(outbox: Outbox()))
        // conditional.yaml
        registry.register(LoanScore.self)
        registry.register(LoanApprove.self)
        registry.register(LoanReview.self)
        registry.register(LoanNotify.self)
        // etl.yaml
        registry.register(ETLExtract.self)
        registry.register(ETLValidate.self)
        registry.register(ETLTransform.self)
        registry.register(ETLLoad.self)
        // payment-saga.yaml
        registry.register(InventoryReserve.self)
        registry.register(InventoryRelease.self)
        registry.register(PaymentCharge.self)
        registry.register(PaymentRefund.self)
        registry.register(ShippingShip.self)
        // report-batch.yaml
        registry.register(ReportAccounts.self)
        registry.register(ReportBuild.self)
        registry.register(ReportSummarize.self)
        // A plain job (docs/guide.md: a Swift worker beside `steward serve`).
        registry.register(ChargeCard.self)
    }
}

// MARK: chain.yaml: collect -> format -> deliver

struct ReportCollect: Job {
    static let name = "report.collect"
    var source: String
    var day: String
    struct Row: Codable, Sendable { var region: String; var amount: Int }
    struct Output: Codable, Sendable { var rows: [Row] }
    func run(context: JobContext) async throws -> Output {
        // Stands in for a query: the same rows for the same day.
        let seed = day.unicodeScalars.reduce(0) { $0 + Int($1.value) }
        return Output(rows: ["north", "south", "east"].enumerated().map { i, region in
            Row(region: region, amount: (seed * (i + 3)) % 1000)
        })
    }
}

struct ReportFormat: Job {
    static let name = "report.format"
    var rows: [ReportCollect.Row]
    var title: String
    struct Output: Codable, Sendable { var text: String; var lines: Int }
    func run(context: JobContext) async throws -> Output {
        let body = rows.map { "\($0.region): \($0.amount)" }.joined(separator: "\n")
        return Output(text: "\(title)\n\(body)", lines: rows.count)
    }
}

/// Parameters only: the handler is ``ReportMailer``, which holds the outbox it sends through.
struct ReportDeliver: JobParameters {
    static let name = "report.deliver"
    var to: String
    var body: String
    struct Output: Codable, Sendable { var to: String; var bytes: Int }
}

/// Stands in for a mail client: the dependency a `Job` type could not be given.
actor Outbox {
    private var sent: [String] = []
    func send(to: String, body: String) -> Int {
        sent.append(to)
        return body.utf8.count
    }
}

struct ReportMailer: JobHandler {
    let outbox: Outbox
    func handle(_ job: ReportDeliver, context: JobContext) async throws -> ReportDeliver.Output {
        guard job.to.contains("@") else { throw PermanentJobError("report.deliver: '\(job.to)' is not an email address") }
        let bytes = await outbox.send(to: job.to, body: job.body)
        return ReportDeliver.Output(to: job.to, bytes: bytes)
    }
}

// MARK: conditional.yaml: score, then approve or review, then notify

struct LoanScore: Job {
    static let name = "loan.score"
    var applicant: String
    struct Output: Codable, Sendable { var value: Int; var blocked: Bool }
    func run(context: JobContext) async throws -> Output {
        // A fixed table for the documented applicants, a stable score for anyone else.
        switch applicant {
        case "ada": return Output(value: 780, blocked: false)
        case "bob": return Output(value: 610, blocked: false)
        case "mallory": return Output(value: 300, blocked: true)
        default: return Output(value: 500 + applicant.unicodeScalars.reduce(0) { $0 + Int($1.value) } % 350, blocked: false)
        }
    }
}

struct LoanApprove: Job {
    static let name = "loan.approve"
    var applicant: String
    var score: Int
    struct Output: Codable, Sendable { var applicant: String; var limit: Int }
    func run(context: JobContext) async throws -> Output { Output(applicant: applicant, limit: (score - 600) * 100) }
}

struct LoanReview: Job {
    static let name = "loan.review"
    var applicant: String
    struct Output: Codable, Sendable { var applicant: String; var queue: String }
    func run(context: JobContext) async throws -> Output { Output(applicant: applicant, queue: "manual-review") }
}

struct LoanNotify: Job {
    static let name = "loan.notify"
    var applicant: String
    /// The approve and review tasks' states: `succeeded` for the branch that ran, `skipped` for the other.
    var approved: String
    var reviewed: String
    struct Output: Codable, Sendable { var applicant: String; var message: String }
    func run(context: JobContext) async throws -> Output {
        let message =
            approved == "succeeded" ? "approved" : reviewed == "succeeded" ? "sent to manual review" : "declined"
        return Output(applicant: applicant, message: message)
    }
}

// MARK: etl.yaml: extract -> validate -> transform each chunk -> load

struct ETLExtract: Job {
    static let name = "etl.extract"
    var table: String
    var chunkSize: Int?
    enum CodingKeys: String, CodingKey { case table, chunkSize = "chunk_size" }
    struct Output: Codable, Sendable {
        var rowCount: Int
        var chunks: [[Int]]
        enum CodingKeys: String, CodingKey { case rowCount = "row_count", chunks }
    }
    func run(context: JobContext) async throws -> Output {
        let rows = Array(1...10)
        let size = max(1, chunkSize ?? 4)
        let chunks = stride(from: 0, to: rows.count, by: size).map { Array(rows[$0..<min($0 + size, rows.count)]) }
        return Output(rowCount: rows.count, chunks: chunks)
    }
}

struct ETLValidate: Job {
    static let name = "etl.validate"
    var rows: Int
    struct Output: Codable, Sendable { var ok: Bool }
    func run(context: JobContext) async throws -> Output { Output(ok: rows > 0) }
}

struct ETLTransform: Job {
    static let name = "etl.transform"
    var chunk: [Int]
    var n: Int
    func run(context: JobContext) async throws -> [Int] {
        context.reportProgress(step: n + 1, of: nil, message: "chunk \(n)")
        return chunk.map { $0 * 100 }
    }
}

struct ETLLoad: Job {
    static let name = "etl.load"
    var table: String
    var chunks: [[Int]]
    struct Output: Codable, Sendable { var table: String; var rows: Int }
    func run(context: JobContext) async throws -> Output { Output(table: table, rows: chunks.reduce(0) { $0 + $1.count }) }
}

// MARK: payment-saga.yaml: reserve, charge, ship; refund and release when shipping fails

struct InventoryReserve: Job {
    static let name = "inventory.reserve"
    var order: Int
    var sku: String
    struct Output: Codable, Sendable { var reservation: String }
    func run(context: JobContext) async throws -> Output { Output(reservation: "R-\(order)-\(sku)") }
}

struct InventoryRelease: Job {
    static let name = "inventory.release"
    var reservation: String
    struct Output: Codable, Sendable { var released: String }
    func run(context: JobContext) async throws -> Output { Output(released: reservation) }
}

struct PaymentCharge: Job {
    static let name = "payment.charge"
    var order: Int
    var amount: Double
    struct Output: Codable, Sendable {
        var chargeID: String
        var amount: Double
        enum CodingKeys: String, CodingKey { case chargeID = "charge_id", amount }
    }
    func run(context: JobContext) async throws -> Output { Output(chargeID: "C-\(order)", amount: amount) }
}

struct PaymentRefund: Job {
    static let name = "payment.refund"
    var charge: String
    var amount: Double
    struct Output: Codable, Sendable { var refunded: String; var amount: Double }
    func run(context: JobContext) async throws -> Output { Output(refunded: charge, amount: amount) }
}

struct ShippingShip: Job {
    static let name = "shipping.ship"
    var order: Int
    var address: String
    struct Output: Codable, Sendable { var tracking: String }
    func run(context: JobContext) async throws -> Output {
        // "nowhere" stands for an address the carrier refuses: the saga compensates.
        guard address != "nowhere", !address.isEmpty else {
            throw PermanentJobError("shipping.ship: the carrier refused the address '\(address)'")
        }
        return Output(tracking: "T-\(order)")
    }
}

// MARK: report-batch.yaml: one report per account, then a summary

struct ReportAccounts: Job {
    static let name = "report.accounts"
    struct Output: Codable, Sendable { var ids: [String] }
    func run(context: JobContext) async throws -> Output { Output(ids: (1...8).map { "acct-\($0)" }) }
}

struct ReportBuild: Job {
    static let name = "report.build"
    var account: String
    var position: Int
    struct Output: Codable, Sendable { var account: String; var pages: Int }
    func run(context: JobContext) async throws -> Output {
        // acct-3 has no data: its report fails for good (a permanent error is not retried); the
        // batch tolerates up to 2 failures and the summary still runs.
        if account == "acct-3" { throw PermanentJobError("report.build: no data for \(account)") }
        return Output(account: account, pages: position + 1)
    }
}

struct ReportSummarize: Job {
    static let name = "report.summarize"
    /// One entry per account: a report's output, or null where it failed.
    var reports: [ReportBuild.Output?]
    struct Output: Codable, Sendable { var built: Int; var missing: Int; var pages: Int }
    func run(context: JobContext) async throws -> Output {
        let built = reports.compactMap { $0 }
        return Output(built: built.count, missing: reports.count - built.count, pages: built.reduce(0) { $0 + $1.pages })
    }
}

// MARK: a plain job

struct ChargeCard: Job {
    static let name = "billing.charge-card"
    var order: Int
    var cents: Int
    struct Output: Codable, Sendable { var order: Int; var charged: Int }
    func run(context: JobContext) async throws -> Output {
        guard cents > 0 else { throw PermanentJobError("billing.charge-card: cents must be positive, not \(cents)") }
        return Output(order: order, charged: cents)
    }
}
