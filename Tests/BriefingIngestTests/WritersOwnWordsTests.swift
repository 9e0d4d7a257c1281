import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("The writer's own words that read like a platform's")
struct WritersOwnWordsTests {
    static func mail(closing: [String]) -> String {
        """
        From: Lockside Letters <post@locksideletters.example>
        Subject: The case for a harbour levy

        The Case for a Harbour Levy

        By Oona Prendergast

        Small ports have carried the cost of dredging for a decade, and the
        bill now falls due. Each berth that silts up sends freight by road.

        Back to the harbour master's question. The levy is set for five years
        at a fixed rate, and if the silt comes faster than the surveys say,
        the fund will run dry before the work is done.

        A modest levy on each tonne landed would pay for the work within five
        years, if the rate is set against the surveys rather than the budget.

        """ + closing.joined(separator: "\n\n") + "\n\nUnsubscribe: https://locksideletters.example/unsubscribe\n"
    }

    static func body(_ article: ParsedArticle) -> String {
        article.sections.flatMap(\.paragraphs).joined(separator: "\n")
    }

    @Test("an invitation to reply in the writer's own voice stays; the platform's does not")
    func replyInvitation() throws {
        let article = try ArticleParser.parse(
            Self.mail(closing: [
                "I will be at the harbour board on the 16th. If you have questions for it, reply to this email and I will put as many as I can.",
                "Reply to this email to leave a comment.",
            ]), format: .text)
        let body = Self.body(article)
        #expect(body.contains("reply to this email and I will put as many as I can"))
        #expect(!body.contains("to leave a comment"))
    }

    @Test("a paragraph that opens 'Back to …' is prose, not a page's link")
    func backToIsProse() throws {
        let body = Self.body(try ArticleParser.parse(Self.mail(closing: []), format: .text))
        #expect(body.contains("Back to the harbour master's question."))
    }

    @Test("a wrapped line ending on 'in' goes on, even when the next opens like a label ('Europe: …')")
    func wrappedBeforeColon() throws {
        let text = """
            The Case for a Harbour Levy

            By Oona Prendergast

            Small ports have set themselves one of the most ambitious dredging targets in
            Europe: forty berths cleared by 2030, and every lock gate on the estuary replaced
            before the next winter storms. The bill for it falls due this year, and the ports
            have not yet said how they will meet it.

            Each berth that silts up sends freight by road, and the roads around the estuary
            were never built for it. A modest levy on each tonne landed would pay for the work
            within five years, if the rate is set against the surveys rather than the budget.
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(article.sections.allSatisfy { $0.heading == nil })
        #expect(article.sections.flatMap(\.paragraphs).first?.hasPrefix("Small ports have set themselves one of the most ambitious dredging targets in Europe: forty") == true)
    }
}
