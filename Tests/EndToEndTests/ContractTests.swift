import BriefingModel
import BriefingTestSupport
import Foundation
import SyncServerCore
import Testing
import Yams

/// Every constraint `Schemas/openapi.yaml` puts on a request is enforced by the real server.
///
/// The cases are read off the schema file, not listed here: each request body and query
/// parameter is walked through its `$ref`s, and every `minLength`, `maxLength`, `minimum`,
/// `maximum`, `maxItems`, `uniqueItems`, `pattern` and `enum` met on the way becomes a
/// request that breaks just that one constraint. A constraint added to the schema later is
/// tested without anyone writing a case for it, and fails until the server enforces it.
@Suite("The contract's limits, enforced", .timeLimit(.minutes(10)))
struct ContractTests {
    /// One step into a JSON value.
    enum Step: Hashable, CustomStringConvertible {
        case key(String)
        case index(Int)

        var description: String {
            switch self {
            case .key(let key): key
            case .index(let index): "[\(index)]"
            }
        }
    }

    /// Where a request carries a value.
    enum Place: String, Hashable {
        case login = "POST /v1/sessions"
        case push = "POST /v1/mutations"
        case query = "GET /v1/changes"
        case subscriptions = "PUT /v1/subscriptions"
    }

    /// One constraint of the schema, at one place in a request.
    struct Constraint: Hashable, CustomTestStringConvertible {
        var place: Place
        var path: [Step]
        var keyword: String
        var limit: String
        var type: String
        /// The first allowed value of an enum, or of an array's items.
        var example: String?

        /// `mutations[0].fields.text`, as the server names it.
        var field: String {
            path.enumerated().map { index, step in
                if case .key(let key) = step, index > 0 { return ".\(key)" }
                return step.description
            }.joined()
        }

        var testDescription: String { "\(place.rawValue) \(field) \(keyword) \(limit)" }
    }

    /// A string a request carries, and whether the schema lets it hold line breaks.
    struct StringField: Hashable, CustomTestStringConvertible {
        var place: Place
        var path: [Step]
        var multiline: Bool

        var field: String { Constraint(place: place, path: path, keyword: "", limit: "", type: "").field }
        var testDescription: String { "\(place.rawValue) \(field)\(multiline ? " (multiline)" : "")" }
    }

    /// The schema file, parsed.
    nonisolated(unsafe) static let schema: [String: Any] = {
        let url = SchemaFiles.packageRoot.appendingPathComponent("Schemas/openapi.yaml")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return ((try? Yams.load(yaml: text)) as? [String: Any]) ?? [:]
    }()

    static let keywords = ["minLength", "maxLength", "minimum", "maximum", "maxItems", "minItems", "uniqueItems", "pattern", "enum"]

    static func resolve(_ schema: [String: Any]) -> (schema: [String: Any], name: String?) {
        guard let ref = schema["$ref"] as? String else { return (schema, nil) }
        let name = String(ref.split(separator: "/").last ?? "")
        let components = (components["schemas"] as? [String: Any]) ?? [:]
        var merged = components[name] as? [String: Any] ?? [:]
        for (key, value) in schema where key != "$ref" { merged[key] = value }
        return (merged, name)
    }

    static var components: [String: Any] { schema["components"] as? [String: Any] ?? [:] }

    /// Walks a request schema, collecting its constraints and its strings.
    static func walk(
        _ raw: [String: Any], place: Place, path: [Step], visiting: Set<String>,
        constraints: inout [Constraint], strings: inout [StringField]
    ) {
        let (schema, name) = resolve(raw)
        if let name, visiting.contains(name) { return }
        let visiting = name.map { visiting.union([$0]) } ?? visiting
        let type = schema["type"] as? String ?? (schema["properties"] != nil ? "object" : "")
        for keyword in keywords {
            guard let value = schema[keyword] else { continue }
            if keyword == "uniqueItems", value as? Bool != true { continue }
            let itemSchema = (schema["items"] as? [String: Any]).map { resolve($0).schema }
            let example = ((schema["enum"] ?? itemSchema?["enum"]) as? [Any])?.first.map { "\($0)" }
            let limit = (value as? [Any]).map { $0.map { "\($0)" }.joined(separator: "|") } ?? "\(value)"
            constraints.append(Constraint(place: place, path: path, keyword: keyword, limit: limit, type: type, example: example))
        }
        if type == "string", schema["enum"] == nil, !path.isEmpty {
            strings.append(StringField(place: place, path: path, multiline: schema["x-multiline"] as? Bool == true))
        }
        for (key, value) in (schema["properties"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let property = value as? [String: Any] else { continue }
            walk(property, place: place, path: path + [.key(key)], visiting: visiting, constraints: &constraints, strings: &strings)
        }
        if let items = schema["items"] as? [String: Any] {
            walk(items, place: place, path: path + [.index(0)], visiting: visiting, constraints: &constraints, strings: &strings)
        }
    }

    /// Everything the requests of the schema carry.
    static let walked: (constraints: [Constraint], strings: [StringField]) = {
        var constraints: [Constraint] = [], strings: [StringField] = []
        let paths = schema["paths"] as? [String: Any] ?? [:]
        for (route, method, place) in [("/v1/sessions", "post", Place.login), ("/v1/mutations", "post", .push), ("/v1/subscriptions", "put", .subscriptions)] {
            let operation = (paths[route] as? [String: Any])?[method] as? [String: Any]
            let body = ((((operation?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"]
                as? [String: Any])?["schema"]) as? [String: Any] ?? [:]
            walk(body, place: place, path: [], visiting: [], constraints: &constraints, strings: &strings)
        }
        let changes = (paths["/v1/changes"] as? [String: Any])?["get"] as? [String: Any]
        for case let parameter as [String: Any] in changes?["parameters"] as? [Any] ?? [] {
            guard let name = parameter["name"] as? String, let schema = parameter["schema"] as? [String: Any] else { continue }
            walk(schema, place: .query, path: [.key(name)], visiting: [], constraints: &constraints, strings: &strings)
        }
        return (constraints, strings)
    }()

    // MARK: Requests

    /// A push with one mutation that sets every field the contract has, each to a valid value.
    static func validPush(deviceID: String) -> [String: Any] {
        let hlc = HLC(wallMillis: 1_700_000_000_000, counter: 0, node: deviceID).description
        return [
            "clientID": deviceID,
            "mutations": [[
                "mutationID": 1, "entity": "note", "id": "note-1", "op": "upsert", "hlc": hlc, "seen": hlc, "baseText": "",
                "fields": [
                    "briefingID": "grid-storage-winter", "color": "yellow", "highlightID": "h1", "text": "a note",
                    "conflictOf": "n0", "bookmarked": true, "position": 0.5, "furthest": 0.5, "name": "energy",
                    "adds": ["a"], "removes": ["b"],
                    "anchor": [
                        "revisionID": "r", "paragraphID": "p", "start": 0, "end": 4, "exact": "text", "prefix": "", "suffix": "",
                        "status": "anchored",
                    ],
                ],
            ]],
            "pull": ["limit": 10],
        ]
    }

    static var validLogin: [String: Any] { ["user": "demo", "password": "demo", "deviceName": "phone"] }

    /// `value` with `replacement` at `path` (made where missing).
    static func setting(_ value: Any?, at path: ArraySlice<Step>, to replacement: Any) -> Any {
        guard let step = path.first else { return replacement }
        switch step {
        case .key(let key):
            var object = value as? [String: Any] ?? [:]
            object[key] = setting(object[key], at: path.dropFirst(), to: replacement)
            return object
        case .index(let index):
            var array = value as? [Any] ?? []
            while array.count <= index { array.append([String: Any]()) }
            array[index] = setting(array[index], at: path.dropFirst(), to: replacement)
            return array
        }
    }

    /// A value that breaks `constraint`, or nil for one no value can break.
    static func violation(of constraint: Constraint) -> Any? {
        let number = Double(constraint.limit) ?? 0
        let integer = constraint.type == "integer"
        switch constraint.keyword {
        case "maxLength": return String(repeating: "a", count: Int(number) + 1)
        case "minLength": return number >= 1 ? String(repeating: "a", count: Int(number) - 1) : nil
        case "maximum": return integer ? Int(number) + 1 : number + 0.5
        case "minimum": return integer ? Int(number) - 1 : number - 0.5
        case "maxItems": return RepeatedElement(count: Int(number) + 1, fallback: constraint.example ?? "a")
        case "minItems": return number >= 1 ? [Any]() : nil
        case "uniqueItems": return [constraint.example ?? "a", constraint.example ?? "a"]
        case "pattern": return "no match \u{2603}"
        case "enum": return constraint.type == "array" ? ["no-such-value"] : "no-such-value"
        default: return nil
        }
    }

    /// An array of `count` copies of the valid request's first element at that path (or of `fallback`).
    struct RepeatedElement {
        var count: Int
        var fallback: Any
    }

    /// The value at `path`, if there is one.
    static func value(in value: Any?, at path: ArraySlice<Step>) -> Any? {
        guard let step = path.first else { return value }
        switch step {
        case .key(let key): return Self.value(in: (value as? [String: Any])?[key], at: path.dropFirst())
        case .index(let index):
            guard let array = value as? [Any], array.indices.contains(index) else { return nil }
            return Self.value(in: array[index], at: path.dropFirst())
        }
    }

    /// `value` made concrete against the valid request `valid`.
    static func concrete(_ value: Any, at path: [Step], in valid: Any) -> Any {
        guard let repeated = value as? RepeatedElement else { return value }
        let element = Self.value(in: valid, at: (path + [.index(0)])[...]) ?? repeated.fallback
        return Array(repeating: element, count: repeated.count)
    }

    /// Sends a request with `value` at `path` of the valid request for `place`.
    static func send(_ place: Place, path: [Step], value: Any?, server: TestServer, token: String, deviceID: String) async throws
        -> RawResponse
    {
        switch place {
        case .login:
            let body = value.map { setting(validLogin, at: path[...], to: concrete($0, at: path, in: validLogin)) } ?? validLogin
            return try await rawRequest("POST", server.url + "/v1/sessions", body: try JSONSerialization.data(withJSONObject: body))
        case .push:
            let valid = validPush(deviceID: deviceID)
            let body = value.map { setting(valid, at: path[...], to: concrete($0, at: path, in: valid)) } ?? valid
            return try await rawRequest(
                "POST", server.url + "/v1/mutations", token: token, body: try JSONSerialization.data(withJSONObject: body))
        case .subscriptions:
            let valid: [String: Any] = ["all": false, "publications": ["meridian-policy-review"]]
            let body = value.map { setting(valid, at: path[...], to: concrete($0, at: path, in: valid)) } ?? valid
            return try await rawRequest(
                "PUT", server.url + "/v1/subscriptions", token: token, body: try JSONSerialization.data(withJSONObject: body))
        case .query:
            var query = URLComponents(string: server.url + "/v1/changes")!
            query.queryItems = [URLQueryItem(name: "limit", value: "10")]
            if let value, case .key(let name) = path.first {
                query.queryItems = query.queryItems!.filter { $0.name != name } + [URLQueryItem(name: name, value: "\(value)")]
            }
            return try await rawRequest("GET", query.url!.absoluteString, token: token)
        }
    }

    // MARK: Tests

    @Test("The walk finds every request constraint of the schema, and the valid requests pass")
    func walkFindsConstraints() async throws {
        let found = Set(Self.walked.constraints.map(\.testDescription))
        // A few that must be among them, from each place.
        for expected in [
            "POST /v1/sessions user maxLength 100", "POST /v1/sessions deviceName maxLength 100",
            "POST /v1/mutations mutations[0].fields.text maxLength 100000", "POST /v1/mutations mutations[0].id minLength 1",
            "POST /v1/mutations mutations maxItems 500", "POST /v1/mutations mutations[0].fields.adds[0] maxLength 200",
            "POST /v1/mutations mutations[0].fields.name minLength 1", "GET /v1/changes limit maximum 1000",
            "PUT /v1/subscriptions publications maxItems 1000", "PUT /v1/subscriptions publications uniqueItems true",
            "PUT /v1/subscriptions publications[0] maxLength 64",
        ] {
            #expect(found.contains(expected), "\(expected) not found")
        }
        #expect(Self.walked.constraints.count >= 40)
        #expect(Self.walked.strings.filter(\.multiline).count == 5)
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            for place in [Place.login, .push, .query, .subscriptions] {
                let response = try await Self.send(place, path: [], value: nil, server: server, token: demo.token, deviceID: demo.deviceID)
                #expect((200..<300).contains(response.status), "\(place.rawValue): \(String(decoding: response.body, as: UTF8.self))")
            }
        }
    }

    @Test("A request that breaks one constraint is refused (400, naming the field) and changes nothing", arguments: walked.constraints)
    func constraintEnforced(_ constraint: Constraint) async throws {
        let value = try #require(Self.violation(of: constraint), "no violating value for \(constraint.keyword)")
        try await expectRefused(constraint.place, path: constraint.path, value: value, field: constraint.field)
    }

    @Test("No string in a request may hold NUL or another control character", arguments: walked.strings)
    func controlCharactersRefused(_ string: StringField) async throws {
        for bad in ["a\u{0}b", "a\u{1B}[31mb", "a\u{7}"] {
            try await expectRefused(string.place, path: string.path, value: bad, field: string.field)
        }
    }

    @Test("Text a reader writes may hold tabs and line breaks; nothing else may", arguments: walked.strings.filter { $0.place == .push })
    func lineBreaks(_ string: StringField) async throws {
        if string.multiline {
            try await withTestServer { server in
                let demo = try await rawLogin(server, user: "demo", password: "demo")
                let response = try await Self.send(
                    .push, path: string.path, value: "line one\r\nline two\tend", server: server, token: demo.token, deviceID: demo.deviceID)
                #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
            }
        } else {
            try await expectRefused(.push, path: string.path, value: "line one\nline two", field: string.field)
        }
    }

    @Test("A NUL cannot log in as someone else or make two IDs one")
    func nulCases() async throws {
        try await withTestServer { server in
            let login = try await rawRequest(
                "POST", server.url + "/v1/sessions", body: Data(#"{"user":"demo\u0000x","password":"demo"}"#.utf8))
            #expect(login.status == 400)
            let password = try await rawRequest(
                "POST", server.url + "/v1/sessions", body: Data(#"{"user":"demo","password":"demo\u0000anything"}"#.utf8))
            #expect(password.status == 400)
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            for (index, id) in ["a\u{0}A", "a\u{0}B"].enumerated() {
                var push = Self.validPush(deviceID: demo.deviceID)
                push = Self.setting(push, at: [.key("mutations"), .index(0), .key("id")], to: id) as! [String: Any]
                push = Self.setting(push, at: [.key("mutations"), .index(0), .key("mutationID")], to: index + 1) as! [String: Any]
                let response = try await rawRequest(
                    "POST", server.url + "/v1/mutations", token: demo.token, body: try JSONSerialization.data(withJSONObject: push))
                #expect(response.status == 400)
            }
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            #expect(try await server.service.kernel.records(ofAccount: account.id).isEmpty)
        }
    }

    func expectRefused(_ place: Place, path: [Step], value: Any, field: String) async throws {
        nonisolated(unsafe) let value = value
        try await withTestServer { server in
            let demo = try await rawLogin(server, user: "demo", password: "demo")
            let account = try #require(try await server.service.store.accounts().first { $0.name == "demo" })
            let devices = try await server.service.store.accounts().map(\.devices)
            let response = try await Self.send(place, path: path, value: value, server: server, token: demo.token, deviceID: demo.deviceID)
            let message = response.object?["message"] as? String ?? ""
            #expect(response.status == 400, "\(field): \(response.status) \(message)")
            #expect(response.errorCode == "bad_request")
            #expect(message.contains(field), "the message does not name \(field): \(message)")
            #expect(try await server.service.kernel.records(ofAccount: account.id).isEmpty)
            #expect(try await server.service.store.accounts().map(\.devices) == devices)
            let subscriptions = try await server.service.subscriptions(try await server.service.authenticate(token: demo.token))
            #expect(subscriptions.all, "the device's subscriptions are as they were")
        }
    }
}
