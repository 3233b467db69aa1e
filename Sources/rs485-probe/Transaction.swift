import FoundationEssentials
import OHT50Core
import OHT50IO

#if canImport(Glibc)
import Glibc
#endif

/// One probe transaction: outcome, latency, registers; with the retries the technician asked for.
struct Transaction: Encodable {
    var ok: Bool
    var outcome: String
    var exceptionCode: UInt8?
    var latencyMs: Double
    var attempts: Int
    var registers: [UInt16]

    static func read(_ master: ModbusMaster, address: UInt8, start: UInt16, count: Int, inputRegisters: Bool = false, retries: Int = 0)
        -> Transaction
    {
        var registers = [UInt16](repeating: 0, count: count)
        return run(
            master, retries: retries, registers: { registers },
            {
                registers.withUnsafeMutableBufferPointer {
                    master.read(address: address, inputRegisters: inputRegisters, start: start, count: count, into: $0.baseAddress!)
                }
            })
    }

    static func write(_ master: ModbusMaster, address: UInt8, start: UInt16, values: [UInt16], retries: Int = 0) -> Transaction {
        run(master, retries: retries, registers: { values }, { master.write(address: address, start: start, values: values) })
    }

    private static func run(_ master: ModbusMaster, retries: Int, registers: () -> [UInt16], _ body: () -> TransactionOutcome)
        -> Transaction
    {
        var attempts = 0
        var outcome = TransactionOutcome.timeout
        var latency = 0.0
        repeat {
            attempts += 1
            outcome = body()
            latency = Double(master.lastTransactionNs) / 1e6
        } while outcome != .ok && attempts <= retries
        var code: UInt8?
        if case .exception(let c) = outcome { code = c }
        return Transaction(
            ok: outcome == .ok, outcome: outcome.className, exceptionCode: code, latencyMs: latency, attempts: attempts,
            registers: outcome == .ok ? registers() : [])
    }
}
