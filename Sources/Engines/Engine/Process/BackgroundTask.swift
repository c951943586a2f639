// BackgroundTask: runs one closure on its own thread and hands back its result (or error) on `join`.
// Used to overlap independent work with a streaming dump (row counts inside the dump's snapshot).
import Foundation

final class BackgroundTask<Value>: @unchecked Sendable {
    // `result` is written once by the worker before `done` is signalled and read only after `join` waited.
    private var result: Result<Value, Error>?
    private let done = DispatchSemaphore(value: 0)

    /// `stackSize` (bytes) for threads that only wait in a system call, of which there may be thousands.
    init(name: String, stackSize: Int? = nil, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            result = Result { try work() }
            done.signal()
        }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }

    func join() throws -> Value {
        done.wait()
        done.signal()
        guard let result else { preconditionFailure("background task finished without a result") }
        return try result.get()
    }
}
