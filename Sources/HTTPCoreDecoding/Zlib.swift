import CZlib
import HTTPCore

/// zlib's inflate for `gzip` and `deflate`: the only file that calls into CZlib.
///
/// `deflate` is RFC 9110's zlib-wrapped stream, but some servers send raw deflate; like
/// browsers and curl the stage looks at the first two bytes and takes a valid zlib
/// header (CM 8, window at most 32 KiB, FCHECK, no preset dictionary) as zlib, anything
/// else as raw deflate.
final class ZlibInflater: DecompressionStage {
    enum Format {
        case gzip
        /// Zlib-wrapped or raw, decided by the first two bytes.
        case deflate
    }

    private let format: Format
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false

    init(_ format: Format) {
        self.format = format
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private var name: String { format == .gzip ? "gzip" : "deflate" }

    var continuesAfterEnd: Bool { format == .gzip }

    func restart() throws(HTTPCoreError) {
        guard initialized else { return }
        guard inflateReset(stream) == Z_OK else { throw .corruptEncodedBody(name, "inflateReset failed") }
    }

    func decompress(
        _ input: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(HTTPCoreError) -> DecompressionStep {
        if !initialized {
            let windowBits: Int32
            switch format {
            case .gzip:
                windowBits = 16 + MAX_WBITS
            case .deflate:
                guard input.count >= 2 else { return DecompressionStep(consumed: 0, produced: 0, ended: false) }
                windowBits = Self.isZlibHeader(input[0], input[1]) ? MAX_WBITS : -MAX_WBITS
            }
            guard czlib_inflate_init2(stream, windowBits) == Z_OK else {
                throw .corruptEncodedBody(name, "inflateInit2 failed")
            }
            initialized = true
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let result = inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        switch result {
        case Z_OK, Z_BUF_ERROR:
            return DecompressionStep(consumed: consumed, produced: produced, ended: false)
        case Z_STREAM_END:
            return DecompressionStep(consumed: consumed, produced: produced, ended: true)
        case Z_NEED_DICT:
            throw .corruptEncodedBody(name, "the stream needs a preset dictionary")
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
            throw .corruptEncodedBody(name, message)
        }
    }

    /// RFC 1950: CMF (method 8, window 2^(8+CINFO) at most 32 KiB) and FLG with FCHECK making
    /// the pair a multiple of 31; a preset dictionary (FDICT) is not valid in HTTP.
    static func isZlibHeader(_ cmf: UInt8, _ flg: UInt8) -> Bool {
        cmf & 0x0F == 8 && cmf >> 4 <= 7 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 && flg & 0x20 == 0
    }
}

/// zlib's deflate, streaming, for tests and tools that need compressed bodies.
package final class ZlibDeflater {
    package enum Format: Sendable {
        case gzip, zlib, raw
    }

    private let stream: UnsafeMutablePointer<z_stream>

    package init(_ format: Format, level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let windowBits: Int32 =
            switch format {
            case .gzip: 16 + MAX_WBITS
            case .zlib: MAX_WBITS
            case .raw: -MAX_WBITS
            }
        let status = czlib_deflate_init2(stream, level, windowBits)
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, appending the output to `output`; `finish` ends the stream.
    package func compress(_ input: UnsafeRawBufferPointer, finish: Bool = false, into output: inout [UInt8]) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let (status, produced) = scratch.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                let status = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            output.append(contentsOf: scratch[..<produced])
            if status == Z_STREAM_END { break }
            precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed: \(status)")
            if !finish, stream.pointee.avail_in == 0, stream.pointee.avail_out > 0 { break }
        }
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
    }

    package func compress(_ input: [UInt8], finish: Bool = false, into output: inout [UInt8]) {
        input.withUnsafeBytes { compress($0, finish: finish, into: &output) }
    }

    /// One whole body, compressed.
    package static func compress(_ input: [UInt8], _ format: Format, level: Int32 = 6) -> [UInt8] {
        var output: [UInt8] = []
        ZlibDeflater(format, level: level).compress(input, finish: true, into: &output)
        return output
    }
}
