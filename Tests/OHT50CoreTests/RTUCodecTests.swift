import Testing

@testable import OHT50Core

@Suite("Modbus RTU codec")
struct RTUCodecTests {
    @Test("CRC-16/MODBUS matches published vectors")
    func crcVectors() {
        // Modbus over Serial Line v1.02 §6.2.2 example frame, and the CRC-16/MODBUS check value.
        #expect(ModbusCRC.compute([0x01, 0x03, 0x00, 0x00, 0x00, 0x0A]) == 0xCDC5)
        #expect(ModbusCRC.compute(Array("123456789".utf8)) == 0x4B37)
        #expect(ModbusCRC.appending(to: [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A]).suffix(2) == [0xC5, 0xCD])
        #expect(ModbusCRC.isValid([0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD]))
        #expect(!ModbusCRC.isValid([0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCE]))
    }

    @Test(
        "requests round-trip through encode and decode",
        arguments: [
            ModbusRequest.readHoldingRegisters(start: 0x00F0, count: 16), .readInputRegisters(start: 1, count: 125),
            .writeSingleRegister(address: 0x0006, value: 1), .writeMultipleRegisters(start: 0x0001, values: [1, 255]),
        ])
    func roundTrip(request: ModbusRequest) throws {
        let frame = RTUCodec.encode(request, address: 3)
        #expect(try RTUCodec.requestLength(prefix: frame[...])?.get() == frame.count)
        let decoded = try RTUCodec.decodeRequest(frame[...]).get()
        #expect(decoded.address == 3)
        #expect(decoded.request == request)
    }

    @Test("a damaged frame is rejected, never misread")
    func damaged() {
        var frame = RTUCodec.encode(.readHoldingRegisters(start: 0, count: 9), address: 2)
        frame[3] ^= 0x01
        #expect(RTUCodec.decodeRequest(frame[...]).failure == .badCRC)
        #expect(RTUCodec.requestLength(prefix: [0x02, 0x2B][...])?.failure == .unsupportedFunction(0x2B))
        #expect(RTUCodec.requestLength(prefix: [0x02][...]) == nil)
    }

    @Test("responses: reads carry a byte count, writes echo, exceptions set the high bit")
    func responses() {
        #expect(RTUCodec.encodeReadResponse(address: 2, function: 3, registers: [0x00F1]).prefix(5) == [2, 3, 2, 0x00, 0xF1])
        #expect(RTUCodec.encodeException(address: 3, function: 3, exception: .illegalDataAddress).prefix(3) == [3, 0x83, 2])
        let request = ModbusRequest.writeMultipleRegisters(start: 1, values: [0, 0])
        #expect(RTUCodec.encodeWriteResponse(address: 3, request: request).prefix(6) == [3, 0x10, 0, 1, 0, 2])
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

@Suite("Register maps")
struct RegisterMapTests {
    @Test("power values decode with units; alarm bits 0–3 trip, 4–5 do not")
    func power() {
        var registers = [UInt16](repeating: 0, count: 9)
        registers[0] = 241
        registers[2] = 305
        let values = RegisterMap.power.decode(registers)
        #expect(values.first { $0.name == "voltage" }.map { ($0.value, $0.unit) } ?? (0, "") == (24.1, "V"))
        #expect(values.first { $0.name == "temperature" }?.unit == "°C")
        #expect(values.first { $0.name == "temperature" }?.value == 30.5)
        #expect(RegisterMap.power.alarm(in: registers) == nil)
        #expect(!Self.trips(.power, registers))
        registers[8] = 0b110000
        #expect(RegisterMap.power.alarm(in: registers) == nil)
        #expect(!Self.trips(.power, registers))
        registers[8] = 0b1001
        #expect(RegisterMap.power.alarm(in: registers) == "power alarm: over_voltage, over_temperature")
        #expect(Self.trips(.power, registers))
    }

    /// The bus thread's allocation-free test, which must agree with the named alarm.
    static func trips(_ map: RegisterMap, _ registers: [UInt16]) -> Bool {
        registers.withUnsafeBufferPointer { map.hasAlarm(in: $0) }
    }

    @Test("signed fields decode as two's complement: -0.5 °C is -0.5, not 6553.1; unsigned fields keep 0–65535")
    func signedFields() {
        var registers = [UInt16](repeating: 0, count: 9)
        registers[0] = 0xFFFB
        registers[2] = 0xFFFB
        let values = RegisterMap.power.decode(registers)
        #expect(values.first { $0.name == "temperature" }?.value == -0.5)
        #expect(values.first { $0.name == "temperature" }?.raw == 0xFFFB)
        #expect(values.first { $0.name == "voltage" }?.value == 6553.1)
    }

    @Test("a drive error register on either channel trips")
    func motor() {
        var registers = [UInt16](repeating: 0, count: 0x1D)
        #expect(RegisterMap.motor.alarm(in: registers) == nil)
        #expect(!Self.trips(.motor, registers))
        registers[0x1C] = 3
        #expect(RegisterMap.motor.alarm(in: registers) == "motor 2 error 3")
        #expect(Self.trips(.motor, registers))
        registers[0x1C] = 0
        registers[0x0C] = 1
        #expect(Self.trips(.motor, registers))
        // 13 per channel and the module-wide host watchdog (0x0D), which is writable and in the poll.
        #expect(RegisterMap.motor.fields.count == 27)
        let watchdog = RegisterMap.motor.fields.first { $0.address == RegisterMap.motorHostWatchdogRegister }
        #expect(watchdog?.writable == true && watchdog?.name == "host_watchdog_ms")
        #expect(RegisterMap.motor.pollStart <= 0x0D && 0x0D < RegisterMap.motor.pollStart + RegisterMap.motor.pollCount)
    }

    @Test("the identity block decodes name, versions, serial and build date")
    func identity() throws {
        let block = try #require(
            IdentityBlock(registers: [0x5003, 0x0102, 0, 0, 0, 7, 0, 3, 0x4D4F, 0x544F, 0x0100, 1, 3000, 2025, 0x0115, 0]))
        #expect(block.moduleType == .motor)
        #expect(block.name == "MOTO")
        #expect(block.firmwareVersion == "1.2")
        #expect(block.serial == 68_536)
        #expect(block.buildDate == "2025-01-21")
        #expect(IdentityBlock(registers: [1, 2]) == nil)
    }
}
