//! Text as the directory keeps it.
//!
//! - Checking: [`checked_text`] is the one gate for every free-text field a stranger can
//!   fill (names, organisation, address, descriptions, notes, contacts). It refuses the
//!   characters that make stored text differ from what it shows — controls, invisible
//!   characters, text-direction overrides — naming the character (`U+202E`), and stores
//!   the rest in NFC, so two spellings that look the same are the same bytes.
//! - Folding for search: case- and accent-insensitive matching (`caritá`, `CARITA` and
//!   `carità` all fold to `carita`).

use std::fmt;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use unicode_properties::{GeneralCategory, UnicodeEmoji, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};

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

/// A folded query: its words, which the index's text index matches (see
/// [`TextIndex`](crate::index::text::TextIndex)).
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

    /// The query's folded words, in order.
    pub fn words(&self) -> &[String] {
        &self.words
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

/// How a text field may be laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One line: names, organisation, address, contact details. Tabs and line breaks
    /// become spaces (a pasted address often holds one), and a zero-width joiner is
    /// accepted only inside words of scripts that need it.
    Line,
    /// Paragraphs: descriptions and notes. Line breaks and tabs are kept (Windows and old
    /// Mac line ends become `\n`), and a zero-width joiner may also join emoji (👩‍👧).
    Paragraphs,
}

/// What kind of character a text was refused for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// A control character (C0, C1, DEL) other than the whitespace the field allows.
    Control,
    /// A bidirectional formatting character: it makes text display in another order than
    /// it is stored and read (a right-to-left override turns `gpj.exe` into `exe.jpg`).
    Direction,
    /// A character that shows nothing: zero-width space, a joiner where no script needs
    /// one, byte-order mark, soft hyphen, word joiner, tag characters, Hangul fillers, …
    /// Two names that look the same would differ by it.
    Invisible,
    /// A private-use character: what it looks like depends on a font; most devices show a
    /// box.
    PrivateUse,
    /// A code point that Unicode has not assigned: nothing can show it.
    Unassigned,
}

/// A character a text field refuses, and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForbiddenChar {
    /// The character.
    pub ch: char,
    /// Its position among the characters of the text as sent, from 1.
    pub position: usize,
    /// Why it is refused.
    pub kind: Forbidden,
}

impl fmt::Display for ForbiddenChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "contains U+{:04X}", self.ch as u32)?;
        if let Some(name) = char_name(self.ch) {
            write!(f, " {name}")?;
        }
        let what = match self.kind {
            Forbidden::Control => "a control character",
            Forbidden::Direction => "an invisible text-direction control",
            Forbidden::Invisible => "an invisible character",
            Forbidden::PrivateUse => "a private-use character that most devices cannot show",
            Forbidden::Unassigned => "a code point that is not a Unicode character",
        };
        write!(
            f,
            " at character {}, {what}, which is not allowed: delete it or retype the text",
            self.position
        )
    }
}

impl std::error::Error for ForbiddenChar {}

/// Checks and tidies free text a person sent for a field laid out as `layout`: trims it
/// (whitespace and, at either end only, zero-width spaces, joiners and byte-order marks,
/// which copy-and-paste leaves behind), turns line breaks and tabs into what the layout
/// allows, and stores it in NFC. `Ok(None)` when nothing is left.
///
/// Refused, with the first such character named ([`ForbiddenChar`]): control characters
/// other than tab and line breaks; every text-direction control (U+061C, U+200E,
/// U+200F, U+202A–U+202E, U+2066–U+2069); every other format character (General
/// Category Cf: U+00AD, U+200B, U+2060–U+2064, U+FEFF, tags, …) except a zero-width
/// joiner or non-joiner where a script needs it — after a virama (Indic conjuncts), after
/// a letter of a cursive script (Arabic, Persian, Syriac, …) and, in paragraphs only,
/// between emoji; blank fillers (U+034F, U+115F, U+1160, U+17B4, U+17B5, U+2800, U+3164,
/// U+FFA0); private-use and unassigned code points.
pub fn checked_text(raw: &str, layout: Layout) -> Result<Option<String>, ForbiddenChar> {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || is_edge_invisible(c));
    if trimmed.is_empty() {
        return Ok(None);
    }
    // Positions count from the start of the text as sent.
    let lead = raw[..raw.len()
        - raw
            .trim_start_matches(|c: char| c.is_whitespace() || is_edge_invisible(c))
            .len()]
        .chars()
        .count();
    if let Some(bad) = first_forbidden(trimmed, layout) {
        return Err(ForbiddenChar {
            position: bad.position + lead,
            ..bad
        });
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, layout) {
            ('\r', _) if chars.peek() == Some(&'\n') => {}
            ('\r' | '\n' | '\u{2028}' | '\u{2029}', Layout::Paragraphs) => out.push('\n'),
            ('\t', Layout::Paragraphs) => out.push('\t'),
            ('\r' | '\n' | '\u{2028}' | '\u{2029}' | '\t', Layout::Line) => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            _ => out.push(c),
        }
    }
    if !unicode_normalization::is_nfc(&out) {
        out = out.nfc().collect();
    }
    Ok(Some(out))
}

/// The first character of `text` that a field laid out as `layout` refuses, if any.
pub fn first_forbidden(text: &str, layout: Layout) -> Option<ForbiddenChar> {
    // Nearly all text is printable ASCII: one pass over the bytes settles it.
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    let mut position = 0;
    while let Some(c) = chars.next() {
        position += 1;
        if let Some(kind) = forbidden(c, prev, chars.peek().copied(), layout) {
            return Some(ForbiddenChar {
                ch: c,
                position,
                kind,
            });
        }
        prev = Some(c);
    }
    None
}

/// Characters trimmed at the ends of a text like whitespace: the zero-width ones that
/// copy-and-paste leaves behind. At an end they separate nothing; inside they are refused.
fn is_edge_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn forbidden(c: char, prev: Option<char>, next: Option<char>, layout: Layout) -> Option<Forbidden> {
    if c.is_ascii() {
        return (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
            .then_some(Forbidden::Control);
    }
    match c {
        '\u{200C}' | '\u{200D}' => {
            return (!joiner_needed(prev, next, layout)).then_some(Forbidden::Invisible);
        }
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => {
            return Some(Forbidden::Direction);
        }
        // Letters and marks by category, yet blank: the usual way to make a name of nothing.
        '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{2800}'
        | '\u{3164}' | '\u{FFA0}' => return Some(Forbidden::Invisible),
        // Line breaks of their own, laid out like `\n`.
        '\u{2028}' | '\u{2029}' => return None,
        _ => {}
    }
    match c.general_category() {
        GeneralCategory::Control => Some(Forbidden::Control),
        GeneralCategory::Format => Some(Forbidden::Invisible),
        GeneralCategory::PrivateUse => Some(Forbidden::PrivateUse),
        GeneralCategory::Unassigned | GeneralCategory::Surrogate => Some(Forbidden::Unassigned),
        _ => None,
    }
}

/// Whether a zero-width joiner or non-joiner between `prev` and `next` does a job: after
/// a virama it chooses how Indic consonants join (the rule of RFC 5892's CONTEXTJ);
/// after a letter of a cursive script it breaks or forces a join (Persian writes `می‌خواهم`
/// with one); between emoji (paragraphs only) it makes one picture of several. Names keep
/// no emoji sequences: they are searched and compared for look-alikes as text, and a
/// device without the sequence shows its parts.
fn joiner_needed(prev: Option<char>, next: Option<char>, layout: Layout) -> bool {
    let Some(p) = prev else { return false };
    if canonical_combining_class(p) == 9 {
        return true;
    }
    if is_letter_or_mark(p) {
        let scripts = p.script_extension();
        return JOINING_SCRIPTS.iter().any(|s| scripts.contains_script(*s));
    }
    layout == Layout::Paragraphs
        && !p.is_ascii()
        && (p.is_emoji_char() || p.is_emoji_component())
        && next.is_some_and(|n| !n.is_ascii() && n.is_emoji_char())
}

/// Scripts whose letters join (cursive): joiners shape them.
const JOINING_SCRIPTS: &[Script] = &[
    Script::Arabic,
    Script::Syriac,
    Script::Mandaic,
    Script::Mongolian,
    Script::Nko,
    Script::Manichaean,
    Script::Psalter_Pahlavi,
    Script::Adlam,
    Script::Hanifi_Rohingya,
    Script::Sogdian,
    Script::Old_Uyghur,
];

fn is_letter_or_mark(c: char) -> bool {
    use unicode_properties::GeneralCategoryGroup;
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark
    )
}

/// The Unicode names of the characters people meet by accident or abuse on purpose, so a
/// message can say which one it is.
fn char_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{0000}' => "NULL",
        '\u{007F}' => "DELETE",
        '\u{0085}' => "NEXT LINE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{034F}' => "COMBINING GRAPHEME JOINER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{17B4}' => "KHMER VOWEL INHERENT AQ",
        '\u{17B5}' => "KHMER VOWEL INHERENT AA",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{2800}' => "BRAILLE PATTERN BLANK",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte-order mark)",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{E0001}' => "LANGUAGE TAG",
        '\u{E0020}'..='\u{E007F}' => "TAG CHARACTER",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_fold_together() {
        assert_eq!(
            fold("Centro d'ascolto Carità – CARITÁ"),
            "centro d'ascolto carita - carita"
        );
        for q in ["caritá", "CARITA", "carità"] {
            assert_eq!(TextQuery::new(q).unwrap().words(), ["carita"], "{q}");
        }
        assert_eq!(
            TextQuery::new("Ascolto, carità!").unwrap().words(),
            ["ascolto", "carita"]
        );
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

    fn refused(text: &str, layout: Layout) -> ForbiddenChar {
        checked_text(text, layout).expect_err(text)
    }

    #[test]
    fn ordinary_text_passes_trimmed_and_in_nfc() {
        let ok = |t: &str, l| checked_text(t, l).unwrap();
        assert_eq!(
            ok("  Sportello Famiglia ", Layout::Line).as_deref(),
            Some("Sportello Famiglia")
        );
        assert_eq!(ok(" \t ", Layout::Line), None);
        // "Famìglia" typed with a combining accent is stored like the precomposed one.
        assert_eq!(
            ok("Fami\u{300}glia", Layout::Line).as_deref(),
            Some("Famìglia")
        );
        for t in [
            "Centro d'ascolto Caritas – Carità «diocesana» 🧭 </script>",
            "Associazione Italia–Ucraina «Дружба»",
            "مركز الجالية",
            "日本語の案内",
            "Ωmega ☎ 0577 292111",
        ] {
            assert_eq!(ok(t, Layout::Line).as_deref(), Some(t), "{t}");
        }
    }

    #[test]
    fn line_breaks_follow_the_layout() {
        let ok = |t: &str, l| checked_text(t, l).unwrap().unwrap();
        assert_eq!(
            ok("Via Roma 3\r\n53100 Siena", Layout::Line),
            "Via Roma 3 53100 Siena"
        );
        assert_eq!(ok("Via Roma 3 \n\tSiena", Layout::Line), "Via Roma 3 Siena");
        assert_eq!(
            ok(
                "riga 1\r\nriga 2\rriga 3\u{2028}\triga 4",
                Layout::Paragraphs
            ),
            "riga 1\nriga 2\nriga 3\n\triga 4"
        );
    }

    #[test]
    fn invisible_and_direction_controls_are_refused_by_name() {
        let e = refused("Sportello\u{200B}Famiglia", Layout::Line);
        assert_eq!(
            (e.ch, e.position, e.kind),
            ('\u{200B}', 10, Forbidden::Invisible)
        );
        assert_eq!(
            e.to_string(),
            "contains U+200B ZERO WIDTH SPACE at character 10, an invisible character, \
             which is not allowed: delete it or retype the text"
        );
        let e = refused("\u{202E}ailgimaF olletropS", Layout::Line);
        assert_eq!((e.position, e.kind), (1, Forbidden::Direction));
        assert!(
            e.to_string()
                .starts_with("contains U+202E RIGHT-TO-LEFT OVERRIDE at character 1"),
            "{e}"
        );
        // Positions count what was sent, leading blanks included.
        assert_eq!(refused("  a\u{2066}b", Layout::Paragraphs).position, 4);
        for (c, kind) in [
            ('\u{0007}', Forbidden::Control),
            ('\u{0000}', Forbidden::Control),
            ('\u{007F}', Forbidden::Control),
            ('\u{0085}', Forbidden::Control),
            ('\u{009B}', Forbidden::Control),
            ('\u{00AD}', Forbidden::Invisible),
            ('\u{034F}', Forbidden::Invisible),
            ('\u{061C}', Forbidden::Direction),
            ('\u{115F}', Forbidden::Invisible),
            ('\u{180E}', Forbidden::Invisible),
            ('\u{2800}', Forbidden::Invisible),
            ('\u{3164}', Forbidden::Invisible),
            ('\u{FFA0}', Forbidden::Invisible),
            ('\u{FFF9}', Forbidden::Invisible),
            ('\u{E0041}', Forbidden::Invisible),
            ('\u{E000}', Forbidden::PrivateUse),
            ('\u{10FFFD}', Forbidden::PrivateUse),
            ('\u{0378}', Forbidden::Unassigned),
        ]
        .into_iter()
        .chain(
            ('\u{200B}'..='\u{200F}')
                .filter(|c| !matches!(c, '\u{200C}' | '\u{200D}'))
                .map(|c| {
                    (
                        c,
                        if c == '\u{200B}' {
                            Forbidden::Invisible
                        } else {
                            Forbidden::Direction
                        },
                    )
                }),
        )
        .chain(('\u{202A}'..='\u{202E}').map(|c| (c, Forbidden::Direction)))
        .chain(('\u{2060}'..='\u{2064}').map(|c| (c, Forbidden::Invisible)))
        .chain(('\u{2066}'..='\u{2069}').map(|c| (c, Forbidden::Direction)))
        .chain([('\u{FEFF}', Forbidden::Invisible)])
        {
            for layout in [Layout::Line, Layout::Paragraphs] {
                let e = refused(&format!("ab{c}cd"), layout);
                assert_eq!(
                    (e.ch, e.position, e.kind),
                    (c, 3, kind),
                    "U+{:04X}",
                    c as u32
                );
                assert!(
                    e.to_string().contains(&format!("U+{:04X}", c as u32)),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn zero_width_characters_at_the_ends_are_trimmed_like_spaces() {
        let ok = |t: &str| checked_text(t, Layout::Line).unwrap();
        assert_eq!(
            ok("\u{FEFF}Biblioteca Cultura\u{200B} ").as_deref(),
            Some("Biblioteca Cultura")
        );
        assert_eq!(ok("\u{200B}\u{2060}"), None);
        // Direction controls are never a copy-and-paste leftover: refused at the ends too.
        assert_eq!(
            refused("Sportello\u{202C}", Layout::Line).kind,
            Forbidden::Direction
        );
    }

    #[test]
    fn joiners_are_kept_where_a_script_needs_them() {
        let ok = |t: &str, l| checked_text(t, l).unwrap().unwrap();
        // Persian: a non-joiner inside a word.
        let persian = "می\u{200C}خواهم";
        assert_eq!(ok(persian, Layout::Line), persian);
        // Devanagari: a virama, then a joiner (half form).
        let hindi = "क्\u{200D}ष";
        assert_eq!(ok(hindi, Layout::Line), hindi);
        // Emoji sequences in a description, not in a name.
        let family = "Per le famiglie 👩\u{200D}👩\u{200D}👧 e i bambini";
        assert_eq!(ok(family, Layout::Paragraphs), family);
        assert_eq!(refused(family, Layout::Line).ch, '\u{200D}');
        let rainbow = "🏳\u{FE0F}\u{200D}🌈";
        assert_eq!(ok(rainbow, Layout::Paragraphs), rainbow);
        // Between Latin letters a joiner joins nothing: it only makes two names differ.
        for t in [
            "Sport\u{200D}ello",
            "Sport\u{200C}ello",
            "a\u{200D}👧",
            "👩\u{200D}a",
        ] {
            assert_eq!(
                refused(t, Layout::Paragraphs).kind,
                Forbidden::Invisible,
                "{t}"
            );
        }
    }
}
