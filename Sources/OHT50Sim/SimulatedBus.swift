import FoundationEssentials
import OHT50Core
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Simulated modules on one multi-drop RTU line over a pty. Frames are cut with Core's codec: a frame
/// for an absent address, a broadcast, or a frame with a bad CRC gets silence, and the next frame is
/// still answered (unlike libmodbus' server, which swallows it).
public final class SimulatedBus: @unchecked Sendable {
    public let terminal: PseudoTerminal
    private let modules: Mutex<[UInt8: SimulatedModule]>
    private let running = Atomic<Bool>(true)
    /// One character at the configured baud rate: replies are not paced, but gaps are measured in it.
    private let characterSeconds: Double
    package let frameCounts = Mutex<(requests: Int, answered: Int, ignored: Int)>((0, 0, 0))
    /// Told what a module did by itself, e.g. a drive whose host watchdog stopped it (`oht50-sim` prints it).
    private let notice: @Sendable (String) -> Void

    public init(
        modules list: [SimulatedModule], link: String? = nil, baud: Int = 115_200, notice: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        self.notice = notice
        terminal = try PseudoTerminal(link: link)
        modules = Mutex(Dictionary(uniqueKeysWithValues: list.map { ($0.address, $0) }))
        characterSeconds = 11.0 / Double(baud)
        DetachedThread.start(name: "oht50-sim-bus") { [self] in serve() }
    }

    deinit { running.store(false, ordering: .releasing) }

    public func stop() { running.store(false, ordering: .releasing) }

    /// Runs `body` on a module with the bus paused, e.g. to inject a fault.
    @discardableResult
    public func withModule<T: Sendable>(_ address: UInt8, _ body: (SimulatedModule) -> T) -> T? {
        modules.withLock { modules -> T? in
            guard let module = modules[address] else { return nil }
            return body(module)
        }
    }

    public var addresses: [UInt8] { modules.withLock { $0.keys.sorted() } }

    private func serve() {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        var lastTick = Date()
        // t3.5 at the configured baud, at least 1.75 ms (the spec's floor above 19200 baud).
        let gapMs = Int32(max(2, (3.5 * characterSeconds * 1000).rounded(.up)))
        while running.load(ordering: .acquiring) {
            var fds = pollfd(fd: terminal.masterFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, buffer.isEmpty ? 10 : gapMs)
            if ready == 0 && buffer.isEmpty { terminal.clearExclusive() }
            let now = Date()
            let seconds = now.timeIntervalSince(lastTick)
            if seconds >= 0.01 {
                let stopped = modules.withLock { modules in
                    modules.values.filter { m in
                        let before = m.hostWatchdogExpired
                        m.tick(seconds: seconds)
                        return !before && m.hostWatchdogExpired
                    }.map {
                        "host watchdog expired: \($0.type.rawValue)@\($0.address) stopped itself (enable 0, speed 0; it was \($0.hostWatchdogStoppedFrom))"
                    }
                }
                stopped.forEach(notice)
                lastTick = now
            }
            if ready > 0 {
                let n = read(terminal.masterFD, &chunk, chunk.count)
                if n > 0 { buffer += chunk[0..<n] }
            } else if ready == 0 && !buffer.isEmpty {
                // Silence longer than t3.5 ends whatever partial frame is pending: drop it.
                buffer.removeAll()
                frameCounts.withLock { $0.ignored += 1 }
            }
            while let frame = nextFrame(&buffer) { answer(frame) }
        }
    }

    /// Cuts the first complete frame off the buffer; a frame with an unknown function code is dropped
    /// with everything after it (resynchronisation happens at the next gap).
    private func nextFrame(_ buffer: inout [UInt8]) -> ArraySlice<UInt8>? {
        switch Self.cutFrame(&buffer) {
        case .frame(let frame): return frame
        case .garbage:
            frameCounts.withLock { $0.ignored += 1 }
            return nil
        case .incomplete: return nil
        }
    }

    enum Cut { case frame(ArraySlice<UInt8>), garbage, incomplete }

    /// The framing alone, without counting (the fuzz target drives it with hostile bytes).
    static func cutFrame(_ buffer: inout [UInt8]) -> Cut {
        guard let length = RTUCodec.requestLength(prefix: buffer[...]) else { return .incomplete }
        switch length {
        case .failure:
            buffer.removeAll()
            return .garbage
        case .success(let n):
            guard buffer.count >= n else { return .incomplete }
            let frame = buffer[0..<n]
            buffer.removeFirst(n)
            return .frame(frame)
        }
    }

    private func answer(_ frame: ArraySlice<UInt8>) {
        frameCounts.withLock { $0.requests += 1 }
        guard case .success(let (address, request)) = RTUCodec.decodeRequest(frame) else {
            frameCounts.withLock { $0.ignored += 1 }
            return
        }
        let plan: (reply: [UInt8], delayMs: Int, junk: Int)? = modules.withLock { modules in
            if address == RTUCodec.broadcastAddress {
                for m in modules.values {
                    switch request {
                    case .writeSingleRegister(let a, let v): m.write(a, [v])
                    case .writeMultipleRegisters(let a, let vs): m.write(a, vs)
                    default: break
                    }
                }
                return nil
            }
            guard let module = modules[address], !module.faults.offline else { return nil }
            if module.faults.writes == .unanswered, request.isWrite { return nil }
            var reply = module.reply(to: request)
            if module.nextReplyIsCorrupt() { reply[reply.count - 1] ^= 0xFF }
            return (reply, module.faults.delayMs, module.faults.junkBytes)
        }
        guard let plan else {
            frameCounts.withLock { $0.ignored += 1 }
            return
        }
        if plan.delayMs > 0 { usleep(UInt32(plan.delayMs) * 1_000) }
        var bytes = [UInt8](repeating: 0xA5, count: plan.junk) + plan.reply
        _ = bytes.withUnsafeMutableBytes { write(terminal.masterFD, $0.baseAddress, $0.count) }
        frameCounts.withLock { $0.answered += 1 }
    }
}
