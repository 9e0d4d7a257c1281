import BriefingModel
import BriefingTestSupport
import Foundation
import GRDB
import Gzip
import SyncServerCore
import Testing

/// The protocol at the HTTP level: isolation between users and clear refusals of bad input.
@Suite("HTTP protocol", .timeLimit(.minutes(10)))
struct ProtocolTests {
    static var anchor: [String: Any] { [
        "revisionID": "r", "paragraphID": "p", "start": 0, "end": 4, "exact": "text", "prefix": "", "suffix": "",
    ] }

    /// A push body with one highlight upsert.
    static func highlightPush(deviceID: String, mutationID: Int, id: String, hlcMillis: Int64 = 1_700_000_000_000, color: Any = "yellow") throws -> Data {
        let hlc = HLC(wallMillis: hlcMillis, counter: 0, node: deviceID).description
        return try JSONSerialization.data(withJSONObject: [
            "clientID": deviceID,
            "mutations": [[
                "mutationID": mutationID, "entity": "highlight", "id": id, "op": "upsert", "hlc": hlc,
                "fields": ["briefingID": "grid-storage-winter", "anchor": anchor, "color": color],
            ]],
        ])
    }

    static func results(_ response: RawResponse) -> [[String: Any]] {
        response.object?["results"] as? [[String: Any]] ?? []
    }

    static func changes(_ server: TestServer, token: String) async throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var cursor: String?
        repeat {
            let query = cursor.map { "?limit=100&cursor=\($0)" } ?? "?limit=100"
            let response = try await rawRequest("GET", server.url + "/v1/changes" + query, token: token)
            #expect(response.status == 200)
            all += response.object?["changes"] as? [[String: Any]] ?? []
            cursor = (response.object?["hasMore"] as? Bool == true) ? response.object?["cursor"] as? String : nil
        } while cursor != nil
        return all
    }

    @Test("A second user sees none of the first user's data and cannot change it by ID")
    func isolation() async throws {
        try await withTestServer { server in
            try await server.service.addUser(name: "mallory", password: "secret", grants: .all)
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let mallory = try await rawLogin(server, user: "mallory", password: "secret")
            let highlightID = UUID().uuidString
            let push = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: demo.token,
                body: try Self.highlightPush(deviceID: demo.deviceID, mutationID: 1, id: highlightID))
            #expect(Self.results(push).first?["status"] as? String == "applied")

            // Mallory's pulls carry content only.
            let seen = try await Self.changes(server, token: mallory.token)
            #expect(!seen.isEmpty)
            #expect(seen.allSatisfy { ["briefing", "editorialAnnotation"].contains($0["entity"] as? String) })
            #expect(!seen.contains { $0["id"] as? String == highlightID })

            // Mallory cannot recolour or delete demo's highlight by its ID.
            let recolor = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: mallory.token,
                body: try Self.highlightPush(deviceID: mallory.deviceID, mutationID: 1, id: highlightID, color: "pink"))
            #expect(Self.results(recolor).first?["status"] as? String == "rejected")
            #expect(Self.results(recolor).first?["reason"] as? String == "foreign_id")
            let deleteBody = try JSONSerialization.data(withJSONObject: [
                "clientID": mallory.deviceID,
                "mutations": [[
                    "mutationID": 2, "entity": "highlight", "id": highlightID, "op": "delete",
                    "hlc": HLC(wallMillis: 1_700_000_000_500, counter: 0, node: mallory.deviceID).description,
                ]],
            ])
            let delete = try await rawRequest("POST", server.url + "/v1/mutations", token: mallory.token, body: deleteBody)
            #expect(Self.results(delete).first?["reason"] as? String == "foreign_id")

            // Pushing as another device's client ID is refused outright.
            let spoof = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: mallory.token,
                body: try Self.highlightPush(deviceID: demo.deviceID, mutationID: 3, id: UUID().uuidString))
            #expect(spoof.status == 409)
            #expect(spoof.errorCode == "wrong_client")

            // Demo's highlight is untouched.
            let mine = try await Self.changes(server, token: demo.token).first { $0["id"] as? String == highlightID }
            let record = try #require(mine?["record"] as? [String: Any])
            #expect((record["fields"] as? [String: Any])?["color"] as? String == "yellow")
            #expect(record["deleted"] as? Bool == false)
        }
    }

    @Test("Content is server-authored: a device that pushes it is refused")
    func contentIsReadOnly() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let body = try JSONSerialization.data(withJSONObject: [
                "clientID": demo.deviceID,
                "mutations": [[
                    "mutationID": 1, "entity": "briefing", "id": "grid-storage-winter", "op": "delete",
                    "hlc": HLC(wallMillis: 1_700_000_000_000, counter: 0, node: demo.deviceID).description,
                ]],
            ])
            let response = try await rawRequest("POST", server.url + "/v1/mutations", token: demo.token, body: body)
            #expect(Self.results(response).first?["reason"] as? String == "content_is_read_only")
            #expect(try await server.service.store.briefing(id: "grid-storage-winter") != nil)
        }
    }

    /// Bad requests, each with the status and error code it must get.
    struct BadRequest: Sendable, CustomTestStringConvertible {
        var name: String
        var status: Int
        var code: String
        var method = "POST"
        var path = "/v1/mutations"
        var authorized = true
        var headers: [String: String] = [:]
        /// The `Allow` header a 405 must carry.
        var allow: String? = nil
        var body: @Sendable (_ deviceID: String) throws -> Data?

        var testDescription: String { name }
    }

    static let badRequests: [BadRequest] = [
        BadRequest(name: "malformed JSON", status: 400, code: "bad_request") { _ in Data("{\"clientID\": ".utf8) },
        BadRequest(name: "invalid UTF-8", status: 400, code: "bad_request") { _ in Data([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
        BadRequest(name: "wrong type", status: 400, code: "bad_request") { id in
            try highlightPush(deviceID: id, mutationID: 1, id: "h1", color: 42)
        },
        BadRequest(name: "unknown entity", status: 400, code: "bad_request") { id in
            try JSONSerialization.data(withJSONObject: [
                "clientID": id,
                "mutations": [["mutationID": 1, "entity": "spaceship", "id": "x", "op": "upsert", "hlc": "000001700000000-000000-\(id)"]],
            ])
        },
        BadRequest(name: "unknown field", status: 400, code: "bad_request") { id in
            try JSONSerialization.data(withJSONObject: [
                "clientID": id,
                "mutations": [["mutationID": 1, "entity": "highlight", "id": "x", "op": "upsert", "hlc": "000001700000000-000000-\(id)", "fields": ["colour": "red"]]],
            ])
        },
        BadRequest(name: "a field both set and cleared", status: 400, code: "bad_request") { id in
            try JSONSerialization.data(withJSONObject: [
                "clientID": id,
                "mutations": [[
                    "mutationID": 1, "entity": "note", "id": "x", "op": "upsert", "hlc": "000001700000000-000000-\(id)",
                    "fields": ["briefingID": "grid-storage-winter", "text": "t", "highlightID": "h1", "cleared": ["highlightID"]],
                ]],
            ])
        },
        BadRequest(name: "a field that cannot be cleared", status: 400, code: "bad_request") { id in
            try JSONSerialization.data(withJSONObject: [
                "clientID": id,
                "mutations": [[
                    "mutationID": 1, "entity": "note", "id": "x", "op": "upsert", "hlc": "000001700000000-000000-\(id)",
                    "fields": ["briefingID": "grid-storage-winter", "cleared": ["text"]],
                ]],
            ])
        },
        BadRequest(name: "malformed clock", status: 400, code: "bad_request") { id in
            try JSONSerialization.data(withJSONObject: [
                "clientID": id,
                "mutations": [["mutationID": 1, "entity": "highlight", "id": "x", "op": "delete", "hlc": "yesterday"]],
            ])
        },
        BadRequest(name: "oversize body", status: 413, code: "payload_too_large") { id in
            Data(("{\"clientID\":\"\(id)\",\"mutations\":[],\"pad\":\"" + String(repeating: "x", count: 3 << 20) + "\"}").utf8)
        },
        BadRequest(name: "over-inflating gzip body", status: 413, code: "payload_too_large", headers: ["Content-Encoding": "gzip"]) { _ in
            Data(try Gzip.compress([UInt8](repeating: 0x20, count: 20 << 20)))
        },
        BadRequest(name: "corrupt gzip body", status: 400, code: "bad_request", headers: ["Content-Encoding": "gzip"]) { _ in
            Data([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03])
        },
        BadRequest(name: "wrong content type", status: 415, code: "unsupported_media_type", headers: ["Content-Type": "text/plain"]) { id in
            try highlightPush(deviceID: id, mutationID: 1, id: "h1")
        },
        BadRequest(name: "missing body", status: 400, code: "bad_request") { _ in nil },
        BadRequest(name: "bad cursor", status: 400, code: "bad_cursor", method: "GET", path: "/v1/changes?cursor=not-a-cursor") { _ in nil },
        BadRequest(name: "foreign cursor", status: 410, code: "resync_required", method: "GET", path: "/v1/changes?cursor=djEuYWJjZGVmLjUuMA") { _ in nil },
        BadRequest(name: "bad token", status: 401, code: "unauthorized", method: "GET", path: "/v1/changes", authorized: false) { _ in nil },
        BadRequest(name: "unknown protocol version", status: 404, code: "unsupported_version", method: "GET", path: "/v2/changes") { _ in nil },
        BadRequest(name: "unknown endpoint", status: 404, code: "not_found", method: "GET", path: "/v1/nothing") { _ in nil },
        BadRequest(name: "wrong method", status: 405, code: "method_not_allowed", method: "GET", path: "/v1/mutations", allow: "POST") { _ in nil },
        BadRequest(
            name: "wrong method on a session", status: 405, code: "method_not_allowed", method: "PUT", path: "/v1/sessions/current",
            allow: "DELETE"
        ) { _ in nil },
    ]

    @Test("Bad input gets a 4xx with a JSON error, changes nothing, and the server keeps serving", arguments: badRequests)
    func badInput(_ bad: BadRequest) async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            let before = try await server.service.kernel.records(ofAccount: account.id)
            let response = try await rawRequest(
                bad.method, server.url + bad.path, token: bad.authorized ? demo.token : "bft_forged", headers: bad.headers,
                body: try bad.body(demo.deviceID))
            #expect(response.status == bad.status)
            #expect(response.errorCode == bad.code)
            if let allow = bad.allow {
                #expect(response.headers.first { $0.key.lowercased() == "allow" }?.value == allow)
            }
            let message = response.object?["message"] as? String
            #expect(message?.isEmpty == false)
            #expect(try await server.service.kernel.records(ofAccount: account.id) == before)
            let health = try await rawRequest("GET", server.url + "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test("A failure of the server's own answers 500 internal and tells the client nothing of it")
    func internalFailure() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            // A log row the server cannot read: its pull fails inside the server.
            try await server.service.sqlite.database.write { db in
                try db.execute(
                    sql: "INSERT INTO record (owner, kind, id, seq, body) VALUES (?, 'spaceship', 'x', 1000000000, '{}')",
                    arguments: [account.id])
            }
            let response = try await rawRequest("GET", server.url + "/v1/changes", token: demo.token)
            #expect(response.status == 500)
            #expect(response.errorCode == "internal")
            #expect(response.object?["message"] as? String == "the server failed; it has logged why")
            #expect(!String(decoding: response.body, as: UTF8.self).contains("spaceship"))
            #expect(try await rawRequest("GET", server.url + "/healthz").status == 200)
        }
    }

    @Test("A batch with one malformed mutation is refused whole: nothing is partially applied")
    func noPartialBatch() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let hlc = HLC(wallMillis: 1_700_000_000_000, counter: 0, node: demo.deviceID).description
            let body = try JSONSerialization.data(withJSONObject: [
                "clientID": demo.deviceID,
                "mutations": [
                    ["mutationID": 1, "entity": "bookmark", "id": "grid-storage-winter", "op": "upsert", "hlc": hlc,
                     "fields": ["briefingID": "grid-storage-winter", "bookmarked": true]],
                    ["mutationID": 2, "entity": "bookmark", "id": "grid-storage-winter", "op": "upsert", "hlc": hlc,
                     "fields": ["briefingID": "grid-storage-winter", "bookmarked": "yes"]],
                ],
            ])
            let response = try await rawRequest("POST", server.url + "/v1/mutations", token: demo.token, body: body)
            #expect(response.status == 400)
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            #expect(try await server.service.kernel.records(ofAccount: account.id).isEmpty)
        }
    }

    @Test("Repeated mutation IDs are acknowledged as duplicates and not applied again")
    func idempotentPush() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let id = UUID().uuidString
            let first = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: demo.token,
                body: try Self.highlightPush(deviceID: demo.deviceID, mutationID: 1, id: id, color: "blue"))
            #expect(Self.results(first).first?["status"] as? String == "applied")
            // The same mutation ID again, even with other content, is a duplicate.
            let again = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: demo.token,
                body: try Self.highlightPush(deviceID: demo.deviceID, mutationID: 1, id: id, hlcMillis: 1_700_000_009_000, color: "pink"))
            #expect(Self.results(again).first?["status"] as? String == "duplicate")
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            let record = try #require(try await server.service.kernel.records(ofAccount: account.id).first)
            #expect(record.fields["color"] == .string("blue"))
        }
    }

    @Test("Responses are gzipped for clients that accept it, and gzipped pushes are accepted")
    func gzipBothWays() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let compressed = try Gzip.compress(Array(try Self.highlightPush(deviceID: demo.deviceID, mutationID: 1, id: UUID().uuidString)))
            let push = try await rawRequest(
                "POST", server.url + "/v1/mutations", token: demo.token, headers: ["Content-Encoding": "gzip"], body: Data(compressed))
            #expect(push.status == 200)
            #expect(Self.results(push).first?["status"] as? String == "applied")
            let pull = try await rawRequest("GET", server.url + "/v1/changes?limit=10", token: demo.token, headers: ["Accept-Encoding": "gzip"])
            #expect(pull.status == 200)
            #expect(pull.headers["briefings-protocol-version"] == "1")
            #expect(pull.object?["protocolVersion"] as? Int == 1)
        }
    }

    @Test("Wrong passwords and revoked tokens are refused")
    func credentials() async throws {
        try await withTestServer { server in
            let wrong = try await rawRequest(
                "POST", server.url + "/v1/sessions", body: try JSONSerialization.data(withJSONObject: ["user": "demo", "password": "nope"]))
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "invalid_credentials")
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            #expect(try await rawRequest("DELETE", server.url + "/v1/sessions/current", token: demo.token).status == 204)
            let after = try await rawRequest("GET", server.url + "/v1/changes", token: demo.token)
            #expect(after.status == 401)
        }
    }
}
