//! Text to terms: folding, function words, Snowball stemming (Italian and English).
//!
//! The stemmers are `rust-stemmers`' Snowball algorithms, run on folded words (lowercase
//! ASCII, accents dropped: see [`fold`]), so that `città`, `Citta` and `CITTÀ` stem alike
//! in the index and in a query. A word is stemmed with its text's language; text whose
//! language is not known (names, addresses) is stemmed both ways by the caller.

use crate::domain::Lang;
use crate::domain::text::fold;
use rust_stemmers::{Algorithm, Stemmer};
use std::sync::OnceLock;

/// One word of a text as search sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The word folded: lowercase ASCII.
    pub word: String,
    /// Its Snowball stem in the text's language.
    pub stem: String,
}

/// The stemmers of both languages, built once.
pub struct Analyzer {
    it: Stemmer,
    en: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// Both stemmers.
    pub fn new() -> Self {
        Analyzer {
            it: Stemmer::create(Algorithm::Italian),
            en: Stemmer::create(Algorithm::English),
        }
    }

    /// The process's analyzer.
    pub fn global() -> &'static Analyzer {
        static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
        ANALYZER.get_or_init(Analyzer::new)
    }

    /// The Snowball stem of a folded word in `lang`.
    pub fn stem(&self, lang: Lang, folded_word: &str) -> String {
        match lang {
            Lang::It => self.it.stem(folded_word).into_owned(),
            Lang::En => self.en.stem(folded_word).into_owned(),
        }
    }

    /// The terms of `text` in `lang`: its folded words without the function words, each
    /// with its stem, in order.
    pub fn terms(&self, lang: Lang, text: &str) -> Vec<Term> {
        words(text)
            .into_iter()
            .filter(|w| !is_stopword(lang, w))
            .map(|word| Term {
                stem: self.stem(lang, &word),
                word,
            })
            .collect()
    }
}

/// The folded words of `text`, in order: runs of ASCII letters and digits after folding.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a folded word is a function word of `lang` (an article, preposition,
/// conjunction, pronoun, or a verb that only asks: `dove posso`, `where can I`), which
/// says nothing about the need and matches everything.
pub fn is_stopword(lang: Lang, folded_word: &str) -> bool {
    let list = match lang {
        Lang::It => STOP_IT,
        Lang::En => STOP_EN,
    };
    list.binary_search(&folded_word).is_ok()
}

// Sorted (a test checks), folded. Short on purpose: a word left out costs a little
// ranking, a word wrongly in makes a need unfindable.
const STOP_IT: &[&str] = &[
    "a",
    "abbiamo",
    "ad",
    "agli",
    "ai",
    "al",
    "alla",
    "alle",
    "allo",
    "anche",
    "avere",
    "c",
    "cerchiamo",
    "cerco",
    "che",
    "chi",
    "ci",
    "come",
    "con",
    "cosa",
    "d",
    "da",
    "dagli",
    "dai",
    "dal",
    "dalla",
    "dalle",
    "dallo",
    "degli",
    "dei",
    "del",
    "della",
    "delle",
    "dello",
    "di",
    "dove",
    "e",
    "ed",
    "gli",
    "ha",
    "hai",
    "hanno",
    "ho",
    "i",
    "il",
    "in",
    "io",
    "l",
    "la",
    "le",
    "lo",
    "ma",
    "mi",
    "mia",
    "mie",
    "miei",
    "mio",
    "ne",
    "negli",
    "nei",
    "nel",
    "nella",
    "nelle",
    "nello",
    "noi",
    "o",
    "per",
    "possiamo",
    "posso",
    "qualche",
    "qualcuno",
    "quale",
    "qui",
    "si",
    "sono",
    "su",
    "sugli",
    "sui",
    "sul",
    "sulla",
    "sulle",
    "sullo",
    "ti",
    "tra",
    "trovare",
    "trovo",
    "tu",
    "un",
    "una",
    "uno",
    "voglio",
    "vorrei",
    "vorremmo",
];

const STOP_EN: &[&str] = &[
    "a", "am", "an", "and", "any", "are", "as", "at", "be", "by", "can", "could", "do", "find",
    "for", "from", "get", "how", "i", "im", "in", "is", "it", "looking", "me", "my", "need", "of",
    "on", "or", "our", "some", "someone", "that", "the", "there", "to", "want", "we", "what",
    "where", "which", "who", "with", "would", "you",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_lists_are_sorted_folded_and_unique() {
        for list in [STOP_IT, STOP_EN] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
            assert!(list.iter().all(|w| fold(w) == *w));
        }
    }

    #[test]
    fn everyday_forms_meet_on_their_stem() {
        let a = Analyzer::new();
        let stems = |lang, text| -> Vec<String> {
            a.terms(lang, text).into_iter().map(|t| t.stem).collect()
        };
        assert_eq!(stems(Lang::It, "pasti"), stems(Lang::It, "Pasto"));
        assert_eq!(stems(Lang::It, "bollette"), stems(Lang::It, "bolletta"));
        assert_eq!(stems(Lang::It, "CITTÀ"), stems(Lang::It, "citta"));
        assert_eq!(stems(Lang::En, "meals"), stems(Lang::En, "meal"));
        // Function words say nothing about the need.
        assert_eq!(
            stems(Lang::It, "dove posso mangiare"),
            stems(Lang::It, "mangiare")
        );
        assert_eq!(stems(Lang::En, "where can I eat"), stems(Lang::En, "eat"));
        let t = a.terms(Lang::It, "Servizi per l'infanzia");
        assert_eq!(t[0].word, "servizi");
        assert_eq!(t.len(), 2, "{t:?}");
    }
}
