import OHT50Core

@testable import OHT50IO

/// Any text as /etc/oht50/firmware.yaml: parsed and validated as `oht50d run` and `check-config` do.
/// Whatever it is, the answer is a config or a ConfigError naming the file and a line — never a crash or
/// another kind of error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let root = try YAMLConfigDocument.parse(text, path: "/etc/oht50/firmware.yaml")
        _ = try FirmwareConfig.decode(root)
    } catch let error as ConfigError {
        let told = error.description
        precondition(told.contains("firmware.yaml") || told.contains("built-in"), "the error does not say where: \(told)")
        precondition(!error.problem.isEmpty && !error.allowed.isEmpty, "the error does not say what is wrong or allowed: \(told)")
    } catch {
        preconditionFailure("not a ConfigError: \(type(of: error)) \(error)")
    }
    return 0
}
