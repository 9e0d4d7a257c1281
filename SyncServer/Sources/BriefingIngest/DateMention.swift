import Foundation

/// A date written in text: a full date, a month and year, or a year.
public struct DateMention: Hashable, Sendable {
    public enum Precision: String, Sendable {
        case day, month, year
        /// A day written in numbers ("26.06.2025"); reported as `.day`.
        case numericDay
    }

    /// Sortable: `2025-10-03`, `2024-06` or `2019`.
    public var label: String
    public var precision: Precision
    /// The first moment of the period, UTC.
    public var date: Date
    /// Where it was written, in Unicode scalars of the text searched.
    public var range: Range<Int>

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    /// A month's name or abbreviation as written in a dateline: "March", "Mar.", or set in
    /// capitals ("26 MAR 2025", "MAY 20, 2025"), never in lower case ("we may 2025" is no date).
    static let monthPattern: String = {
        let written = monthNames + ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"]
        return "(" + (written + written.map { $0.uppercased() }).joined(separator: "|") + ")\\.?"
    }()

    /// Months as French, Spanish, Portuguese and German write them, with their numbers: "30 mai 2025",
    /// "19 de mayo de 2025", "16 de junho de 2025", "13. Juni 2025". The Romance languages write them
    /// in lower case, so both cases are read; only in a full date (day, month and year), where a
    /// lower-case word between a day and a year is no English word.
    static let otherMonths: [String: Int] = {
        let names: [[String]] = [
            ["janvier", "enero", "janeiro", "januar", "jänner"], ["février", "fevrier", "febrero", "fevereiro", "februar"],
            ["mars", "marzo", "março", "marco", "märz"], ["avril", "abril"], ["mai", "mayo", "maio"],
            ["juin", "junio", "junho", "juni"], ["juillet", "julio", "julho", "juli"], ["août", "aout", "agosto"],
            ["septembre", "septiembre", "setiembre", "setembro"], ["octobre", "octubre", "outubro", "oktober"],
            ["novembre", "noviembre", "novembro"], ["décembre", "decembre", "diciembre", "dezembro", "dezember"],
        ]
        var months: [String: Int] = [:]
        for (index, written) in names.enumerated() { for name in written { months[name] = index + 1 } }
        return months
    }()
    static let otherMonthPattern: String = {
        let names = otherMonths.keys.sorted { $0.count > $1.count }
        return "(" + (names + names.map(\.capitalized)).joined(separator: "|") + ")"
    }()

    /// Every date mentioned in `text`, in order; a full date is not also reported as its year.
    /// The patterns, most precise first, compiled once.
    static let patterns: [(regex: NSRegularExpression, precision: Precision)] = [
        (#"(?<![\p{L}\p{N}])(\d{4})-(\d{2})-(\d{2})(?![\p{N}])"#, Precision.day),
        // "26.06.2025", "22/05/2025": day first, unless the first number cannot be a day's month (see `make`).
        (#"(?<![\p{L}\p{N}.,/])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\p{N}])"#, .numericDay),
        (#"(?<![\p{L}\p{N}])(\d{1,2})(?:st|nd|rd|th)? "# + monthPattern + #",? (\d{4})(?![\p{N}])"#, .day),
        ("(?<![\\p{L}])" + monthPattern + #" (\d{1,2})(?:st|nd|rd|th)?, (\d{4})(?![\p{N}])"#, .day),
        // "19 de mayo de 2025", "30 mai 2025", "1er juin 2025", "13. Juni 2025".
        (#"(?<![\p{L}\p{N}])(\d{1,2})(?:er|º|°|\.)? (?:de )?"# + otherMonthPattern + #",? (?:de |del )?(\d{4})(?![\p{N}])"#, .day),
        ("(?<![\\p{L}])" + monthPattern + #" (?:of )?(\d{4})(?![\p{N}])"#, .month),
        (
            #"(?<![\p{L}\p{N}£$€.,])(1[89]\d{2}|20\d{2})(?![\p{L}\p{N}%’']|,\d|\.\d| ?(?:km|kg|MW|GW|megawatts|gigawatts|tonnes|people|euros|dollars))"#,
            .year
        ),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    public static func all(in text: String) -> [DateMention] {
        var found: [DateMention] = []
        for (regex, precision) in patterns {
            let nsText = text as NSString
            for match in regex.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
                guard let range = Range(match.range, in: text) else { continue }
                let lower = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: range.lowerBound)
                let upper = lower + text[range].unicodeScalars.count
                if found.contains(where: { $0.range.overlaps(lower..<upper) }) { continue }
                let groups = (1..<match.numberOfRanges).map { index -> String in
                    Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
                }
                guard let mention = make(groups, precision, range: lower..<upper) else { continue }
                found.append(mention)
            }
        }
        return found.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }

    static func monthNumber(_ name: String) -> Int? {
        if let other = otherMonths[name.lowercased()] { return other }
        let key = name.trimmingCharacters(in: CharacterSet(charactersIn: ".")).prefix(3).lowercased()
        return monthNames.firstIndex { $0.prefix(3).lowercased() == key }.map { $0 + 1 }
    }

    static func make(_ groups: [String], _ precision: Precision, range: Range<Int>) -> DateMention? {
        var year = 0, month = 1, day = 1
        var precision = precision
        if precision == .numericDay {
            // Day first (most of the world), or month first when the second number is over 12 ("05/22/2025").
            guard let first = Int(groups[0]), let second = Int(groups[1]), let y = Int(groups[2]) else { return nil }
            (year, month, day) = second > 12 ? (y, first, second) : (y, second, first)
            precision = .day
        } else {
            switch precision {
            case .day:
                if let y = Int(groups[0]), groups[0].count == 4 {
                    (year, month, day) = (y, Int(groups[1]) ?? 0, Int(groups[2]) ?? 0)
                } else if let d = Int(groups[0]), let m = monthNumber(groups[1]) {
                    (year, month, day) = (Int(groups[2]) ?? 0, m, d)
                } else if let m = monthNumber(groups[0]) {
                    (year, month, day) = (Int(groups[2]) ?? 0, m, Int(groups[1]) ?? 0)
                }
            case .month:
                guard let m = monthNumber(groups[0]) else { return nil }
                (year, month) = (Int(groups[1]) ?? 0, m)
            case .year, .numericDay:
                year = Int(groups[0]) ?? 0
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard (1800...2199).contains(year), (1...12).contains(month), (1...31).contains(day),
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.component(.day, from: date) == day
        else { return nil }
        let label: String
        switch precision {
        case .day: label = String(format: "%04d-%02d-%02d", year, month, day)
        case .month: label = String(format: "%04d-%02d", year, month)
        case .year, .numericDay: label = String(year)
        }
        return DateMention(label: label, precision: precision, date: date, range: range)
    }
}
