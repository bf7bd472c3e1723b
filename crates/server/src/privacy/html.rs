//! A document as a printable HTML page (German, no script, one stylesheet
//! from this server so that the Content-Security-Policy holds).

use super::document::{Block, Doc};

/// The stylesheet of every document page, served at [`CSS_PATH`].
pub const CSS: &str = include_str!("document.css");
pub const CSS_PATH: &str = "/datenschutz/dokument.css";

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Text with line breaks kept.
fn text(s: &str) -> String {
    escape(s).replace('\n', "<br>")
}

/// A whole page around `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<link rel=\"stylesheet\" href=\"{CSS_PATH}\">\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    )
}

pub fn render(doc: &Doc) -> String {
    let mut b = String::new();
    b.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"school\">{}</p>\n",
        escape(&doc.title),
        escape(&doc.school_line)
    ));
    for block in &doc.blocks {
        match block {
            Block::Heading(t) => b.push_str(&format!("<h2>{}</h2>\n", escape(t))),
            Block::Para(t) => b.push_str(&format!("<p>{}</p>\n", text(t))),
            Block::List(items) => {
                b.push_str("<ul>\n");
                for i in items {
                    b.push_str(&format!("<li>{}</li>\n", text(i)));
                }
                b.push_str("</ul>\n");
            }
            Block::Pairs(rows) => {
                b.push_str("<table>\n");
                for (k, v) in rows {
                    b.push_str(&format!(
                        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
                        escape(k),
                        text(v)
                    ));
                }
                b.push_str("</table>\n");
            }
            Block::Signature(lines) => {
                b.push_str("<div class=\"signatures\">\n");
                for l in lines {
                    b.push_str(&format!(
                        "<div class=\"signature\"><span>{}</span></div>\n",
                        escape(l)
                    ));
                }
                b.push_str("</div>\n");
            }
        }
    }
    b.push_str(&format!("<footer>{}</footer>", escape(&doc.footer)));
    page(&doc.title, &b)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::escape("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }
}
