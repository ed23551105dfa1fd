//! One catalogue for every text shown to people, in French and English: error messages
//! (`errors`), what the domain writes on documents (`documents`), the closure e-mails
//! (`mails`) and the web pages (`pages`). Each text is written in both languages side by
//! side (a function over `Lang`, or one constant of a struct per language), so that one
//! cannot exist without the other; the domain and the transports pick, never write.

pub mod documents;
pub mod errors;
pub mod mails;
pub mod pages;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// Picks the supported language with the highest `q` in an `Accept-Language` header;
    /// English when none is supported.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::En };
        let mut best: Option<(f32, Lang)> = None;
        for part in h.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q =
                it.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok())).unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("fr") => Lang::Fr,
                Some("en") => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    /// The text of this language among the two.
    pub(crate) fn pick(self, en: impl Into<String>, fr: impl Into<String>) -> String {
        match self {
            Lang::En => en.into(),
            Lang::Fr => fr.into(),
        }
    }

    /// The language of a document, an account or a recipient, from its seed code (`fr`,
    /// `fr_FR`, `en`, `de`…): French for French, English for every other.
    pub fn of_document(code: &str) -> Lang {
        if code.trim_start().to_ascii_lowercase().starts_with("fr") { Lang::Fr } else { Lang::En }
    }

    pub fn is_french(self) -> bool {
        self == Lang::Fr
    }
}
