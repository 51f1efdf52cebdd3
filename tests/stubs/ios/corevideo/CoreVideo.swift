// Compile stub of the parts of Apple's Core Video that generated packages use, written from the Swift
// interface Xcode shows for CoreVideo (CVBuffer.h, CVImageBuffer.h, CVPixelBuffer.h, CVReturn.h, iOS 17 /
// macOS 14 SDKs). Linux has no Core Video: the compile test adds this file as a local `CoreVideo` module to a
// copy of the generated package. Never shipped.
//
// As in the SDK, C functions are imported `@discardableResult`, and `CVBuffer` (a Core Foundation type) is a
// class that is not `Sendable`.

/// MacTypes.h: a four-character code.
public typealias OSType = UInt32
public typealias FourCharCode = UInt32
/// CVBase.h.
public typealias CVOptionFlags = UInt64
/// CVReturn.h: `kCVReturnSuccess` or a negative error code.
public typealias CVReturn = Int32

public var kCVReturnSuccess: CVReturn { 0 }
public var kCVReturnInvalidArgument: CVReturn { -6661 }

/// `CVBufferRef`.
public class CVBuffer {
    init() {}
}

public typealias CVImageBuffer = CVBuffer
public typealias CVPixelBuffer = CVImageBuffer

public struct CVPixelBufferLockFlags: OptionSet, Sendable {
    public let rawValue: CVOptionFlags
    public init(rawValue: CVOptionFlags) { self.rawValue = rawValue }
    public static let readOnly = CVPixelBufferLockFlags(rawValue: 0x0000_0001)
}

// The 32-bit RGB formats (CVPixelBuffer.h: `kCVPixelFormatType_32ARGB = 0x00000020`, the others are the
// characters of their names) and the camera's default, which the package does not read.
public var kCVPixelFormatType_32ARGB: OSType { 0x0000_0020 }
public var kCVPixelFormatType_32BGRA: OSType { 0x4247_5241 }  // 'BGRA'
public var kCVPixelFormatType_32ABGR: OSType { 0x4142_4752 }  // 'ABGR'
public var kCVPixelFormatType_32RGBA: OSType { 0x5247_4241 }  // 'RGBA'
public var kCVPixelFormatType_420YpCbCr8BiPlanarFullRange: OSType { 0x3432_3066 }  // '420f'

@discardableResult
public func CVPixelBufferLockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ lockFlags: CVPixelBufferLockFlags) -> CVReturn {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferUnlockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ unlockFlags: CVPixelBufferLockFlags) -> CVReturn {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferGetWidth(_ pixelBuffer: CVPixelBuffer) -> Int {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferGetHeight(_ pixelBuffer: CVPixelBuffer) -> Int {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferGetBytesPerRow(_ pixelBuffer: CVPixelBuffer) -> Int {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferGetPixelFormatType(_ pixelBuffer: CVPixelBuffer) -> OSType {
    fatalError("stub")
}

@discardableResult
public func CVPixelBufferGetBaseAddress(_ pixelBuffer: CVPixelBuffer) -> UnsafeMutableRawPointer? {
    fatalError("stub")
}
