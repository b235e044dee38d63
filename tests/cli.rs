//! The real `mappatu` binary: help, import (twice, and a broken file), and serve.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn mappatu(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mappatu"));
    c.env_remove("DATABASE_URL")
        .env_remove("MAPPATU_CONFIG")
        .env_remove("MAPPATU_AREA")
        .env_remove("MAPPATU_LISTEN")
        .env("MAPPATU_DATA_DIR", data_dir)
        .env("RUST_LOG", "info");
    c
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run mappatu");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LIBRARIES: &str = "\u{feff}codice;denominazione;indirizzo;cap;comune;latitudine;longitudine;telefono;email\n\
IT-SI0001;Biblioteca comunale degli Intronati;Via della Sapienza 5;53100;Siena;43,3200;11,3300;+39 0577 000001;biblioteca@example.org\n\
IT-SI0002;Biblioteca di quartiere;Via Roma 1;53100;Siena;43,3100;11,3400;;\n\
IT-SI0003;Biblioteca senza coordinate;Via Nuova 2;53100;Siena;;;;\n\
IT-SI0004;Biblioteca segnaposto;Via Zero;53100;Siena;0,0;0,0;;\n\
IT-RM0001;Biblioteca di Roma;Via del Corso 1;00186;Roma;41,9000;12,4800;;\n";

#[test]
fn help_documents_commands_flags_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, _) = run(mappatu(dir.path()).arg("--help"));
    assert!(ok);
    for needle in [
        "serve",
        "import",
        "generate",
        "--database",
        "--data-dir",
        "--area",
        "DATABASE_URL",
        "MAPPATU_DATA_DIR",
    ] {
        assert!(out.contains(needle), "--help lacks {needle}:\n{out}");
    }
    let (ok, out, _) = run(mappatu(dir.path()).args(["serve", "--help"]));
    assert!(ok);
    assert!(
        out.contains("--listen") && out.contains("MAPPATU_LISTEN"),
        "{out}"
    );
    let (ok, out, _) = run(mappatu(dir.path()).args(["import", "--help"]));
    assert!(ok);
    for needle in [
        "--pending",
        "--category",
        "--id-col",
        "--lat-col",
        "--lon-col",
        "--name-col",
    ] {
        assert!(out.contains(needle), "import --help lacks {needle}");
    }
    // What is reported and what is audited, however the help is wrapped.
    let prose = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "adding up to the file's line count",
        "a quote that is never closed",
        "shown escaped",
        "one audit entry (action import.file, actor cli)",
        "size and SHA-256",
        "--dry-run writes nothing, audit entry included",
    ] {
        assert!(
            prose.contains(needle),
            "import --help lacks {needle}:\n{out}"
        );
    }
}

#[test]
fn import_reports_skips_and_a_second_import_updates() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("biblioteche.csv");
    std::fs::write(&csv, LIBRARIES).unwrap();
    let import = |extra: &[&str]| {
        let mut c = mappatu(dir.path());
        c.args(["import"])
            .arg(&csv)
            .args(["--category", "education-culture", "--id-col", "codice"])
            .args(extra);
        run(&mut c)
    };
    let (ok, out, err) = import(&[]);
    assert!(ok, "{out}\n{err}");
    assert!(
        out.contains("5 rows read, 2 imported, 0 updated, 3 skipped"),
        "{out}\n{err}"
    );
    assert!(
        err.contains("skipped: line 4: no coordinates"),
        "the empty-coordinates row (line 4) is reported:\n{err}"
    );
    assert!(err.contains("line 5") && err.contains("line 6"), "{err}");
    assert!(
        out.contains(
            "6 lines: 1 header, 2 in imported or updated rows, 3 in skipped rows, 0 blank"
        ),
        "{out}"
    );

    let (ok, out, err) = import(&[]);
    assert!(ok, "{err}");
    assert!(out.contains("0 imported, 2 updated"), "{out}");

    // A file that cannot be parsed changes nothing.
    let broken = dir.path().join("broken.geojson");
    std::fs::write(&broken, "{\"type\": \"FeatureCollection\", \"features\": [").unwrap();
    let mut c = mappatu(dir.path());
    let (ok, _, err) = run(c.arg("import").arg(&broken));
    assert!(!ok);
    assert!(err.contains("nothing changed"), "{err}");

    // An unknown category is refused before anything is written.
    let mut c = mappatu(dir.path());
    let (ok, _, err) = run(c.arg("import").arg(&csv).args(["--category", "nope"]));
    assert!(!ok);
    assert!(err.contains("nope"), "{err}");
}

/// GET a path of a running server as JSON.
async fn get_json(base: &str, path: &str) -> serde_json::Value {
    reqwest::get(format!("{base}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `mappatu serve` on a free port; returns it and its base URL once it listens.
fn serve(dir: &Path, extra: &[&str]) -> (Server, String) {
    let mut child = mappatu(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let started = Instant::now();
    let mut lines = BufReader::new(stderr).lines();
    let mut addr = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            addr = Some(
                rest.chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect::<String>(),
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
    }
    let addr = addr.expect("server exited before listening");
    // Keep draining the log: a closed pipe would fail the server's next write.
    std::thread::spawn(move || lines.for_each(drop));
    (server, format!("http://{addr}"))
}

#[tokio::test]
async fn serve_creates_the_database_and_loads_marked_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (_server, base) = serve(&data, &[]);
    assert!(data.join("mappatu.sqlite3").exists());
    let health = get_json(&base, "/api/health").await;
    assert_eq!(health["store"], "sqlite");
    let n = health["published_services"].as_u64().unwrap();
    assert!(n >= 20);
    assert_eq!(health["demo_services"].as_u64().unwrap(), n);
    let fc = get_json(&base, "/api/services/nearest?lat=43.3183&lon=11.3317&k=1").await;
    let p = &fc["features"][0]["properties"];
    assert!(
        p["name"].as_str().unwrap().contains("Sportello Famiglia"),
        "{p}"
    );
    assert_eq!(p["opening_hours"], "Mo,We 10:00-13:00; Tu 15:00-18:00");
    assert_eq!(p["demo"], true);
}

#[tokio::test]
async fn no_demo_starts_empty_and_a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve(dir.path(), &["--no-demo"]);
    let health = get_json(&base, "/api/health").await;
    assert_eq!(health["published_services"], 0);

    let (ok, _, err) =
        run(mappatu(dir.path()).args(["--database", "mysql://u:secret@h/db", "migrate"]));
    assert!(!ok);
    assert!(err.contains("unsupported database URL"), "{err}");
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[tokio::test]
async fn pending_imports_stay_off_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/servizi-siena.geojson");
    let mut c = mappatu(dir.path());
    let (ok, out, err) = run(c.arg("import").arg(&fixture).arg("--pending"));
    assert!(ok, "{err}");
    assert!(out.contains("queued for moderation"), "{out}");
    assert!(out.contains("stored as pending: not public"), "{out}");
    assert!(
        out.contains("appear in the moderators' queue as new listings"),
        "{out}"
    );
    let (_server, base) = serve(dir.path(), &["--no-demo"]);
    let health = get_json(&base, "/api/health").await;
    assert_eq!(
        health["published_services"], 0,
        "pending services must not be public"
    );
}

/// The real ICCU library register from `../shared/data` (not in the repository): every row
/// with real coordinates comes in, the placeholders and the far-away ones are reported.
#[test]
fn the_real_iccu_register_imports_with_its_bad_rows_reported() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/iccu-biblioteche-italia.csv");
    if !file.exists() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "ICCU import test SKIPPED: {} is absent",
            file.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let import = |area: &str| {
        let mut c = mappatu(dir.path());
        c.args(["--area", area, "import"]).arg(&file).args([
            "--category",
            "education-culture",
            "--id-col",
            "codice-isil",
        ]);
        run(&mut c)
    };
    let (ok, out, err) = import("italy");
    assert!(ok, "{err}");
    assert!(
        out.contains("11613 rows read, 11467 imported, 0 updated, 146 skipped"),
        "{out}"
    );
    // Every line of the register is the header or one row.
    assert!(
        out.contains(
            "11614 lines: 1 header, 11467 in imported or updated rows, 146 in skipped rows, 0 blank"
        ),
        "{out}"
    );
    assert!(err.contains("73 × no coordinates"), "{err}");
    assert!(
        err.contains("68 × coordinates #,# are a placeholder"),
        "{err}"
    );
    // Once more: the ISIL code makes it an update, not a second copy.
    let (ok, out, _) = import("italy");
    assert!(ok);
    assert!(
        out.contains("0 imported, 11467 updated, 146 skipped"),
        "{out}"
    );
}

/// A report made through the API of the real server is listed by `mappatu reports`
/// (text and `--json`), and its text appears nowhere in the server's log, even at debug.
#[tokio::test]
async fn reports_lists_a_report_made_through_the_api_and_the_log_keeps_no_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = mappatu(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "debug")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    // Reads the whole log on a thread; the listening address comes first.
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let log = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                let _ = addr_tx.send(addr);
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("server did not start");
    let base = format!("http://{addr}");
    let fc = get_json(&base, "/api/services?limit=1").await;
    let service_id = fc["features"][0]["id"].as_i64().unwrap();
    let service_name = fc["features"][0]["properties"]["name"].as_str().unwrap();
    let secret = "Orario-segreto-7Q9 cambiato";
    let res = reqwest::Client::new()
        .post(format!("{base}/api/services/{service_id}/reports"))
        .json(&serde_json::json!({"kind": "wrong_hours", "message": secret, "lang": "it", "website": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let receipt: serde_json::Value = res.json().await.unwrap();

    // Read while the server runs: the acknowledged report is already committed.
    let (ok, out, err) = run(mappatu(dir.path()).args(["reports", "--json"]));
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    let r = &lines[0];
    assert_eq!(r["id"], receipt["id"]);
    assert_eq!(r["service_id"], service_id);
    assert_eq!(r["service_name"], service_name);
    assert_eq!(r["kind"], "wrong_hours");
    assert_eq!(r["message"], secret);
    assert_eq!(r["lang"], "it");
    assert_eq!(r["status"], "open");
    assert_eq!(r["created_at"], receipt["created_at"]);

    let (ok, out, _) = run(mappatu(dir.path()).arg("reports"));
    assert!(ok);
    assert!(
        out.contains("wrong_hours") && out.contains(secret) && out.contains("1 report(s)"),
        "{out}"
    );
    let (ok, out, _) = run(mappatu(dir.path()).args(["reports", "--status", "resolved", "--json"]));
    assert!(ok);
    assert_eq!(out, "");
    let (ok, _, err) = run(mappatu(dir.path()).args(["reports", "--status", "bogus"]));
    assert!(!ok && err.contains("bogus"), "{err}");

    drop(server);
    let log = log.join().unwrap();
    assert!(log.contains("report received"), "{log}");
    assert!(
        !log.contains("7Q9"),
        "the report's text reached the log:\n{log}"
    );
}
