import Foundation
import Testing

@testable import SyncServerCore

/// Cursor tokens are base64url without padding, written and read on bytes: the same tokens
/// Foundation's base64 with the alphabet swapped gives, and the same tokens read back.
@Suite("Cursor tokens")
struct CursorTokenTests {
    /// Foundation's base64, made url-safe and unpadded: the reference encoding.
    static func reference(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("Base64url writes what Foundation writes and reads it back, for every length and byte")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            for _ in 0..<5 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let token = Base64URL.encode(bytes)
                #expect(token == Self.reference(bytes))
                #expect(Base64URL.decode(token) == bytes)
                // Padded and standard-alphabet forms are read as before.
                let standard = Data(bytes).base64EncodedString()
                #expect(Base64URL.decode(standard) == bytes)
            }
        }
    }

    @Test("Text that is not base64url is refused", arguments: ["a", "abcde", "ab$c", "ab c", "a===", "=abc", "ab=c", "é", "abc\u{0}"])
    func refused(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("A cursor's token reads back as the same cursor, signed; one with a changed byte is refused")
    func roundTrip() throws {
        let cursor = Cursor(
            epoch: "e1f0", seq: 4_812, horizon: 17, full: true,
            scopes: ["pub:north-review": .reading(nil), "pub:harbour": .reading(400), "pub:old": .removing(12)], secret: "s3cret")
        let token = cursor.token
        let read = try Cursor(token: token)
        #expect(read == cursor)
        #expect(read.isSigned(with: "s3cret"))
        #expect(!read.isSigned(with: "another"))
        // The signature is 32 hex digits, as before.
        let text = String(decoding: try #require(Base64URL.decode(token)), as: UTF8.self)
        let signature = try #require(text.split(separator: ".").last)
        #expect(signature.count == 32 && signature.allSatisfy(\.isHexDigit))
        // A token forged by changing one character of its text fails its signature or its parse.
        var bytes = Array(text.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "4"))!] = UInt8(ascii: "5")
        let forged = Base64URL.encode(bytes)
        #expect((try? Cursor(token: forged))?.isSigned(with: "s3cret") != true)
        // Older v1 tokens still read.
        let v1 = try Cursor(token: Self.reference(Array("v1.e1f0.12.0.full".utf8)))
        #expect(v1.seq == 12 && v1.full && v1.scopes == nil)
    }
}
