//! A document as PDF: A4, the PDF standard fonts Helvetica and
//! Helvetica-Bold (WinAnsi-encoded, never embedded, so no font file is
//! shipped or downloaded), lines broken by the fonts' real widths.

use printpdf::{
    BuiltinFont, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Pt, TextItem,
};

use super::document::{Block, Doc};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 20.0;
const BODY: f32 = 10.5;
const PT_PER_MM: f32 = 72.0 / 25.4;

/// One placed line of text.
struct Line {
    bold: bool,
    size: f32,
    x: f32,
    y: f32,
    text: String,
}

struct Fonts {
    regular: Option<ParsedFont>,
    bold: Option<ParsedFont>,
}

impl Fonts {
    /// Width of `s` in mm at `size` points.
    fn width(&self, s: &str, bold: bool, size: f32) -> f32 {
        let font = if bold { &self.bold } else { &self.regular };
        let units: f32 = match font {
            Some(f) => {
                let per_em = f32::from(f.units_per_em.max(1));
                s.chars()
                    .map(|c| {
                        f.lookup_glyph_index(c as u32)
                            .and_then(|g| f.get_glyph_width(g))
                            .map_or(0.6, |w| f32::from(w) / per_em)
                    })
                    .sum()
            }
            // Without metrics: a generous average so lines never overflow.
            None => s.chars().count() as f32 * 0.6,
        };
        units * size / PT_PER_MM
    }

    /// `text` broken into lines no wider than `width` mm.
    fn wrap(&self, text: &str, bold: bool, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, bold, size) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Places lines top to bottom, starting a new page when one is full.
struct Layout {
    fonts: Fonts,
    pages: Vec<Vec<Line>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            fonts: Fonts {
                regular: BuiltinFont::Helvetica.get_parsed_font(),
                bold: BuiltinFont::HelveticaBold.get_parsed_font(),
            },
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN,
        }
    }

    fn line_height(size: f32) -> f32 {
        size * 1.35 / PT_PER_MM
    }

    /// Room for `mm` more on this page, else a new page.
    fn need(&mut self, mm: f32) {
        if self.y - mm < MARGIN + 8.0 {
            self.pages.push(Vec::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text(&mut self, text: &str, bold: bool, size: f32, x: f32, width: f32) {
        for l in self.fonts.wrap(text, bold, size, width) {
            let h = Self::line_height(size);
            self.need(h);
            self.y -= h;
            let y = self.y;
            self.pages.last_mut().expect("a page").push(Line {
                bold,
                size,
                x,
                y,
                text: l,
            });
        }
    }

    fn gap(&mut self, mm: f32) {
        self.y -= mm;
    }
}

pub fn render(doc: &Doc) -> Vec<u8> {
    let mut l = Layout::new();
    let width = PAGE_W - 2.0 * MARGIN;
    l.text(&doc.title, true, 16.0, MARGIN, width);
    l.gap(1.0);
    l.text(&doc.school_line, false, BODY, MARGIN, width);
    l.gap(3.0);
    for block in &doc.blocks {
        match block {
            Block::Heading(t) => {
                l.gap(2.5);
                l.need(14.0);
                l.text(t, true, 12.5, MARGIN, width);
                l.gap(1.0);
            }
            Block::Para(t) => {
                l.text(t, false, BODY, MARGIN, width);
                l.gap(2.0);
            }
            Block::List(items) => {
                for item in items {
                    let before = l.y;
                    l.text(item, false, BODY, MARGIN + 5.0, width - 5.0);
                    // The bullet on the item's first line.
                    let first_y = before - Layout::line_height(BODY);
                    if let Some(page) = l.pages.last_mut() {
                        if page.iter().any(|x| (x.y - first_y).abs() < 0.01) {
                            page.push(Line {
                                bold: false,
                                size: BODY,
                                x: MARGIN + 1.0,
                                y: first_y,
                                text: "•".into(),
                            });
                        }
                    }
                    l.gap(0.8);
                }
                l.gap(1.5);
            }
            Block::Pairs(rows) => {
                let label_w = 50.0;
                for (k, v) in rows {
                    // A row stays on one page (unless it is longer than a page).
                    let lines = l
                        .fonts
                        .wrap(k, true, BODY, label_w - 3.0)
                        .len()
                        .max(l.fonts.wrap(v, false, BODY, width - label_w).len());
                    let height = lines as f32 * Layout::line_height(BODY);
                    if height < PAGE_H - 2.0 * MARGIN - 10.0 {
                        l.need(height);
                    }
                    let top = l.y;
                    let page_before = l.pages.len();
                    l.text(k, true, BODY, MARGIN, label_w - 3.0);
                    let after_label = l.y;
                    if l.pages.len() == page_before {
                        l.y = top;
                    }
                    l.text(v, false, BODY, MARGIN + label_w, width - label_w);
                    l.y = l.y.min(after_label);
                    l.gap(2.0);
                }
            }
            Block::Signature(lines) => {
                l.gap(6.0);
                for s in lines {
                    l.need(16.0);
                    l.gap(10.0);
                    l.text(
                        "_______________________________________",
                        false,
                        BODY,
                        MARGIN,
                        width,
                    );
                    l.text(s, false, 8.5, MARGIN, width);
                }
            }
        }
    }
    l.gap(4.0);
    l.text(&doc.footer, false, 8.0, MARGIN, width);

    let count = l.pages.len();
    let pages = l
        .pages
        .into_iter()
        .enumerate()
        .map(|(i, lines)| {
            let mut ops = Vec::with_capacity(lines.len() * 5 + 5);
            let footer = Line {
                bold: false,
                size: 8.0,
                x: MARGIN,
                y: MARGIN - 6.0,
                text: format!("{} – Seite {} von {count}", doc.title, i + 1),
            };
            for line in lines.iter().chain(std::iter::once(&footer)) {
                let font = if line.bold {
                    BuiltinFont::HelveticaBold
                } else {
                    BuiltinFont::Helvetica
                };
                ops.push(Op::StartTextSection);
                ops.push(Op::SetFont {
                    font: PdfFontHandle::Builtin(font),
                    size: Pt(line.size),
                });
                ops.push(Op::SetTextCursor {
                    pos: Point::new(Mm(line.x), Mm(line.y)),
                });
                ops.push(Op::ShowText {
                    items: vec![TextItem::Text(line.text.clone())],
                });
                ops.push(Op::EndTextSection);
            }
            PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops)
        })
        .collect();
    let mut pdf = PdfDocument::new(&doc.title);
    pdf.with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut Vec::new())
}
