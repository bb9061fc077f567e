import Hummingbird
import Steward

/// `/api/v1/workers`: the worker processes on this store, online, stopped and gone.
extension StewardAPI {
    func addWorkerRoutes(_ api: RouterGroup<StewardRequestContext>) {
        let workers = WorkerAdmin(store: store)
        route(api, .get, "workers") { _, _ in JSONResponse.make(try await workers.list()) }
    }
}
