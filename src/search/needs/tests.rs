use super::*;
use crate::domain::Taxonomy;
use crate::domain::text::fold;

fn cats(v: &Vocabulary, lang: Lang, text: &str) -> (Vec<String>, Vec<String>) {
    let mut c = Vec::new();
    let mut t = Vec::new();
    for m in v.find(lang, text) {
        union(&mut c, &m.categories);
        union(&mut t, &m.target_groups);
    }
    (c, t)
}

#[test]
fn builtin_vocabulary_parses_and_every_slug_is_in_the_taxonomy() {
    let taxonomy = Taxonomy::default_set();
    for e in builtin_entries() {
        assert!(!e.phrases.is_empty(), "{e:?}");
        assert!(
            !e.categories.is_empty() || !e.target_groups.is_empty(),
            "{e:?} points nowhere"
        );
        for c in &e.categories {
            assert!(taxonomy.category_bit(c).is_some(), "unknown category {c}");
        }
        for t in &e.target_groups {
            assert!(taxonomy.target_bit(t).is_some(), "unknown target group {t}");
        }
    }
}

#[test]
fn no_phrase_is_empty_after_analysis_nor_too_long() {
    for e in builtin_entries() {
        for p in &e.phrases {
            assert!(
                match_key(e.lang, p).is_some(),
                "{p:?} is only function words"
            );
            assert!(p.chars().count() <= MAX_PHRASE_CHARS, "{p:?}");
            assert_eq!(p.trim(), p, "{p:?}");
        }
    }
}

#[test]
fn every_category_and_target_group_is_reached_in_each_language() {
    let taxonomy = Taxonomy::default_set();
    for lang in [Lang::It, Lang::En] {
        let entries: Vec<&NeedEntry> = builtin_entries()
            .iter()
            .filter(|e| e.lang == lang)
            .collect();
        for c in &taxonomy.categories {
            assert!(
                entries.iter().any(|e| e.categories.contains(&c.slug)),
                "no {lang:?} phrase for category {}",
                c.slug
            );
        }
        for t in &taxonomy.target_groups {
            assert!(
                entries.iter().any(|e| e.target_groups.contains(&t.slug)),
                "no {lang:?} phrase for target group {}",
                t.slug
            );
        }
    }
}

#[test]
#[ignore = "a diagnostic: prints phrases of different meaning that share stems"]
fn print_stem_collisions() {
    let a = Analyzer::global();
    let mut by: HashMap<(Lang, String), Vec<(String, Vec<String>)>> = HashMap::new();
    for e in builtin_entries() {
        for p in &e.phrases {
            let key = a
                .terms(e.lang, p)
                .into_iter()
                .map(|t| t.stem)
                .collect::<Vec<_>>()
                .join(" ");
            by.entry((e.lang, key))
                .or_default()
                .push((p.clone(), e.categories.clone()));
        }
    }
    let mut keys: Vec<_> = by.iter().filter(|(_, v)| v.len() > 1).collect();
    keys.sort_by_key(|k| format!("{:?}", k.0));
    for (k, v) in keys {
        println!("{k:?}: {v:?}");
    }
    for w in [
        "casa", "caso", "luce", "luca", "lucia", "comune", "comunita", "studio", "studiare",
        "giovani", "giovanni", "abiti", "coperto", "visto", "aiuto", "aiutare", "centro", "campo",
        "strada", "sale", "vicino",
    ] {
        println!("it {w} -> {}", a.stem(Lang::It, w));
    }
}

/// Real sentences, as citizens type them, and the needs they name: (language, text,
/// categories, target groups), each list in any order.
const SENTENCES: &[(Lang, &str, &[&str], &[&str])] = &[
    (Lang::It, "dove posso mangiare gratis", &["food-aid"], &[]),
    (Lang::It, "pasti", &["food-aid"], &[]),
    (Lang::It, "ho fame", &["food-aid"], &[]),
    (
        Lang::It,
        "pacco alimentare per la mia famiglia",
        &["food-aid", "children-family"],
        &["minors-families"],
    ),
    (
        Lang::It,
        "buoni spesa",
        &["food-aid", "economic-support"],
        &["low-income"],
    ),
    (Lang::It, "bollette", &["home-utilities"], &[]),
    (Lang::It, "bolette", &["home-utilities"], &[]),
    (Lang::It, "la luce e il gas", &["home-utilities"], &[]),
    (
        Lang::It,
        "aiuto per pagare le bollette",
        &["home-utilities", "economic-support"],
        &["low-income"],
    ),
    (
        Lang::It,
        "non riesco a pagare l'affitto",
        &["home-utilities", "economic-support"],
        &["low-income"],
    ),
    (
        Lang::It,
        "mi hanno dato lo sfratto",
        &["home-utilities", "legal-advice", "economic-support"],
        &["low-income"],
    ),
    (Lang::It, "dormire stanotte", &["shelter"], &["homeless"]),
    (Lang::It, "sono senza casa", &["shelter"], &["homeless"]),
    (
        Lang::It,
        "centro anziani vicino a Piazza del Campo",
        &["elderly"],
        &["elderly"],
    ),
    (
        Lang::It,
        "corso di italiano per stranieri",
        &["migrants-integration", "education-culture"],
        &["migrants"],
    ),
    (
        Lang::It,
        "rinnovo del permesso di soggiorno",
        &["migrants-integration"],
        &["migrants"],
    ),
    (
        Lang::It,
        "doposcuola per mio figlio",
        &["children-family", "education-culture"],
        &["minors-families"],
    ),
    (
        Lang::It,
        "centri estivi",
        &["children-family", "education-culture"],
        &["minors-families"],
    ),
    (
        Lang::It,
        "cerco una badante per mia madre",
        &["elderly", "disability"],
        &["elderly", "disabilities"],
    ),
    (
        Lang::It,
        "consultorio",
        &["health", "children-family"],
        &["women"],
    ),
    (
        Lang::It,
        "problemi di alcol",
        &["mental-health-addiction"],
        &[],
    ),
    (
        Lang::It,
        "gioco d'azzardo",
        &["mental-health-addiction"],
        &[],
    ),
    (
        Lang::It,
        "psicologo gratuito per l'ansia",
        &["mental-health-addiction"],
        &[],
    ),
    (
        Lang::It,
        "violenza domestica",
        &["violence-support"],
        &["women"],
    ),
    (
        Lang::It,
        "centro antiviolenza",
        &["violence-support"],
        &["women"],
    ),
    (
        Lang::It,
        "sono disoccupato, cerco lavoro",
        &["work-training"],
        &[],
    ),
    (
        Lang::It,
        "CAF per l'ISEE",
        &["legal-advice", "economic-support"],
        &[],
    ),
    (Lang::It, "avvocato gratis", &["legal-advice"], &[]),
    (
        Lang::It,
        "legge 104 e invalidità",
        &["disability"],
        &["disabilities"],
    ),
    (
        Lang::It,
        "sedia a rotelle",
        &["disability"],
        &["disabilities"],
    ),
    (
        Lang::It,
        "buoni taxi per anziani",
        &["transport", "elderly"],
        &["elderly"],
    ),
    (Lang::It, "fare volontariato", &["volunteering"], &[]),
    (
        Lang::It,
        "certificato di residenza in comune",
        &["public-offices"],
        &[],
    ),
    (
        Lang::It,
        "asilo nido",
        &["children-family", "education-culture"],
        &["minors-families"],
    ),
    (Lang::It, "biblioteca con wifi", &["education-culture"], &[]),
    (
        Lang::It,
        "Bonus Benvenuto al Mondo",
        &["economic-support", "children-family"],
        &["minors-families"],
    ),
    (Lang::It, "assistente sociale", &["listening-guidance"], &[]),
    (Lang::It, "ragazzi", &[], &["young-people"]),
    // English on the Italian page, and Italian on the English one.
    (Lang::It, "food bank", &["food-aid"], &[]),
    (Lang::En, "dormitorio", &["shelter"], &["homeless"]),
    (
        Lang::En,
        "help paying rent",
        &["home-utilities", "economic-support"],
        &["low-income"],
    ),
    (Lang::En, "food bank", &["food-aid"], &[]),
    (Lang::En, "where can I get a free meal", &["food-aid"], &[]),
    (Lang::En, "I'm hungry", &["food-aid"], &[]),
    (
        Lang::En,
        "somewhere to sleep tonight",
        &["shelter"],
        &["homeless"],
    ),
    (Lang::En, "homeless shelter", &["shelter"], &["homeless"]),
    (Lang::En, "utility bills", &["home-utilities"], &[]),
    (
        Lang::En,
        "residence permit renewal",
        &["migrants-integration"],
        &["migrants"],
    ),
    (
        Lang::En,
        "Italian lessons for foreigners",
        &["migrants-integration", "education-culture"],
        &["migrants"],
    ),
    (
        Lang::En,
        "my husband hits me",
        &["violence-support"],
        &["women"],
    ),
    (
        Lang::En,
        "wheelchair taxi",
        &["transport", "disability", "elderly"],
        &["disabilities", "elderly"],
    ),
    (
        Lang::En,
        "care home for my grandmother",
        &["elderly"],
        &["elderly"],
    ),
    (
        Lang::En,
        "after school club for kids",
        &["children-family", "education-culture"],
        &["minors-families"],
    ),
    (Lang::En, "free legal advice", &["legal-advice"], &[]),
    (Lang::En, "I lost my job", &["work-training"], &[]),
    (
        Lang::En,
        "gambling addiction",
        &["mental-health-addiction"],
        &[],
    ),
    (Lang::En, "town hall", &["public-offices"], &[]),
    (Lang::En, "volunteering", &["volunteering"], &[]),
    (Lang::En, "teenagers", &[], &["young-people"]),
    // Places, times and names are not needs.
    (Lang::It, "Piazza del Campo", &[], &[]),
    (Lang::It, "via di Città 10", &[], &[]),
    (Lang::It, "aperto adesso", &[], &[]),
    (Lang::It, "vicino alla stazione", &[], &[]),
    (Lang::En, "near the station", &[], &[]),
    (Lang::En, "open now", &[], &[]),
];

fn sorted(v: &[impl AsRef<str>]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.as_ref().to_string()).collect();
    v.sort();
    v
}

#[test]
fn real_sentences_name_their_needs() {
    let v = Vocabulary::builtin();
    let mut wrong = Vec::new();
    for (lang, text, categories, targets) in SENTENCES {
        let (c, t) = cats(&v, *lang, text);
        if sorted(&c) != sorted(categories) || sorted(&t) != sorted(targets) {
            wrong.push(format!(
                "{lang:?} {text:?}: {c:?} {t:?} {:?}",
                v.find(*lang, text)
            ));
        }
    }
    assert!(SENTENCES.len() >= 30);
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn offsets_slice_the_original_text_to_the_phrase_as_typed() {
    let v = Vocabulary::builtin();
    let text = "centro anziani vicino a Piazza del Campo";
    let m = v.find(Lang::It, text);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(&text[m[0].start..m[0].end], "anziani");
    assert_eq!(m[0].phrase, "anziani");
    // Accents and case change lengths when folded: the spans are the original's.
    let text = "Città: PERSONE ANZIANE e DISABILITÀ, sfratto già arrivato";
    let found: Vec<&str> = v
        .find(Lang::It, text)
        .iter()
        .map(|m| &text[m.start..m.end])
        .collect();
    assert_eq!(found, ["PERSONE ANZIANE", "DISABILITÀ", "sfratto"]);
    for m in v.find(Lang::It, text) {
        assert_eq!(m.phrase, &text[m.start..m.end]);
    }
    // Function words inside a phrase are part of it; around it they are not.
    let text = "pagare la luce e il gas, per favore";
    let found: Vec<String> = v
        .find(Lang::It, text)
        .into_iter()
        .map(|m| m.phrase)
        .collect();
    assert_eq!(found, ["luce e il gas"], "{text}");
    let text = "Ho bisogno di un posto letto 🛏️ stanotte";
    let m = v.find(Lang::It, text);
    assert_eq!(m[0].phrase, "posto letto");
    assert_eq!(&text[m[0].start..m[0].end], "posto letto");
    // A typo keeps its own spelling.
    let text = "aiuto con le bolette";
    let m = v.find(Lang::It, text);
    assert_eq!(m.last().unwrap().phrase, "bolette", "{m:?}");
}

#[test]
fn the_longest_phrase_wins_and_matches_do_not_overlap() {
    let v = Vocabulary::builtin();
    let m = v.find(Lang::It, "medico di famiglia");
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].categories, ["health"]);
    let m = v.find(Lang::It, "senza fissa dimora");
    assert_eq!(m.len(), 1, "{m:?}");
    let m = v.find(Lang::En, "help paying rent");
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].phrase, "help paying rent");
}

#[test]
fn typos_are_forgiven_only_in_longer_words() {
    let v = Vocabulary::builtin();
    for (lang, typo) in [
        (Lang::It, "bolette"),
        (Lang::It, "disocupato"),
        (Lang::It, "volontariaot"),
        (Lang::En, "homelss"),
        (Lang::En, "shleter"),
    ] {
        assert!(!v.find(lang, typo).is_empty(), "{typo}");
    }
    // Short words must be exact: `cibi` is not `cibo` by typo (it is by stem, though).
    assert!(v.find(Lang::It, "cubo").is_empty());
    assert!(v.find(Lang::En, "fod").is_empty());
}

#[test]
fn suggestions_follow_the_prefix() {
    let v = Vocabulary::builtin();
    let s = v.suggest(Lang::It, "bol", 5);
    assert!(!s.is_empty());
    assert!(
        s.iter()
            .all(|s| fold(&s.phrase).starts_with("bol") || fold(&s.phrase).contains(" bol")),
        "{s:?}"
    );
    assert_eq!(s[0].lang, Lang::It);
    // A word inside a phrase counts too, and the query language comes first.
    let s = v.suggest(Lang::En, "rent", 20);
    assert!(s.iter().any(|s| s.phrase == "help paying rent"), "{s:?}");
    assert_eq!(s[0].phrase, "rent");
    // Accents and case do not matter.
    let s = v.suggest(Lang::It, "DISABILITA", 3);
    assert_eq!(s[0].phrase, "disabilità", "{s:?}");
    assert!(v.suggest(Lang::It, "  ", 5).is_empty());
    assert!(v.suggest(Lang::It, "bol", 0).is_empty());
    assert_eq!(v.suggest(Lang::It, "a", 4).len(), 4);
}

#[test]
fn added_phrases_join_and_are_found() {
    let cats = vec!["food-aid".to_string()];
    let v = Vocabulary::with_added([PhraseInput {
        lang: Lang::It,
        text: "ribollita solidale",
        categories: &cats,
        target_groups: &[],
        source: PhraseSource::Added(7),
    }]);
    let m = v.find(Lang::It, "una ribollita solidale in centro");
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].phrase, "ribollita solidale");
    let key = match_key(Lang::It, "Ribollite solidali").unwrap();
    assert_eq!(
        v.source_of(Lang::It, &key),
        Some(&[PhraseSource::Added(7)][..])
    );
    let key = match_key(Lang::It, "le bollette").unwrap();
    let sources = v.source_of(Lang::It, &key).unwrap();
    assert!(
        sources.iter().all(|s| *s == PhraseSource::BuiltIn),
        "{sources:?}"
    );
    assert!(match_key(Lang::It, "di la e il").is_none());
}

#[test]
fn one_edit_apart() {
    assert!(within_one_edit(b"bollette", b"bolette"));
    assert!(within_one_edit(b"bolette", b"bollette"));
    assert!(within_one_edit(b"bollette", b"bollatte"));
    assert!(within_one_edit(b"bollette", b"bolletet"));
    assert!(within_one_edit(b"bollette", b"bollette"));
    assert!(!within_one_edit(b"bollette", b"boletet"));
    assert!(!within_one_edit(b"bollette", b"bollettina"));
    assert!(!within_one_edit(b"favore", b"lavoro"));
}

#[test]
#[ignore = "a diagnostic, not a benchmark: prints how long find takes"]
fn print_find_time() {
    let v = Vocabulary::builtin();
    let text = "dove posso trovare un pasto caldo e un posto letto vicino alla stazione";
    let started = std::time::Instant::now();
    for _ in 0..1000 {
        std::hint::black_box(v.find(Lang::It, std::hint::black_box(text)));
    }
    println!("find: {:?} per sentence", started.elapsed() / 1000);
    let started = std::time::Instant::now();
    let v2 = Vocabulary::builtin();
    println!("build: {:?} for {} phrases", started.elapsed(), v2.len());
}
