//! `mappatu import` as an operator runs it, the real binary on a real database: every line
//! of a CSV file and every feature of a GeoJSON file accounted for, a quote that is never
//! closed refusing the whole file, text from the file reaching the terminal escaped, and
//! one audit entry per import, committed with the data, on both stores.

mod common;

use common::http::Mod;
use common::{Backend, TestDb, TestServer};
use mappatu::auth::Role;
use mappatu::store::{AuditEntry, AuditFilter};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// The binary with a clean environment: the database comes from `--database`, the OS
/// user is `mario`, and no backtrace is added to errors.
fn mappatu(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mappatu"));
    c.env_remove("DATABASE_URL")
        .env_remove("MAPPATU_CONFIG")
        .env_remove("MAPPATU_AREA")
        .env_remove("MAPPATU_LISTEN")
        .env_remove("RUST_BACKTRACE")
        .env_remove("SUDO_USER")
        .env("USER", "mario")
        .env("MAPPATU_DATA_DIR", data_dir)
        .env("RUST_LOG", "warn");
    c
}

/// What a run printed, as raw bytes too (to look for control characters).
struct Run {
    ok: bool,
    out: String,
    err: String,
    raw: Vec<u8>,
}

/// Runs `mappatu [--database URL] import FILE ARGS…`.
fn import(dir: &Path, database: Option<&str>, file: &Path, args: &[&str]) -> Run {
    let mut c = mappatu(dir);
    if let Some(url) = database {
        c.args(["--database", url]);
    }
    let out = c.arg("import").arg(file).args(args).output().unwrap();
    let mut raw = out.stdout.clone();
    raw.extend_from_slice(&out.stderr);
    Run {
        ok: out.status.success(),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw,
    }
}

/// Runs each named test body once on SQLite and once on PostgreSQL (skipped, as the other
/// suites skip it, when PostgreSQL is unreachable).
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_stores!(
    languages_come_from_a_csv_column_and_a_geojson_property,
    an_unclosed_quote_refuses_the_whole_file,
    an_import_is_audited_in_its_transaction_and_shown_to_admins,
);

/// The languages spoken at the desk: a CSV `lingue` column with codes separated by `;` or
/// `,`, a GeoJSON property as a list or a string; an unknown code skips the row, naming it.
async fn languages_come_from_a_csv_column_and_a_geojson_property(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sportelli.csv");
    std::fs::write(
        &file,
        "codice,nome,lat,lon,lingue\n\
         S1,Sportello stranieri,43.31,11.33,\"it;EN; ar\"\n\
         S2,Sportello anziani,43.32,11.33,\n\
         S3,Sportello misterioso,43.32,11.34,it;klingon\n",
    )
    .unwrap();
    let r = import(
        dir.path(),
        Some(&db.url),
        &file,
        &["--category", "listening-guidance", "--id-col", "codice"],
    );
    assert!(r.ok, "{}\n{}", r.out, r.err);
    assert!(
        r.out
            .contains("3 rows read, 2 imported, 0 updated, 1 skipped"),
        "{}",
        r.out
    );
    assert!(
        r.err.contains("languages: unknown language \"klingon\""),
        "the skipped row names the field: {}",
        r.err
    );
    let geojson = dir.path().join("sportelli.geojson");
    std::fs::write(
        &geojson,
        serde_json::to_string(&json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": "G1",
             "geometry": {"type": "Point", "coordinates": [11.33, 43.33]},
             "properties": {"name": "Sportello lista", "categories": ["health"],
                            "languages": ["fr", "it"]}},
            {"type": "Feature", "id": "G2",
             "geometry": {"type": "Point", "coordinates": [11.34, 43.33]},
             "properties": {"name": "Sportello testo", "categories": ["health"],
                            "languages": "uk, ru"}},
        ]}))
        .unwrap(),
    )
    .unwrap();
    let r = import(dir.path(), Some(&db.url), &geojson, &[]);
    assert!(r.ok, "{}\n{}", r.out, r.err);
    let store = mappatu::store::open(&db.url).await.unwrap();
    let mut got: Vec<(String, Vec<String>)> = Vec::new();
    for (id, _) in store
        .service_keys_with_status(mappatu::domain::Status::Published)
        .await
        .unwrap()
    {
        let s = store.get(id).await.unwrap().unwrap();
        got.push((s.data.name, s.data.languages));
    }
    got.sort();
    let v = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    assert_eq!(
        got,
        [
            ("Sportello anziani".to_string(), v(&[])),
            ("Sportello lista".to_string(), v(&["fr", "it"])),
            ("Sportello stranieri".to_string(), v(&["it", "en", "ar"])),
            ("Sportello testo".to_string(), v(&["uk", "ru"])),
        ]
    );
    store.close().await;
    db.drop_db().await;
}

/// The file: two data rows; the first opens a quote it never closes, and the csv
/// reader took the second row into that value (it reported "1 rows read, 0 imported, 1
/// skipped" and exited 0, the second row never mentioned).
const UNCLOSED: &str = "nome;lat;lon\n\"Centro d'ascolto;43.3;11.3\nBiblioteca;43.31;11.31\n";

async fn an_unclosed_quote_refuses_the_whole_file(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("servizi.csv");
    std::fs::write(&file, UNCLOSED).unwrap();
    for dry_run in [&["--dry-run"][..], &[]] {
        let mut args = vec!["--category", "health"];
        args.extend(dry_run);
        let r = import(dir.path(), Some(&db.url), &file, &args);
        assert!(!r.ok, "{args:?} must fail:\n{}\n{}", r.out, r.err);
        assert!(
            r.err.contains(
                "line 2: the value of column 1 (\"nome\") opens with a quote that is never closed"
            ),
            "{}",
            r.err
        );
        assert!(
            r.err
                .contains("the next line (3, the file's last) would be read as part of it"),
            "{}",
            r.err
        );
        assert!(
            r.err
                .contains("servizi.csv was not imported; nothing changed")
        );
        assert!(!r.out.contains("rows read"), "no summary: {}", r.out);
    }
    let store = mappatu::store::open(&db.url).await.unwrap();
    assert_eq!(store.count(None).await.unwrap(), 0, "nothing written");
    let entries = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert!(entries.is_empty(), "nothing audited: {entries:?}");
    store.close().await;

    // Quoted as meant, both rows come in.
    std::fs::write(&file, UNCLOSED.replace("ascolto;", "ascolto\";")).unwrap();
    let r = import(dir.path(), Some(&db.url), &file, &["--category", "health"]);
    assert!(r.ok, "{}", r.err);
    assert!(
        r.out
            .contains("2 rows read, 2 imported, 0 updated, 0 skipped, 0 warnings"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains(
            "3 lines: 1 header, 2 in imported or updated rows, 0 in skipped rows, 0 blank"
        ),
        "{}",
        r.out
    );
    db.drop_db().await;
}

/// A CSV file as spreadsheets and registers leave them: Windows line ends, empty lines, a
/// line of separators, descriptions over two lines, bad rows, no final line break.
const MIXED: &str = "\r\n\
codice;nome;lat;lon;descrizione\r\n\
A1;Uno;43.3;11.3;\"Prima riga\r\nseconda riga\"\r\n\
\r\n\
A2;Due;abc;11.3;\r\n\
;;;;\r\n\
A3;Tre;43.3;11.3;x;in più\r\n\
A1;Quattro;43.3;11.3;\r\n\
A4;Cinque;43.32;11.33;\"una\nriga \"\"citata\"\"\"\r\n\
A5;Sei;0;0;";

#[test]
fn every_line_of_a_csv_file_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("misto.csv");
    std::fs::write(&file, MIXED).unwrap();
    let args = ["--category", "health", "--id-col", "codice"];
    let r = import(dir.path(), None, &file, &args);
    assert!(r.ok, "{}", r.err);
    assert!(
        r.out
            .contains("misto.csv: 6 rows read, 2 imported, 0 updated, 4 skipped, 0 warnings"),
        "{}",
        r.out
    );
    // Counted here independently: the figures must add up to every line of the file.
    let total = MIXED.lines().count();
    assert_eq!(total, 12);
    let (header, kept, skipped, blank) = (1, 4, 4, 3);
    assert_eq!(header + kept + skipped + blank, total);
    assert!(
        r.out.contains(&format!(
            "misto.csv: {total} lines: {header} header, {kept} in imported or updated rows, \
             {skipped} in skipped rows, {blank} blank (2 rows span several lines: a quoted \
             value holds line breaks)"
        )),
        "{}",
        r.out
    );
    for skip in [
        "skipped: line 6: latitude \"abc\" is not a number",
        "skipped: line 8: has 6 fields but the header has 5",
        "skipped: line 9: duplicate id A1, first seen on lines 3 to 4",
        "skipped: line 12: coordinates 0,0 are a placeholder, not a place",
    ] {
        assert!(r.err.contains(skip), "{skip}:\n{}", r.err);
    }
    // A dry run reports the same figures and writes nothing; the same file again updates.
    let r = import(
        dir.path(),
        None,
        &file,
        &[&args[..], &["--dry-run"]].concat(),
    );
    assert!(r.ok, "{}", r.err);
    assert!(
        r.out
            .contains("6 rows read, 2 to import, 4 skipped, 0 warnings (dry run: nothing written)"),
        "{}",
        r.out
    );
    assert!(r.out.contains("12 lines: 1 header, 4 in rows to import"));
    let r = import(dir.path(), None, &file, &args);
    assert!(r.out.contains("0 imported, 2 updated"), "{}", r.out);
}

/// A feature of the API's shape at `[lon, lat]`.
fn feature(id: &str, lon: f64, lat: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [lon, lat] },
        "properties": { "external_id": id, "name": format!("Servizio {id}"), "categories": ["health"] },
    })
}

#[test]
fn every_geojson_feature_is_accounted_for_and_a_second_list_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("servizi.geojson");
    let line = json!({ "type": "Feature", "properties": { "name": "Strada" },
        "geometry": { "type": "LineString", "coordinates": [[11.3, 43.3], [11.4, 43.4]] } });
    let collection = json!({ "type": "FeatureCollection", "features": [
        feature("G1", 11.33, 43.32), null, line, feature("G1", 11.34, 43.33),
        feature("G2", 11.35, 43.31),
    ]});
    std::fs::write(&file, collection.to_string()).unwrap();
    let r = import(dir.path(), None, &file, &[]);
    assert!(r.ok, "{}", r.err);
    assert!(
        r.out
            .contains("5 features read, 2 imported, 0 updated, 3 skipped, 0 warnings"),
        "{}",
        r.out
    );
    for skip in [
        "skipped: feature 2: is null, not a Feature",
        "skipped: feature 3: geometry is a LineString",
        "skipped: feature 4: duplicate id G1, first seen on feature 1",
    ] {
        assert!(r.err.contains(skip), "{skip}:\n{}", r.err);
    }

    // Two "features" lists: a JSON reader keeps the last, the first one's features would
    // vanish without a word.
    let twice = format!(
        "{{\"type\": \"FeatureCollection\",\n \"features\": [{}, {}],\n \"features\": [{}]}}",
        feature("T1", 11.33, 43.32),
        feature("T2", 11.34, 43.33),
        feature("T3", 11.35, 43.31)
    );
    let file = dir.path().join("due-liste.geojson");
    std::fs::write(&file, twice).unwrap();
    let r = import(dir.path(), None, &file, &[]);
    assert!(!r.ok, "{}", r.out);
    assert!(
        r.err.contains("the key \"features\" is given twice") && r.err.contains("line 3"),
        "{}",
        r.err
    );
    assert!(r.err.contains("nothing changed"), "{}", r.err);
}

/// Whether bytes hold a character that acts on a terminal: C0 controls but the line
/// break, DEL, and C1 controls (as UTF-8).
fn raw_control(bytes: &[u8]) -> Option<usize> {
    bytes.iter().enumerate().position(|(i, &b)| {
        (b < 0x20 && b != b'\n')
            || b == 0x7f
            || (b == 0xc2 && bytes.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)))
    })
}

#[test]
fn text_from_the_file_reaches_the_terminal_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let clean = |r: &Run| {
        if let Some(i) = raw_control(&r.raw) {
            panic!(
                "raw control byte at {i}: {:?}",
                String::from_utf8_lossy(&r.raw[i.saturating_sub(40)..(i + 20).min(r.raw.len())])
            );
        }
    };

    // A header with a colour escape sequence, named in the error that lists the columns.
    let file = dir.path().join("intestazione.csv");
    std::fs::write(&file, b"\x1b[31mnome\x1b[0m;a;b\nX;43.3;11.3\n").unwrap();
    let r = import(dir.path(), None, &file, &["--category", "health"]);
    assert!(!r.ok);
    clean(&r);
    assert!(
        r.err
            .contains("no latitude column found among [\\u{1b}[31mnome\\u{1b}[0m, a, b]"),
        "{}",
        r.err
    );

    // Values in skip reasons, a column in an error, and a file name with an escape
    // sequence, a bell and a byte that is not UTF-8.
    let name = OsStr::from_bytes(b"dati\x1b]0;preso\x07\xff.csv");
    let file = dir.path().join(name);
    std::fs::write(
        &file,
        "id;nome;lat;lon\n\
         X\u{1b}[2J;Uno;43.3;11.3\n\
         X\u{1b}[2J;Due;43.3;11.3\n\
         Y;Tre;4\u{9b}3;11.3\n\
         Z;Quattro\u{1b}[8m;43.3;11.3;\u{7f}\n",
    )
    .unwrap();
    let r = import(
        dir.path(),
        None,
        &file,
        &["--category", "health", "--id-col", "id"],
    );
    assert!(r.ok, "{}", r.err);
    clean(&r);
    assert!(
        r.out
            .contains("dati\\u{1b}]0;preso\\u{7}\\xff.csv: 4 rows read"),
        "{}",
        r.out
    );
    assert!(
        r.err
            .contains("line 3: duplicate id X\\u{1b}[2J, first seen on line 2"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("line 4: latitude \"4\\u{9b}3\" is not a number"),
        "{}",
        r.err
    );
    let r = import(
        dir.path(),
        None,
        &file,
        &["--category", "health", "--name-col", "nome\u{1b}[2J"],
    );
    assert!(!r.ok);
    clean(&r);

    // A spreadsheet saved under a .csv name: binary, refused without showing its bytes.
    let file = dir.path().join("export.csv");
    std::fs::write(&file, b"PK\x03\x04\x14\x00\x06\x00\x1b[2J\xff\xfe\x9b31m").unwrap();
    let r = import(dir.path(), None, &file, &["--category", "health"]);
    assert!(!r.ok);
    clean(&r);
    assert!(
        r.err.contains(
            "this is a binary file, not text: line 1 holds a NUL byte (it is a ZIP archive"
        ),
        "{}",
        r.err
    );

    // GeoJSON: a feature's type and a property's name.
    let file = dir.path().join("servizi.geojson");
    let mut bad = feature("E1", 11.33, 43.32);
    bad["type"] = json!("\u{1b}[2JFeature");
    let mut odd = feature("E2", 11.33, 43.32);
    odd["properties"]["categories"] = json!("\u{1b}[5mhealth");
    std::fs::write(
        &file,
        json!({ "type": "FeatureCollection", "features": [bad, odd] }).to_string(),
    )
    .unwrap();
    let r = import(dir.path(), None, &file, &[]);
    assert!(r.ok, "{}", r.err);
    clean(&r);
    assert!(
        r.err
            .contains("feature 1: is a \\u{1b}[2JFeature, not a Feature"),
        "{}",
        r.err
    );
}

/// The audit entries with this action, newest first.
async fn audit(s: &TestServer, action: &str) -> Vec<AuditEntry> {
    s.store
        .audit_entries(&AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// Runs SQL (several statements) on the test's database.
async fn raw_sql(s: &TestServer, sql: &str) {
    use sqlx::Connection;
    let url = &s.db.as_ref().unwrap().url;
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    }
}

const LIBRARIES: &str = "codice;denominazione;indirizzo;cap;comune;latitudine;longitudine\n\
IT-SI0001;Biblioteca comunale degli Intronati;Via della Sapienza 5;53100;Siena;43,3200;11,3300\n\
IT-SI0002;Biblioteca di quartiere;Via Roma 1;53100;Siena;43,3100;11,3400\n\
IT-SI0003;Biblioteca senza coordinate;Via Nuova 2;53100;Siena;;\n\
IT-SI0004;Biblioteca segnaposto;Via Zero;53100;Siena;0,0;0,0\n\
IT-RM0001;Biblioteca di Roma;Via del Corso 1;00186;Roma;41,9000;12,4800\n";

async fn an_import_is_audited_in_its_transaction_and_shown_to_admins(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else {
        return;
    };
    let url = s.db.as_ref().unwrap().url.clone();

    // The demo data loaded into the empty database is an import too, by the system.
    let demo = audit(&s, "import.demo").await;
    assert_eq!(demo.len(), 1, "{demo:?}");
    let d = &demo[0];
    assert_eq!((d.actor_name.as_str(), d.actor_id), ("system", None));
    assert_eq!(d.subject_kind, "import");
    assert_eq!(d.subject_id, d.id, "an import is its own subject");
    let after = d.after.as_ref().unwrap();
    let demo_count = s.store.count(None).await.unwrap();
    assert_eq!(after["inserted"], demo_count, "{after}");
    assert_eq!(after["format"], "geojson");
    assert!(after["file"].as_str().unwrap().contains("siena.geojson"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("biblioteche.csv");
    std::fs::write(&file, LIBRARIES).unwrap();
    let args = [
        "--category",
        "education-culture",
        "--id-col",
        "codice",
        "--pending",
    ];
    let r = import(
        dir.path(),
        Some(&url),
        &file,
        &[&args[..], &["--dry-run"]].concat(),
    );
    assert!(r.ok, "{}", r.err);
    assert!(
        audit(&s, "import.file").await.is_empty(),
        "a dry run writes no entry"
    );

    let r = import(dir.path(), Some(&url), &file, &args);
    assert!(r.ok, "{}", r.err);
    let entries = audit(&s, "import.file").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert!(
        r.out.contains(&format!(
            "recorded in the audit log as entry {} (import.file, by cli as mario)",
            e.id
        )),
        "{}",
        r.out
    );
    assert_eq!((e.actor_name.as_str(), e.actor_id), ("cli", None));
    assert_eq!((e.subject_kind.as_str(), e.subject_id), ("import", e.id));
    assert_eq!((e.service_id, &e.before, &e.reason), (None, &None, &None));
    let after = e.after.clone().unwrap();
    let file_shown = after["file"].as_str().unwrap();
    assert!(
        Path::new(file_shown).is_absolute() && file_shown.ends_with("biblioteche.csv"),
        "{after}"
    );
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(LIBRARIES.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expected = json!({
        "file": file_shown,
        "format": "csv",
        "size": LIBRARIES.len(),
        "sha256": sha,
        "pending": true,
        "id_column": "codice",
        "categories": ["education-culture"],
        "target_groups": [],
        "read": 5,
        "inserted": 2,
        "updated": 0,
        "skipped": 3,
        "warnings": 0,
        "lines": { "total": 6, "header": 1, "in_records": 2, "in_skipped": 3, "blank": 0,
                   "multiline_rows": 0 },
        "os_user": "mario",
    });
    assert_eq!(after, expected);

    // Again, published this time: the second entry says what was updated.
    let r = import(dir.path(), Some(&url), &file, &args[..4]);
    assert!(r.ok, "{}", r.err);
    let entries = audit(&s, "import.file").await;
    assert_eq!(entries.len(), 2);
    let after = entries[0].after.as_ref().unwrap();
    assert_eq!(
        (&after["inserted"], &after["updated"], &after["pending"]),
        (&json!(0), &json!(2), &json!(false))
    );

    // The admins' audit log shows the imports, filtered by kind and by action.
    let admin = Mod::login(&s, "root", Role::Admin).await;
    let a = admin.get("/api/moderation/audit?subject_kind=import").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let actions: Vec<&str> = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["import.file", "import.file", "import.demo"]);
    let a = admin
        .get("/api/moderation/audit?action=import.file&actor=cli")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let item = &a.body["items"][0];
    assert_eq!(item["after"]["sha256"], expected["sha256"]);
    assert_eq!(item["service_id"], Value::Null);

    // One transaction: when the entry cannot be written, neither is any service.
    let refuse = if url.starts_with("sqlite:") {
        "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
         BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;"
    } else {
        "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$; \
         CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
         FOR EACH ROW EXECUTE FUNCTION refuse_audit();"
    };
    raw_sql(&s, refuse).await;
    let before = s.store.count(None).await.unwrap();
    let other = dir.path().join("altre.csv");
    std::fs::write(&other, LIBRARIES.replace("IT-SI", "IT-AR")).unwrap();
    let r = import(dir.path(), Some(&url), &other, &args);
    assert!(!r.ok, "{}", r.out);
    assert!(r.err.contains("audit refused by the test"), "{}", r.err);
    assert!(
        r.err
            .contains("altre.csv was not imported; nothing changed")
    );
    assert_eq!(
        s.store.count(None).await.unwrap(),
        before,
        "no service without its entry"
    );
    s.finish().await;
}
