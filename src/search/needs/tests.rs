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

/// Spellings of one language that meet on the same stems become one phrase with the
/// union of what they point to: right for `bollette` / `bolletta`, wrong for `rifugio`
/// (shelter) / `rifugiati` (refugees). Such meetings must be chosen, not stumbled into.
#[test]
fn phrases_meeting_on_their_stems_mean_the_same() {
    // Pensions and pensioners: both the elderly and the paperwork, on purpose.
    const CHOSEN: &[&str] = &["pension"];
    type Meaning = (Vec<String>, Vec<String>);
    let a = Analyzer::global();
    let mut by: HashMap<(Lang, String), Vec<(&str, Meaning)>> = HashMap::new();
    for e in builtin_entries() {
        for p in &e.phrases {
            let key: Vec<String> = a.terms(e.lang, p).into_iter().map(|t| t.stem).collect();
            let meaning = (sorted(&e.categories), sorted(&e.target_groups));
            by.entry((e.lang, key.join(" ")))
                .or_default()
                .push((p, meaning));
        }
    }
    let mut clashes: Vec<String> = by
        .into_iter()
        .filter(|((_, key), list)| {
            !CHOSEN.contains(&key.as_str()) && list.iter().any(|(_, m)| *m != list[0].1)
        })
        .map(|(key, list)| format!("{key:?}: {list:?}"))
        .collect();
    clashes.sort();
    assert!(clashes.is_empty(), "\n{}", clashes.join("\n"));
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
    (
        Lang::En,
        "my mother has dementia",
        &["elderly"],
        &["elderly"],
    ),
    (
        Lang::En,
        "how to renew my permit",
        &["migrants-integration"],
        &["migrants"],
    ),
    (
        Lang::It,
        "smettere di bere",
        &["mental-health-addiction"],
        &[],
    ),
    (Lang::It, "cerco casa in affitto", &["home-utilities"], &[]),
    // Places, times and names are not needs.
    (Lang::It, "Piazza del Campo", &[], &[]),
    (Lang::It, "via di Città 10", &[], &[]),
    (Lang::It, "aperto adesso", &[], &[]),
    (Lang::It, "vicino alla stazione", &[], &[]),
    (Lang::It, "in caso di emergenza", &[], &[]),
    (Lang::It, "aperto dopo le 18", &[], &[]),
    (Lang::It, "parla inglese", &[], &[]),
    (Lang::En, "booking a visit", &[], &[]),
    (Lang::En, "take me there", &[], &[]),
    (Lang::It, "Santa Lucia", &[], &[]),
    (Lang::En, "near the train station", &[], &[]),
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

#[test]
#[ignore = "a diagnostic: prints what the vocabulary finds in many queries"]
fn print_queries() {
    let v = Vocabulary::builtin();
    let qs: &[(Lang, &str)] = &[
        (Lang::It, "cerco un dormitorio per stanotte"),
        (Lang::It, "dove posso lavarmi e cambiarmi"),
        (Lang::It, "aiuto per anziani soli"),
        (
            Lang::It,
            "ho bisogno di un medico ma non ho la tessera sanitaria",
        ),
        (Lang::It, "sono straniero e cerco lavoro"),
        (Lang::It, "corsi gratuiti per disoccupati"),
        (Lang::It, "contributo per l'affitto ISEE"),
        (Lang::It, "bonus per genitori separati"),
        (Lang::It, "bonus bebè comune di siena"),
        (Lang::It, "prodotti per neonati in farmacia"),
        (Lang::It, "mi serve un avvocato per lo sfratto"),
        (Lang::It, "ascolto psicologico gratuito"),
        (Lang::It, "gruppo di auto aiuto per alcolisti"),
        (Lang::It, "sportello per stranieri"),
        (Lang::It, "trasporto per la dialisi"),
        (Lang::It, "taxi per anziani"),
        (Lang::It, "centro per le famiglie"),
        (Lang::It, "servizio civile universale"),
        (Lang::It, "volontari per la consegna della spesa"),
        (Lang::It, "ufficio anagrafe orari"),
        (Lang::It, "pagare le tasse"),
        (Lang::It, "donna maltrattata"),
        (Lang::It, "numero antiviolenza"),
        (Lang::It, "baby sitter"),
        (Lang::It, "babysitter per la sera"),
        (Lang::It, "pannolini gratis"),
        (Lang::It, "latte per neonati"),
        (Lang::It, "mensa universitaria"),
        (Lang::It, "mensa scolastica"),
        (Lang::It, "iscrizione all'asilo nido"),
        (Lang::It, "carrozzina elettrica"),
        (Lang::It, "sedia a rotelle in prestito"),
        (Lang::It, "non riesco a pagare il riscaldamento"),
        (Lang::It, "stufa"),
        (Lang::It, "ludopatia"),
        (Lang::It, "gratta e vinci"),
        (Lang::It, "cure per la depressione"),
        (Lang::It, "Via Roma"),
        (Lang::It, "Porta Camollia"),
        (Lang::It, "Costalpino"),
        (Lang::It, "Petriccio"),
        (Lang::It, "Poggibonsi"),
        (Lang::It, "vicino all'ospedale"),
        (Lang::En, "soup kitchen open today"),
        (Lang::En, "somewhere warm to sleep"),
        (Lang::En, "help for seniors living alone"),
        (Lang::En, "I can't pay my bills"),
        (Lang::En, "rent assistance"),
        (Lang::En, "I'm being evicted"),
        (Lang::En, "where to get my ISEE done"),
        (Lang::En, "tax return help"),
        (Lang::En, "legal aid for migrants"),
        (Lang::En, "drug rehab"),
        (Lang::En, "counselling for teenagers"),
        (Lang::En, "kindergarten enrolment"),
        (Lang::En, "children's activities in summer"),
        (Lang::En, "wheelchair rental"),
        (Lang::En, "deaf services"),
        (Lang::En, "volunteer opportunities"),
        (Lang::En, "register at the town hall"),
        (Lang::En, "residence registration"),
        (Lang::En, "learn Italian for free"),
        (Lang::En, "where can I wash my clothes"),
        (Lang::En, "I was raped"),
        (Lang::En, "women's centre"),
        (Lang::En, "pregnancy test"),
        (Lang::En, "cheap dentist"),
        (Lang::En, "night pharmacy"),
        (Lang::En, "hospital emergency"),
        (Lang::En, "public library wifi"),
        (Lang::En, "Siena cathedral"),
        (Lang::En, "university of Siena"),
        (Lang::En, "post office"),
        (Lang::En, "near the hospital"),
    ];
    for (l, q) in qs {
        let m: Vec<String> = v
            .find(*l, q)
            .into_iter()
            .map(|m| format!("[{}] {:?} {:?}", m.phrase, m.categories, m.target_groups))
            .collect();
        println!("{l:?} {q:?}: {}", m.join("  "));
    }
}

/// Each phrase, typed as it is, finds what it means and nothing else: no other phrase,
/// of its language or the other one, takes it over.
#[test]
fn every_phrase_finds_its_own_meaning() {
    let v = Vocabulary::builtin();
    let a = Analyzer::global();
    let mut wrong = Vec::new();
    for e in builtin_entries() {
        for p in &e.phrases {
            // Pensions and pensioners meet on purpose (see above).
            if a.terms(e.lang, p).iter().any(|t| t.stem == "pension") {
                continue;
            }
            let (c, t) = cats(&v, e.lang, p);
            if sorted(&c) != sorted(&e.categories) || sorted(&t) != sorted(&e.target_groups) {
                wrong.push(format!("{:?} {p:?}: {c:?} {t:?}", e.lang));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
#[ignore = "a diagnostic: what the vocabulary finds in the demo services' descriptions"]
fn print_demo_descriptions() {
    let v = Vocabulary::builtin();
    let demo: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/demo/siena.geojson")).unwrap();
    for f in demo["features"].as_array().unwrap() {
        let p = &f["properties"];
        for (lang, key) in [
            (Lang::It, "description_it"),
            (Lang::En, "description_en"),
            (Lang::It, "name"),
        ] {
            let Some(text) = p[key].as_str() else {
                continue;
            };
            let m: Vec<String> = v
                .find(lang, text)
                .into_iter()
                .map(|m| format!("[{}]{:?}", m.phrase, m.categories))
                .collect();
            println!("{lang:?} {text}\n    {}", m.join(" "));
        }
    }
}

#[test]
#[ignore = "a diagnostic: phrases of several words that analysis leaves with one"]
fn print_phrases_reduced_to_one_word() {
    let a = Analyzer::global();
    for e in builtin_entries() {
        for p in &e.phrases {
            let t = a.terms(e.lang, p);
            if t.len() == 1 && crate::index::analyzer::words(p).len() > 1 {
                println!("{:?} {p:?} -> {}", e.lang, t[0].word);
            }
        }
    }
}

#[test]
#[ignore = "a diagnostic: words of one language that phrases of the other take"]
fn print_cross_language_hits() {
    let only = |lang: Lang| Vocabulary::build(builtin_inputs().filter(|p| p.lang == lang));
    let (it_only, en_only) = (only(Lang::It), only(Lang::En));
    let seeds = std::fs::read_dir("/work/shared/seeds").unwrap();
    let mut italian = String::new();
    for f in seeds {
        italian.push_str(&std::fs::read_to_string(f.unwrap().path()).unwrap());
    }
    let demo: serde_json::Value =
        serde_json::from_str(include_str!("../../../data/demo/siena.geojson")).unwrap();
    let mut english = String::new();
    for f in demo["features"].as_array().unwrap() {
        italian.push_str(f["properties"]["description_it"].as_str().unwrap_or(""));
        italian.push(' ');
        english.push_str(f["properties"]["description_en"].as_str().unwrap_or(""));
        english.push(' ');
    }
    let mut seen = std::collections::BTreeSet::new();
    for w in crate::index::analyzer::words(&italian) {
        for m in en_only.find(Lang::En, &w) {
            seen.insert(format!("it word {w:?} -> en {:?}", m.categories));
        }
    }
    for w in crate::index::analyzer::words(&english) {
        for m in it_only.find(Lang::It, &w) {
            seen.insert(format!("en word {w:?} -> it {:?}", m.categories));
        }
    }
    for s in seen {
        println!("{s}");
    }
}

#[test]
fn spans_map_folded_words_back_to_the_original() {
    let text = "Straße, CITTÀ! l'Œuvre 🛏️ è—qui";
    let s = spans(text);
    let got: Vec<(&str, &str)> = s
        .iter()
        .map(|w| (w.folded.as_str(), &text[w.start..w.end]))
        .collect();
    assert_eq!(got[0], ("strasse", "Straße"));
    assert_eq!(got[1], ("citta", "CITTÀ"));
    assert_eq!(got[2], ("l", "l"));
    assert_eq!(got[3], ("oeuvre", "Œuvre"));
    assert_eq!(got.last().unwrap(), &("qui", "qui"));
    // The same words as the analyzer sees them.
    let folded: Vec<String> = s.into_iter().map(|w| w.folded).collect();
    assert_eq!(folded, crate::index::analyzer::words(text));
}
