//! Text taken from an imported file, made safe to show on a terminal or in a log.
//!
//! An import file is written by a stranger, or is not the file the operator meant (a
//! spreadsheet saved under a `.csv` name, a binary). Its header names, cell values and
//! keys reach the operator's terminal in reports and errors; raw, an escape sequence in
//! them would drive the terminal (clear it, retitle it, hide the lines after it) and a
//! bidirectional control would show text in another order than it has. So every
//! character that is not plain visible text is written as a Rust string literal writes
//! it (`\u{1b}`, `\n`, `\u{202e}`), and bytes that are not UTF-8 as `\xNN`.
//!
//! Backslashes are left as they are: messages already hold values written with `{:?}`,
//! and escaping them again would turn `\u{1b}` into `\\u{1b}`. Escaping is therefore
//! idempotent, and safe to apply both where a message is built and where it is printed.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Whether a character must not reach a terminal as it is: control characters (C0, DEL
/// and C1, which hold the escape and CSI that start terminal commands), and the invisible
/// format characters that reorder or hide text (bidirectional controls, zero-width
/// characters, line and paragraph separators, the byte-order mark).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// Text with every [unsafe](is_unsafe) character escaped; borrowed when there is none.
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(Escaped(text).to_string())
    } else {
        Cow::Borrowed(text)
    }
}

/// Shows text with its [unsafe](is_unsafe) characters escaped: `\t`, `\n`, `\r`, `\0`
/// for those, `\u{…}` for the others.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if !is_unsafe(c) {
                fmt::Write::write_char(f, c)?;
            } else if c.is_control() {
                write!(f, "{}", c.escape_debug())?;
            } else {
                // escape_debug would print some format characters as they are.
                write!(f, "{}", c.escape_unicode())?;
            }
        }
        Ok(())
    }
}

/// Shows bytes as [`Escaped`] text, with each byte that is not part of valid UTF-8 as
/// `\xNN`.
#[derive(Debug, Clone, Copy)]
pub struct EscapedBytes<'a>(pub &'a [u8]);

impl fmt::Display for EscapedBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            Escaped(chunk.valid()).fmt(f)?;
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

/// A path as the operator can read it: escaped, with the bytes of a name that is not
/// UTF-8 as `\xNN` (a file name is as much a stranger's text as the file's content).
pub fn path(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        EscapedBytes(path.as_os_str().as_bytes()).to_string()
    }
    #[cfg(not(unix))]
    {
        escape(&path.to_string_lossy()).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_commands_and_invisible_characters_are_escaped() {
        assert_eq!(
            escape("\u{1b}[31mrosso\u{1b}[0m"),
            "\\u{1b}[31mrosso\\u{1b}[0m"
        );
        assert_eq!(escape("a\tb\nc\rd\0"), "a\\tb\\nc\\rd\\0");
        // C1 CSI, DEL, a right-to-left override, a zero-width space, a BOM.
        assert_eq!(
            escape("\u{9b}2J\u{7f}x\u{202e}y\u{200b}z\u{feff}"),
            "\\u{9b}2J\\u{7f}x\\u{202e}y\\u{200b}z\\u{feff}"
        );
    }

    #[test]
    fn plain_text_is_kept_and_borrowed() {
        for text in [
            "Città di Castello",
            "Straße",
            "名前",
            "C:\\dati",
            "\"quoted\"",
        ] {
            assert!(
                matches!(escape(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = escape("\u{1b}]0;title\u{7}").into_owned();
        assert_eq!(escape(&once), once);
        assert_eq!(escape(&format!("{:?}", "\u{1b}")), "\"\\u{1b}\"");
    }

    #[test]
    fn invalid_utf8_is_shown_byte_by_byte() {
        assert_eq!(
            EscapedBytes(b"PK\x03\x04\xff\xfeok\xc3\xa0").to_string(),
            "PK\\u{3}\\u{4}\\xff\\xfeokà"
        );
    }

    #[cfg(unix)]
    #[test]
    fn paths_are_escaped_too() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"dati\x1b[2J\xff.csv"));
        assert_eq!(path(p), "dati\\u{1b}[2J\\xff.csv");
    }
}
