import CZlib

/// gzip compression over the system zlib, with an inflate that refuses to grow past a limit.
public enum Gzip {
    /// Compresses `data` into the gzip format.
    public static func compress(_ data: [UInt8], level: Int32 = 6) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw GzipError(.library, "deflateInit2 failed (\(status))") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 32)
        var input = data
        let written: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = uInt(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = uInt(outputBuffer.count)
                status = deflate(&stream, Z_FINISH)
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw GzipError(.library, "deflate did not finish (\(status))") }
        output.removeSubrange(written...)
        return output
    }

    /// Inflates gzip data, refusing when the output would pass `limit` bytes.
    ///
    /// The limit is checked as the output grows, so a small bomb never allocates its full size.
    public static func decompress(_ data: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw GzipError(.library, "inflateInit2 failed (\(status))") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(data.count * 4, 1024)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = data
        var failure: GzipError?
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = uInt(chunkBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunkBuffer.count - Int(stream.avail_out)
                }
                if status != Z_OK && status != Z_STREAM_END {
                    failure = GzipError(.corrupt, "the gzip data is corrupt (\(status))")
                    return
                }
                if output.count + produced > limit {
                    failure = GzipError(.tooLarge, "the inflated body is larger than \(limit) bytes")
                    return
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && produced == 0 && stream.avail_in == 0 {
                    failure = GzipError(.corrupt, "the gzip data is truncated")
                    return
                }
            } while status != Z_STREAM_END
            if stream.avail_in != 0 {
                failure = GzipError(.corrupt, "trailing bytes after the gzip stream")
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Whether `data` starts with the gzip magic bytes.
    public static func looksCompressed(_ data: some Collection<UInt8>) -> Bool {
        var iterator = data.makeIterator()
        return iterator.next() == 0x1f && iterator.next() == 0x8b
    }
}

/// Why compressing or inflating failed.
public struct GzipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The input is not valid gzip.
        case corrupt
        /// The inflated output would pass the caller's limit.
        case tooLarge
        /// zlib itself failed.
        case library
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
