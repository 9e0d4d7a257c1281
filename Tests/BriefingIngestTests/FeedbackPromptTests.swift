import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("A page's feedback prompts and a translator's credit are not the article")
struct FeedbackPromptTests {
    @Test(
        "each is left out of the body",
        arguments: [
            "Was this page useful?", "👍 Was this briefing helpful?", "Noticed a typo? Let the desk know.",
            "Is there an error on this page?", "Translated from the Portuguese by Inês Albuquerque.",
        ])
    func leftOut(line: String) throws {
        let text = """
            The Case for a Harbour Levy

            By Oona Prendergast

            Small ports have carried the cost of dredging for a decade, and the bill now falls due.

            Each berth that silts up sends freight by road, and the roads were not built for it.

            A modest levy on each tonne landed would pay for the work within five years.

            \(line)

            Yes   No
            """
        let article = try ArticleParser.parse(text, format: .text)
        #expect(!article.sections.flatMap(\.paragraphs).contains(line))
        #expect(article.sections.flatMap(\.paragraphs).count == 3)
    }
}
