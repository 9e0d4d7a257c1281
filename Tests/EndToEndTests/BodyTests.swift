import BriefingModel
import BriefingTestSupport
import Foundation
import SyncAPI
import SyncServerCore
import Testing

/// `GET /v1/bodies/{hash}`: a revision's body by its ID, immutable and cacheable, to readers
/// who may read it only.
@Suite("Bodies by revision", .timeLimit(.minutes(10)))
struct BodyTests {
    func revision(_ server: TestServer, _ id: String) async throws -> Briefing {
        try CanonicalJSON.decode(Briefing.self, try #require(try await server.service.store.briefingBody(id: id)))
    }

    @Test("A body comes with its hash as ETag and a year's immutable caching; the same ETag is 304; other hashes are 404 or 400")
    func fetchAndRevalidate() async throws {
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let briefing = try await revision(server, "grid-storage-winter")
            let url = server.url + "/v1/bodies/" + briefing.revision.id
            let fetched = try await rawRequest("GET", url, token: demo.token, headers: ["Accept-Encoding": "gzip"])
            #expect(fetched.status == 200)
            #expect(fetched.headers["etag"] == "\"\(briefing.revision.id)\"")
            #expect(fetched.headers["cache-control"] == "private, max-age=31536000, immutable", "a publication's content")
            let body = try Wire.decoder().decode(Wire.BriefingBody.self, from: fetched.body)
            #expect(body.briefingID == "grid-storage-winter" && body.revisionID == briefing.revision.id)
            #expect(body.sections == Wire.Briefing(briefing).sections)

            let again = try await rawRequest("GET", url, token: demo.token, headers: ["If-None-Match": "\"\(briefing.revision.id)\""])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.headers["etag"] == "\"\(briefing.revision.id)\"")
            let other = try await rawRequest("GET", url, token: demo.token, headers: ["If-None-Match": "\"r-0000000000000000\""])
            #expect(other.status == 200)

            #expect(try await rawRequest("GET", server.url + "/v1/bodies/r-0123456789abcdef", token: demo.token).status == 404)
            let bad = try await rawRequest("GET", server.url + "/v1/bodies/grid-storage-winter", token: demo.token)
            #expect(bad.status == 400)
            #expect(try await rawRequest("GET", url).status == 401)
        }
    }

    @Test("A reader not entitled to the publication gets 404, as for no such body; open content is publicly cacheable; a replaced revision is gone")
    func entitlementsAndRevisions() async throws {
        try await withTestServer { server in
            try await server.service.addUser(name: "tess", password: "pw-tess", grants: .publications(["tidewater-policy-review"]))
            let tess = try await rawLogin(server, user: "tess", password: "pw-tess")
            let grid = try await revision(server, "grid-storage-winter")
            let refused = try await rawRequest("GET", server.url + "/v1/bodies/" + grid.revision.id, token: tess.token)
            #expect(refused.status == 404)
            let port = try await revision(server, "port-automation-labour")
            #expect(try await rawRequest("GET", server.url + "/v1/bodies/" + port.revision.id, token: tess.token).status == 200)

            let open = Briefing.assemble(
                id: "open-note", title: "An open note", sections: [(heading: nil, paragraphs: ["Everyone may read this paragraph."])])
            try await server.service.publish(open, editorial: [])
            let openBody = try await rawRequest("GET", server.url + "/v1/bodies/" + open.revision.id, token: tess.token)
            #expect(openBody.status == 200)
            #expect(openBody.headers["cache-control"] == "public, max-age=31536000, immutable")

            let revised = Briefing.assemble(
                id: "open-note", revisionNumber: 2, title: "An open note",
                sections: [(heading: nil, paragraphs: ["Everyone may read this paragraph, now revised."])])
            try await server.service.publish(revised, editorial: [])
            #expect(try await rawRequest("GET", server.url + "/v1/bodies/" + open.revision.id, token: tess.token).status == 404)
            #expect(try await rawRequest("GET", server.url + "/v1/bodies/" + revised.revision.id, token: tess.token).status == 200)
        }
    }
}
