// HOST STAND-IN (sdkgen host runs, never shipped in an SDK): the client side of sdkgen.hostrun.bridge, the Python
// process that runs the very `.pte` through ExecuTorch's own C++ runtime (its pybindings, with the LLM custom
// ops and quantized kernels). One bridge serves the whole test process; it is started on first use from
// $SDKGEN_HOSTRUN_PYTHON with PYTHONPATH=$SDKGEN_HOSTRUN_PYTHONPATH, its stderr goes to $SDKGEN_HOSTRUN_LOG
// when set. Frames: little-endian int32 length + payload; replies start with int32 status + string message.

import Foundation

final class HostFrame {
  private(set) var data = Data()

  @discardableResult func byte(_ v: Int8) -> HostFrame { append(v) }
  @discardableResult func int(_ v: Int32) -> HostFrame { append(v.littleEndian) }
  @discardableResult func long(_ v: Int64) -> HostFrame { append(v.littleEndian) }
  @discardableResult func double(_ v: Double) -> HostFrame { append(v.bitPattern.littleEndian) }
  @discardableResult func bytes(_ p: UnsafeRawPointer, _ count: Int) -> HostFrame {
    data.append(p.assumingMemoryBound(to: UInt8.self), count: count)
    return self
  }
  @discardableResult func string(_ s: String) -> HostFrame {
    let utf8 = Array(s.utf8)
    int(Int32(utf8.count))
    data.append(contentsOf: utf8)
    return self
  }

  private func append<T>(_ v: T) -> HostFrame {
    withUnsafeBytes(of: v) { data.append(contentsOf: $0) }
    return self
  }
}

struct HostReply {
  let status: Int
  let message: String
  var body: HostReader
}

struct HostReader {
  private let data: Data
  private var offset = 0

  init(_ data: Data) { self.data = data }

  mutating func take<T: FixedWidthInteger>(_: T.Type) -> T {
    let size = MemoryLayout<T>.size
    var v: T = 0
    _ = withUnsafeMutableBytes(of: &v) { data.copyBytes(to: $0, from: (data.startIndex + offset)..<(data.startIndex + offset + size)) }
    offset += size
    return T(littleEndian: v)
  }

  mutating func double() -> Double { Double(bitPattern: take(UInt64.self)) }

  mutating func raw(_ count: Int) -> Data {
    let out = data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + count))
    offset += count
    return out
  }

  mutating func string() -> String {
    let n = Int(take(Int32.self))
    return String(decoding: raw(n), as: UTF8.self)
  }
}

final class HostBridge {
  static let shared = HostBridge()

  private let lock = NSLock()
  private var process: Process?
  private var input: FileHandle?
  private var output: Int32 = -1

  /// Sends one request and waits for its reply; a bridge that cannot start or dies is an `.internal` reply.
  func call(_ build: (HostFrame) -> Void) -> HostReply {
    let frame = HostFrame()
    build(frame)
    lock.lock()
    defer { lock.unlock() }
    do {
      try start()
      var head = Int32(frame.data.count).littleEndian
      var message = Data(bytes: &head, count: 4)
      message.append(frame.data)
      try input!.write(contentsOf: message)
      var reader = HostReader(try readExactly(4))
      let reply = try readExactly(Int(reader.take(Int32.self)))
      var body = HostReader(reply)
      let status = Int(body.take(Int32.self))
      let text = body.string()
      return HostReply(status: status, message: text, body: body)
    } catch {
      return HostReply(status: 1, message: "sdkgen host bridge: \(error)", body: HostReader(Data()))
    }
  }

  private struct BridgeFailure: Swift.Error, CustomStringConvertible {
    let description: String
  }

  private func start() throws {
    if process != nil { return }
    let env = ProcessInfo.processInfo.environment
    guard let python = env["SDKGEN_HOSTRUN_PYTHON"], !python.isEmpty else {
      throw BridgeFailure(description: "SDKGEN_HOSTRUN_PYTHON is not set (the host run sets it)")
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = ["-m", "sdkgen.hostrun.bridge"]
    var childEnv = env
    if let path = env["SDKGEN_HOSTRUN_PYTHONPATH"] { childEnv["PYTHONPATH"] = path }
    p.environment = childEnv
    let stdin = Pipe()
    let stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    if let log = env["SDKGEN_HOSTRUN_LOG"], !log.isEmpty {
      _ = FileManager.default.createFile(atPath: log, contents: nil)
      p.standardError = FileHandle(forWritingAtPath: log)
    }
    try p.run()
    process = p
    input = stdin.fileHandleForWriting
    output = stdout.fileHandleForReading.fileDescriptor
  }

  private func readExactly(_ count: Int) throws -> Data {
    var out = Data(count: count)
    var got = 0
    while got < count {
      let n = out.withUnsafeMutableBytes { read(output, $0.baseAddress! + got, count - got) }
      if n <= 0 {
        throw BridgeFailure(description: "the bridge process ended (see the bridge log)")
      }
      got += n
    }
    return out
  }
}
