import Foundation
import OHT50Core
import OHT50IO
import OHT50Sim
import Synchronization

/// What the daemon's bus thread and rs485-probe do with the bytes a module sends back: the real
/// `ModbusMaster` (libmodbus, the quiet-line wait) on a pty sends a read (FC03) or a write (FC06) to
/// module 2, and a responder thread answers every request with the fuzz input. First byte: bit 7 picks
/// the write, bits 0–3 the read's count − 1; the rest is the reply. A read that ends `ok` must have
/// read exactly the registers of a well-formed reply at the start of the input; a write that ends `ok`
/// must have had a well-formed echo. Anything else must end as timeout, crc, exception or other.
final class Line: @unchecked Sendable {
    let pty: PseudoTerminal
    let master: ModbusMaster
    let reply = Mutex<[UInt8]>([])

    init() {
        pty = try! PseudoTerminal()
        var settings = BusSettings()
        settings.port = pty.slavePath
        settings.responseTimeoutMs = 5
        master = try! ModbusMaster(settings: settings)
        Thread.detachNewThread { [self] in answer() }
    }

    /// Reads one 8-byte request at a time from the line and writes the current reply after it.
    private func answer() {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let n = read(pty.masterFD, &chunk, chunk.count)
            guard n > 0 else { continue }
            request += chunk[0..<n]
            while request.count >= 8 {
                request.removeFirst(8)
                var bytes = reply.withLock { $0 }
                _ = bytes.withUnsafeMutableBytes { write(pty.masterFD, $0.baseAddress, $0.count) }
            }
        }
    }
}

let line = Line()
nonisolated(unsafe) let buffer = UnsafeMutablePointer<UInt16>.allocate(capacity: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModbusReply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let control = bytes.first, bytes.count <= 512 else { return 0 }
    let reply = Array(bytes.dropFirst())
    line.reply.withLock { $0 = reply }
    if control & 0x80 != 0 {
        let outcome = line.master.write(address: 2, start: 0x0011, values: [0x1234])
        if outcome == .ok {
            precondition(
                reply.count >= 8 && reply[0] == 2 && reply[1] == 0x06 && ModbusCRC.isValid(Array(reply.prefix(8))),
                "write accepted with the reply \(reply)")
        }
    } else {
        let count = Int(control & 0x0F) + 1
        buffer.update(repeating: 0xDEAD, count: 16)
        let outcome = line.master.read(address: 2, start: 0x0000, count: count, into: buffer)
        if outcome == .ok {
            let frame = Array(reply.prefix(5 + 2 * count))
            precondition(
                frame.count == 5 + 2 * count && frame[0] == 2 && frame[1] == 0x03 && Int(frame[2]) == 2 * count
                    && ModbusCRC.isValid(frame), "read of \(count) accepted the reply \(reply)")
            for i in 0..<count {
                precondition(buffer[i] == UInt16(frame[3 + 2 * i]) << 8 | UInt16(frame[4 + 2 * i]), "register \(i) is not the reply's")
            }
        }
    }
    return 0
}
