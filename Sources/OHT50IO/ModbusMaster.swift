internal import CModbus
import FoundationEssentials
import OHT50Core

#if canImport(Glibc)
import Glibc
#endif

/// A Modbus master over libmodbus (RTU, or TCP for bench gateways). Not thread-safe, like the libmodbus
/// context it owns: one thread (the bus thread, or rs485-probe) uses it.
///
/// Differences from libmodbus' defaults, all deliberate: the response timeout comes from config (20 ms,
/// not 500 ms); no retries; the inter-frame gap t3.5 is enforced here because libmodbus does not; the
/// port is opened exclusively (flock + TIOCEXCL).
///
/// RTU has no transaction id: a reply is matched to its request only by arriving in time. So before
/// every request the line must have been quiet for t3.5 — bytes that arrived while nobody waited for
/// them (a reply after its timeout, noise) are discarded and counted, and the gap starts again — and
/// after a failure that shows the line may be out of step (a frame that was not the answer, a garbled
/// one, or a timeout this thread overslept), it must stay quiet for a whole response timeout first.
/// Without this, one late reply shifts every following answer by one request: libmodbus refuses
/// another slave's reply, but takes the same slave's previous answer to the same read as current data.
public final class ModbusMaster: @unchecked Sendable {
    private let context: OpaquePointer
    public let port: String
    /// t3.5 at the line's baud rate, never below the spec's 1.75 ms.
    public let gapNs: UInt64
    private let responseTimeoutNs: UInt64
    private var lastEnd: UInt64 = 0
    /// The line has to stay quiet until this time before the next request (0: just t3.5 after `lastEnd`).
    private var quietUntil: UInt64 = 0
    /// How long the last transaction took on the wire, without the inter-frame gap waited before it.
    public private(set) var lastTransactionNs: UInt64 = 0
    /// Bytes nobody was waiting for, discarded around the last transaction (before its request, and after
    /// it when it failed): a reply that came after its transaction had ended (timeout too short for that
    /// module, or a pause of this thread), or noise. A late frame that libmodbus itself read while waiting
    /// for another answer is not among them: it is that transaction's failure (another slave's reply).
    public private(set) var lastDiscardedBytes = 0
    /// Where discarded bytes are read to: they are read, never flushed, so each one is counted (a flush
    /// after asking how many are waiting would drop uncounted whatever arrives in between).
    private let drain = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 1)
    private var connected = false

    public convenience init(settings: BusSettings) throws(BusOpenError) {
        let parity: CChar =
            switch settings.parity {
            case .none: CChar(UInt8(ascii: "N"))
            case .even: CChar(UInt8(ascii: "E"))
            case .odd: CChar(UInt8(ascii: "O"))
            }
        guard let context = modbus_new_rtu(settings.port, Int32(settings.baud), parity, Int32(settings.dataBits), Int32(settings.stopBits))
        else {
            let e = errno
            throw .unusable(port: settings.port, reason: String(cString: modbus_strerror(e)), errno: e)
        }
        // The Modbus serial-line spec's character is 11 bits (start, 8 data, parity or a second stop bit,
        // stop), and slaves time t3.5 in it (DESIGN: 95.5 µs at 115200); an 8N1 line's 10 would leave
        // them 9 % short of the silence they wait for at 19200 baud and below.
        let bits = max(11, 1 + settings.dataBits + (settings.parity == .none ? 0 : 1) + settings.stopBits)
        let character = 1e9 * Double(bits) / Double(settings.baud)
        try self.init(
            context: context, port: settings.port, gapNs: max(1_750_000, UInt64(3.5 * character)),
            responseTimeoutMs: settings.responseTimeoutMs)
    }

    /// Modbus TCP (a bench gateway): no inter-frame gap on the wire.
    public convenience init(host: String, port: Int, responseTimeoutMs: Int) throws(BusOpenError) {
        guard let context = modbus_new_tcp(host, Int32(port)) else {
            throw .unusable(port: "\(host):\(port)", reason: String(cString: modbus_strerror(errno)))
        }
        try self.init(context: context, port: "\(host):\(port)", gapNs: 0, responseTimeoutMs: responseTimeoutMs)
    }

    private init(context: OpaquePointer, port: String, gapNs: UInt64, responseTimeoutMs: Int) throws(BusOpenError) {
        self.context = context
        self.port = port
        self.gapNs = gapNs
        self.responseTimeoutNs = UInt64(responseTimeoutMs) * 1_000_000
        // From here on deinit releases the context, also when this initializer throws.
        if gapNs > 0 && !FileManager.default.fileExists(atPath: port) {
            throw .unusable(port: port, reason: "no such device", errno: ENOENT)
        }
        guard modbus_connect(context) == 0 else {
            let error = errno
            if error == EBUSY { throw .busy(port: port, holder: PortHolder.describe(port)) }
            throw .unusable(port: port, reason: String(cString: modbus_strerror(error)), errno: error)
        }
        connected = true
        if gapNs > 0 {
            let fd = modbus_get_socket(context)
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                throw .busy(port: port, holder: PortHolder.describe(port))
            }
            _ = ioctl(fd, UInt(TIOCEXCL))
            // Auto-direction transceivers need no RTS toggling; on a pty or USB adapter the RS485
            // ioctl fails with ENOTTY, which is normal.
            _ = modbus_rtu_set_serial_mode(context, MODBUS_RTU_RS485)
        }
        let timeout = UInt32(responseTimeoutMs)
        modbus_set_response_timeout(context, timeout / 1000, (timeout % 1000) * 1000)
        modbus_set_byte_timeout(context, timeout / 1000, (timeout % 1000) * 1000)
        modbus_set_error_recovery(context, MODBUS_ERROR_RECOVERY_NONE)
    }

    deinit {
        if connected { modbus_close(context) }
        modbus_free(context)
        drain.deallocate()
    }

    /// FC03 (holding) or FC04 (input) into `buffer`, which holds at least `count` registers.
    public func read(address: UInt8, inputRegisters: Bool = false, start: UInt16, count: Int, into buffer: UnsafeMutablePointer<UInt16>)
        -> TransactionOutcome
    {
        transact(address) {
            inputRegisters
                ? modbus_read_input_registers(context, Int32(start), Int32(count), buffer)
                : modbus_read_registers(context, Int32(start), Int32(count), buffer)
        }
    }

    /// FC06 for one register, FC16 for several.
    public func write(address: UInt8, start: UInt16, values: UnsafeBufferPointer<UInt16>) -> TransactionOutcome {
        transact(address) {
            values.count == 1
                ? modbus_write_register(context, Int32(start), values[0])
                : modbus_write_registers(context, Int32(start), Int32(values.count), values.baseAddress)
        }
    }

    public func write(address: UInt8, start: UInt16, values: [UInt16]) -> TransactionOutcome {
        values.withUnsafeBufferPointer { write(address: address, start: start, values: $0) }
    }

    private func transact(_ address: UInt8, _ body: () -> Int32) -> TransactionOutcome {
        lastDiscardedBytes = waitForQuietLine()
        modbus_set_slave(context, Int32(address))
        let started = MonotonicClock.now()
        let result = body()
        let error = errno
        lastEnd = MonotonicClock.now()
        lastTransactionNs = lastEnd - started
        if result >= 0 { return .ok }
        let outcome = Self.classify(error)
        // libmodbus 3.1.6 waits for an answer even to a broadcast; silence is the correct answer there.
        if address == RTUCodec.broadcastAddress && outcome == .timeout { return .ok }
        if Self.mayBeOutOfStep(outcome, tookNs: lastTransactionNs, timeoutNs: responseTimeoutNs) {
            quietUntil = lastEnd + responseTimeoutNs
        }
        if gapNs > 0 {
            // What is already here after a failure is no answer any more; the quiet wait before the next
            // request catches what arrives after it.
            lastDiscardedBytes += discardPendingInput()
        } else {
            // Modbus TCP: its stale answers would be refused one by one, each costing a transaction.
            modbus_flush(context)
        }
        return outcome
    }

    /// Whether the answer to the failed request may still arrive: a frame that was not it (another
    /// slave's, or one libmodbus refused) or a garbled one, or a timeout that took half as long again as
    /// the timeout — this thread was not running when it expired, so it proves nothing about the slave.
    /// A plain timeout is a silent slave; waiting after it would slow comm-loss detection for nothing.
    static func mayBeOutOfStep(_ outcome: TransactionOutcome, tookNs: UInt64, timeoutNs: UInt64) -> Bool {
        switch outcome {
        case .crc, .other: true
        case .timeout: tookNs > timeoutNs + timeoutNs / 2
        case .ok, .exception, .portLost: false
        }
    }

    /// Sleeps until the line has been quiet for t3.5 (or until `quietUntil`), discarding what arrived
    /// meanwhile and starting the gap again after it. A line that never goes quiet is given one response
    /// timeout, then the request goes out anyway. Returns the bytes discarded.
    private func waitForQuietLine() -> Int {
        guard gapNs > 0 else { return 0 }
        var due = max(lastEnd + gapNs, quietUntil)
        let giveUp = max(due, MonotonicClock.now()) + responseTimeoutNs
        quietUntil = 0
        var discarded = 0
        while true {
            MonotonicClock.sleep(until: due)
            let dropped = discardPendingInput()
            guard dropped > 0 else { return discarded }
            discarded += dropped
            let now = MonotonicClock.now()
            if now >= giveUp { return discarded }
            due = now + gapNs
        }
    }

    /// Reads and drops every byte received and not yet read; returns how many. Reads only as many as the
    /// port says are waiting, so it never blocks, whatever the descriptor's mode.
    private func discardPendingInput() -> Int {
        let fd = modbus_get_socket(context)
        var discarded = 0
        while true {
            let pending = pendingInputBytes
            guard pending > 0 else { return discarded }
            let got = Glibc.read(fd, drain.baseAddress, min(pending, drain.count))
            guard got > 0 else { return discarded }
            discarded += got
        }
    }

    /// Bytes received and not yet read (0 on TCP or when the port cannot say).
    package var pendingInputBytes: Int {
        guard gapNs > 0 else { return 0 }
        var pending: Int32 = 0
        return ioctl(modbus_get_socket(context), UInt(FIONREAD), &pending) == 0 ? Int(pending) : 0
    }

    static func classify(_ error: Int32) -> TransactionOutcome {
        let base = Int32(MODBUS_ENOBASE)
        switch error {
        case ETIMEDOUT: return .timeout
        case base + 1...base + 0x0B: return .exception(UInt8(error - base))
        case base + 0x0C: return .crc
        case EIO, ENXIO, ENODEV, EBADF, EPIPE, ECONNRESET: return .portLost(error)
        default: return .other(error)
        }
    }
}
