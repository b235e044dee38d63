//! Text folding for search: case- and accent-insensitive matching (`caritá`, `CARITA`
//! and `carità` all fold to `carita`).

/// The longest free-text query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Folds text to lowercase ASCII: accents dropped, other scripts transliterated.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(
            deunicode::deunicode(text)
                .chars()
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    out
}

/// A folded query: every word must occur in the folded text for it to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    words: Vec<String>,
}

impl TextQuery {
    /// Splits a query into folded words. `None` when it holds no word at all.
    pub fn new(query: &str) -> Option<Self> {
        let folded = fold(query);
        let words: Vec<String> = folded
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        (!words.is_empty()).then_some(Self { words })
    }

    /// Whether every word of the query occurs in `folded_text` (already [`fold`]ed).
    pub fn matches(&self, folded_text: &str) -> bool {
        self.words.iter().all(|w| folded_text.contains(w.as_str()))
    }

    /// Like [`matches`](Self::matches) on ASCII text that is not lowercased: for ASCII,
    /// folding is lowercasing, so no folded copy needs to be kept.
    pub fn matches_ascii_ignoring_case(&self, ascii_text: &str) -> bool {
        let hay = ascii_text.as_bytes();
        self.words.iter().all(|w| {
            let w = w.as_bytes();
            w.len() <= hay.len() && hay.windows(w.len()).any(|win| win.eq_ignore_ascii_case(w))
        })
    }
}

/// A value shortened for an error message, so a 10 000-character input is not echoed
/// whole.
pub fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(MAX).collect();
        c.push('…');
        c
    }
}

/// Whether `s` holds no control character, quote or backslash: text that a JSON writer
/// can copy as it is. Nearly all text is; knowing it when the listing is built
/// saves every answer checking the name, organisation and address again.
pub fn is_plain(s: &str) -> bool {
    !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_together() {
        let text = fold("Centro d'ascolto Caritas – Carità diocesana");
        for q in ["caritá", "CARITA", "carità", "ascolto carita"] {
            assert!(TextQuery::new(q).unwrap().matches(&text), "{q}");
        }
        assert!(!TextQuery::new("mensa").unwrap().matches(&text));
        let q = TextQuery::new("CARITAS ascolto").unwrap();
        assert!(q.matches_ascii_ignoring_case("Centro d'Ascolto caritas"));
        assert!(!q.matches_ascii_ignoring_case("Caritas"));
        assert!(TextQuery::new(" ,;- ").is_none());
    }

    /// Plain means exactly what JSON can copy unescaped: every byte below 0x20, a quote
    /// and a backslash make text not plain, wherever they are; nothing else does.
    #[test]
    fn plain_text_is_what_json_copies_as_it_is() {
        for b in 0u8..=0x7f {
            let c = char::from(b);
            let special = b < 0x20 || c == '"' || c == '\\';
            for s in [format!("{c}"), format!("Via Roma {c} 3"), format!("abc{c}")] {
                assert_eq!(is_plain(&s), !special, "{s:?}");
                let json = serde_json::to_string(&s).unwrap();
                assert_eq!(json == format!("\"{s}\""), is_plain(&s), "{s:?}");
            }
        }
        assert!(is_plain("carità — «Siena» 🧭 </script>"));
    }
}
