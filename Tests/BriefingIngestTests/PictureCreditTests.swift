import BriefingIngest
import BriefingModel
import Foundation
import Testing

@Suite("Picture credits: a stand-in over its credit, an agency in brackets, a footer after it")
struct PictureCreditTests {
    static func page(_ top: String) -> String {
        """
        The Case for a Harbour Levy

        By Oona Prendergast

        \(top)

        Small ports have carried the cost of dredging for a decade, and the bill now falls due.

        Each berth that silts up sends freight by road, and the roads were not built for it.

        A modest levy on each tonne landed would pay for the work within five years.
        """
    }

    @Test("a text mail's '[Image: …]' over a labelled credit: the credit is the labelled line's")
    func standInOverCredit() throws {
        let article = try ArticleParser.parse(
            Self.page("[Image: Dredgers at work in the outer harbour at dusk]\nPhoto: Ana Quiroga/Costa Press"), format: .text)
        #expect(article.imageCredit == "Ana Quiroga/Costa Press")
    }

    @Test("a caption that ends with an agency in brackets is the picture's credit, not a heading")
    func agencyInBrackets() throws {
        for caption in ["Barges wait at the lock gates in Wexmoor (Tidewater Press Images)", "Barges wait at the lock gates in Wexmoor (AFP/Ana Quiroga)"] {
            let article = try ArticleParser.parse(Self.page("Share on X   Copy link\n\n" + caption), format: .text)
            #expect(article.imageCredit == caption)
            #expect(article.sections.allSatisfy { $0.heading != caption })
        }
    }

    @Test("a PDF's running footer after the cover's credit is not part of it")
    func footerAfterCredit() throws {
        let article = try ArticleParser.parse(
            Self.page("Cover photo: Dredgers in the outer harbour. Photo: Ana Quiroga www.harbourlevy.example Page 1 of 6"), format: .text)
        #expect(article.imageCredit == "Dredgers in the outer harbour. Photo: Ana Quiroga")
    }

    @Test("'Image via …' and 'Photo courtesy of …' are credits as written, not headings")
    func viaAndCourtesy() throws {
        for line in ["Image via Wexmoor Harbour Archive", "Photo courtesy of the Wexmoor Lock Trust"] {
            let article = try ArticleParser.parse(Self.page(line), format: .text)
            #expect(article.imageCredit == line)
            #expect(article.sections.allSatisfy { $0.heading != line })
        }
    }

    @Test("the article's own tools in a row ('Save   Print   Download PDF') are no heading")
    func toolRow() throws {
        let article = try ArticleParser.parse(Self.page("Save   Print   Download PDF"), format: .text)
        #expect(article.sections.allSatisfy { $0.heading == nil })
        #expect(!article.sections.flatMap(\.paragraphs).contains { $0.contains("Download PDF") })
    }
}
