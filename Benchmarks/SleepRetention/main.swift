// What a cancelled Task.sleep keeps: races N tasks that answer at once against a 120 s
// Task.sleep (cancelled when the answer comes), the way a per-request timeout watchdog does,
// and prints VmRSS before and after. `deadlines` does the same with ProxyCore's Deadlines,
// `none` without any timer. See docs/benchmarks.md, "RSS under load".
//   swift run -c release sleep-retention 200000 sleep|deadlines|none
import KeycloakAdmin

#if canImport(Glibc)
import Glibc
#endif

/// VmRSS of this process, in MiB.
func residentMiB() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return -1 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            return (Int(text.split(separator: " ")[1]) ?? -1) / 1024
        }
    }
    return -1
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[1]), ["sleep", "deadlines", "none"].contains(arguments[2]) else {
    print("usage: sleep-retention COUNT sleep|deadlines|none")
    exit(2)
}
let mode = arguments[2]
let before = residentMiB()
for _ in 0..<count {
    await withTaskGroup(of: Int?.self) { group in
        group.addTask { 1 }
        group.addTask {
            switch mode {
            case "sleep": try? await Task.sleep(for: .seconds(120))
            case "deadlines": await Deadlines.shared.expire(after: .seconds(120))
            default: break
            }
            return nil
        }
        _ = await group.next()
        group.cancelAll()
    }
}
print("\(count) calls, \(mode): VmRSS \(before) MiB -> \(residentMiB()) MiB")
