import Foundation

/// Number parsing straight from bytes for the common forms (`-12`, `3.25`); anything else (an
/// exponent, more than 15 digits) returns `nil` and takes Foundation's path. A decimal with at
/// most 15 significant digits divided by an exact power of ten is correctly rounded, so the
/// result equals `Double(text)`.
enum FastNumber {
    static let powers: [Double] = (0...22).map { pow(10, Double($0)) }

    @inline(__always)
    static func int(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if b[0] == 45 || b[0] == 43 {
            negative = b[0] == 45
            i = 1
        }
        guard i < b.count, b.count - i <= 18 else { return nil }
        var v: Int64 = 0
        while i < b.count {
            let d = b[i] &- 48
            guard d < 10 else { return nil }
            v = v * 10 + Int64(d)
            i += 1
        }
        return negative ? -v : v
    }

    @inline(__always)
    static func double(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if b[0] == 45 || b[0] == 43 {
            negative = b[0] == 45
            i = 1
        }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = 0
        var seenDot = false
        guard i < b.count else { return nil }
        while i < b.count {
            let c = b[i]
            if c == 46 {
                if seenDot { return nil }
                seenDot = true
            } else {
                let d = c &- 48
                guard d < 10 else { return nil }
                mantissa = mantissa * 10 + Int64(d)
                if mantissa > 0 || d > 0 { digits += 1 }
                if seenDot { fraction += 1 }
                guard digits <= 15 else { return nil }
            }
            i += 1
        }
        guard fraction <= 22, !(seenDot && fraction == 0 && b.count - (negative ? 1 : 0) == 1) else { return nil }
        let v = Double(mantissa) / powers[fraction]
        return negative ? -v : v
    }
}
