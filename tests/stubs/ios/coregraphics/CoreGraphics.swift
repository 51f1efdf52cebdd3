// Compile stub of the parts of Apple's Core Graphics that generated packages use, written from the Swift
// interface Xcode shows for CoreGraphics (iOS 17 / macOS 14 SDKs). Linux has no Core Graphics: the compile
// test adds this file as a local `CoreGraphics` module to a copy of the generated package. Never shipped.
//
// The geometry types (CGFloat, CGPoint, CGSize, CGRect) are Foundation's on Linux, as CoreGraphics' are
// re-exported by Foundation on Apple platforms; they are re-exported here under the same names.
@_exported import struct Foundation.CGFloat
@_exported import struct Foundation.CGPoint
@_exported import struct Foundation.CGRect
@_exported import struct Foundation.CGSize

/// `CGImageAlphaInfo` (a `UInt32` enum in C): where alpha is and whether it is premultiplied.
public enum CGImageAlphaInfo: UInt32, Sendable {
    case none = 0
    case premultipliedLast = 1
    case premultipliedFirst = 2
    case last = 3
    case first = 4
    case noneSkipLast = 5
    case noneSkipFirst = 6
    case alphaOnly = 7
}

/// `CGInterpolationQuality` (an `Int32` enum in C).
public enum CGInterpolationQuality: Int32, Sendable {
    case `default` = 0
    case none = 1
    case low = 2
    case medium = 4
    case high = 3
}

/// A Core Foundation type in C (`CGColorSpaceRef`).
public final class CGColorSpace {
    init() {}
}

public func CGColorSpaceCreateDeviceRGB() -> CGColorSpace {
    fatalError("stub")
}

/// A Core Foundation type in C (`CGImageRef`).
public final class CGImage {
    init() {}
    public var width: Int { fatalError("stub") }
    public var height: Int { fatalError("stub") }
}

/// A Core Foundation type in C (`CGContextRef`); here only the bitmap context.
public final class CGContext {
    /// `CGBitmapContextCreate`: `nil` for an unsupported combination of parameters.
    public init?(
        data: UnsafeMutableRawPointer?, width: Int, height: Int, bitsPerComponent: Int, bytesPerRow: Int,
        space: CGColorSpace, bitmapInfo: UInt32
    ) {
        fatalError("stub")
    }

    public var interpolationQuality: CGInterpolationQuality {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }

    /// `CGContextDrawImage` (`byTiling: true` is `CGContextDrawTiledImage`).
    public func draw(_ image: CGImage, in rect: CGRect, byTiling: Bool = false) {
        fatalError("stub")
    }

    /// `CGBitmapContextCreateImage`: a copy of the context's pixels.
    public func makeImage() -> CGImage? {
        fatalError("stub")
    }
}
