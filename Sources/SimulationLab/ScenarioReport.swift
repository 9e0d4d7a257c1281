import Foundation

/// A scenario's run as one self-contained HTML page (no network, no external scripts): a
/// timeline with a lane per device and one for the server, every step a mark (edits, syncs,
/// going offline or online, the server's restarts and compactions), each conflict a mark on
/// the server's lane at the step that decided it, its story shown on click (the first is shown
/// when the page opens) and on hover, and the devices' final records side by side.
extension Scenario.Result {
    public func html(about: String? = nil) -> String {
        let columns = timeline.count + 1  // the last column: the syncs after the last step
        // (A seeded run of thousands of steps gets narrow columns, its marks drawn smaller.)
        let column = timeline.count > 400 ? 6 : timeline.count > 120 ? 12 : 34
        let radius = column >= 34 ? 7 : column >= 12 ? 5 : 3
        let laneHeight = 56, left = 120, top = 10
        let width = left + columns * column + 40
        let serverLane = devices.count
        let height = top + (devices.count + 1) * laneHeight + 30
        func y(_ lane: Int) -> Int { top + lane * laneHeight + laneHeight / 2 }
        func x(_ index: Int) -> Int { left + index * column + column / 2 }

        var svg = "<svg id=\"timeline\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"timeline\">\n"
        for (lane, name) in (devices + ["server"]).enumerated() {
            let kind = lane == serverLane ? "server" : "device"
            svg += "<g class=\"lane \(kind)\" data-name=\"\(Self.escape(name))\">"
            svg += "<line x1=\"\(left - 10)\" y1=\"\(y(lane))\" x2=\"\(width - 20)\" y2=\"\(y(lane))\" class=\"rail\"/>"
            svg += "<text x=\"10\" y=\"\(y(lane) + 5)\" class=\"name\">\(Self.escape(name))</text></g>\n"
        }
        for (index, event) in timeline.enumerated() {
            // (Times as the stories write them, "1:10.0"; a sync that failed says so, and its faults say why.)
            let time = Runner.clockTime(millis: event.at)
            let outcome = !event.failed ? "" : event.kind == .sync ? " (the sync failed on the device; its changes stay pending until one goes through)" : " (could not be done)"
            let title = Self.escape("step \(event.line) at \(time): \(event.source)\(outcome)")
            let failed = event.failed ? " failed" : ""
            switch event.kind {
            case .edit:
                svg += "<g class=\"mark edit\(failed)\"><title>\(title)</title><circle cx=\"\(x(index))\" cy=\"\(y(event.device!))\" r=\"\(radius)\"/></g>\n"
            case .sync:
                let faulted = event.faults.isEmpty ? "" : " faulted"
                let faults = event.faults.isEmpty ? "" : Self.escape("; faults: " + event.faults.joined(separator: ", "))
                svg += "<g class=\"mark sync\(failed)\(faulted)\" data-faults=\"\(Self.escape(event.faults.joined(separator: ",")))\"><title>\(title)\(faults)</title>"
                svg += "<line x1=\"\(x(index))\" y1=\"\(y(event.device!))\" x2=\"\(x(index))\" y2=\"\(y(serverLane) - 8)\"/>"
                svg += "<rect x=\"\(x(index) - radius + 2)\" y=\"\(y(event.device!) - radius + 2)\" width=\"\(2 * radius - 4)\" height=\"\(2 * radius - 4)\"/>"
                // A fault its requests met: a bolt over the sync.
                if !event.faults.isEmpty {
                    svg += "<text x=\"\(x(index))\" y=\"\(y(event.device!) - radius - 3)\" text-anchor=\"middle\" class=\"bolt\">⚡</text>"
                }
                svg += "</g>\n"
            case .offline, .online:
                svg += "<g class=\"mark \(event.kind.rawValue)\"><title>\(title)</title>"
                svg += "<text x=\"\(x(index))\" y=\"\(y(event.device!) + 5)\" text-anchor=\"middle\">\(event.kind == .offline ? "✕" : "◯")</text></g>\n"
            case .server:
                svg += "<g class=\"mark server-step\"><title>\(title)</title><path d=\"M\(x(index)) \(y(serverLane) - 8) l8 8 l-8 8 l-8 -8 z\"/></g>\n"
            }
        }
        for (number, story) in stories.enumerated() {
            let index = decidedIn.indices.contains(number) ? decidedIn[number].flatMap { line in timeline.lastIndex { $0.line == line } } : nil
            let at = index ?? timeline.count
            let title = Self.escape(story.split(separator: "\n").first.map(String.init) ?? "")
            svg += "<g class=\"mark conflict\" data-story=\"\(number)\" tabindex=\"0\"><title>\(title)</title>"
            svg += "<polygon points=\"\(x(at)),\(y(serverLane) - 12) \(x(at) + 10),\(y(serverLane) + 8) \(x(at) - 10),\(y(serverLane) + 8)\"/></g>\n"
        }
        // The step numbers under the lanes (a step that expands to several marks is numbered once).
        // (Every step when there is room; every 50th of a long run.)
        let every = column >= 34 ? 1 : column >= 12 ? 10 : 50
        for (index, event) in timeline.enumerated()
        where (index == 0 || timeline[index - 1].line != event.line) && (event.line % every == 0 || event.line == 1) {
            svg += "<text x=\"\(x(index))\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"axis\">\(event.line)</text>"
        }
        svg += "<text x=\"\(x(timeline.count))\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"axis\">after</text>\n"
        svg += "</svg>"

        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
            h1 { font-size: 20px; margin: 0 0 4px; } .verdict { font-weight: 600; } .pass { color: #1a7f37; } .fail { color: #c62828; }
            .rail { stroke: #c8c8cc; stroke-width: 2; } .name { font-weight: 600; }
            .edit circle { fill: #3b6fd8; } .sync line { stroke: #8e8e93; stroke-dasharray: 3 3; } .sync rect { fill: #8e8e93; }
            .bolt { fill: #c62828; font-size: 11px; } .offline text { fill: #c62828; } .online text { fill: #1a7f37; } .server-step path { fill: #7e57c2; }
            .failed circle, .failed rect { fill: #fff; stroke: #c62828; stroke-width: 2; }
            .conflict polygon { fill: #f5a623; stroke: #9a6400; cursor: pointer; } .conflict.selected polygon { fill: #c62828; }
            #story { white-space: pre-wrap; font-family: ui-monospace, monospace; background: #f6f6f8; padding: 12px; border-radius: 6px; min-height: 2em; }
            table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 6px 10px; vertical-align: top; text-align: left; }
            .differences li { color: #c62828; } .axis { fill: #8e8e93; font-size: 12px; }
            </style></head><body>
            <h1>\(Self.escape(title))</h1>

            """
        if let about { page += "<p class=\"about\">\(Self.escape(about))</p>\n" }
        page += "<p class=\"verdict \(passed ? "pass" : "fail")\">\(passed ? "Passed" : "Failed"): \(devices.count) devices, \(steps) steps, \(checks) \(checked) checked, \(stories.count) conflict\(stories.count == 1 ? "" : "s") recorded</p>\n"
        if !differences.isEmpty {
            page += "<h2>What differed</h2><ul class=\"differences\">"
            for difference in differences { page += "<li>\(Self.escape(difference))</li>" }
            page += "</ul>\n"
        }
        page += "<h2>Timeline</h2>\n\(svg)\n"
        page += "<p class=\"legend\">● edit · ■ sync (to the server) · ⚡ a fault its requests met · ✕ offline · ◯ online · ◆ a server or operator step (a restart, a compaction, an entitlement, a new revision) · ▲ conflict (click for its story) · numbers: the steps</p>\n"
        page += "<h2>Conflict</h2><div id=\"story\">\(stories.isEmpty ? "No conflicts were recorded." : "")</div>\n"
        page += "<h2>Final records</h2><table id=\"final\"><tr>"
        for name in devices { page += "<th>\(Self.escape(name))</th>" }
        page += "</tr><tr>"
        for lines in finalStates {
            page += "<td class=\"device-state\">" + (lines.isEmpty ? "<em>none</em>" : lines.map(Self.escape).joined(separator: "<br>")) + "</td>"
        }
        page += "</tr></table>\n"
        let storyData = String(decoding: (try? JSONSerialization.data(withJSONObject: stories, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8), as: UTF8.self)
            .replacingOccurrences(of: "</", with: "<\\/")
        page += """
            <script>
            const stories = \(storyData);
            function show(mark) {
              document.querySelectorAll('.conflict.selected').forEach(m => m.classList.remove('selected'));
              mark.classList.add('selected');
              document.getElementById('story').textContent = stories[Number(mark.dataset.story)];
            }
            document.querySelectorAll('.conflict').forEach(mark => {
              mark.addEventListener('click', () => show(mark));
              mark.addEventListener('mouseenter', () => show(mark));
              mark.addEventListener('keydown', event => { if (event.key === 'Enter') show(mark); });
            });
            const first = document.querySelector('.conflict');
            if (first) show(first);
            document.body.dataset.ready = 'yes';
            </script>
            </body></html>

            """
        return page
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
