//! The HTML around the pages' texts (`entity::texts::pages`): escaping and the page shell.

use entity::texts::pages::PageTexts;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A whole page: the document's language, UTF-8, a title, no script.
pub fn page(t: &PageTexts, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}}\
         label{{display:block;margin:.4rem 0}}input{{width:100%;max-width:24rem}}.error{{color:#a00}}</style>\
         </head><body>{body}</body></html>",
        t.lang,
        esc(title)
    )
}
