//! The SQLite schema passes the integrity check of every SQLite an operator may hold:
//! the one bundled in MappaTU and Debian's `sqlite3` (3.40 in Debian 12), which reported
//! "NULL value in service_categories.category" on every row of a sound database.

mod common;

use common::{Backend, TestServer};
use rusqlite::Connection;
use std::path::PathBuf;
use std::process::Command;

/// The SQLite file of a test server started with the demo data.
fn sqlite_file(s: &TestServer) -> PathBuf {
    let url = &s.db.as_ref().unwrap().url;
    PathBuf::from(url.strip_prefix("sqlite://").unwrap())
}

/// Declared columns of `table`, in order, with their place in the primary key (0: none).
fn columns(conn: &Connection, table: &str) -> Vec<(String, i64)> {
    let mut stmt = conn
        .prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")
        .unwrap();
    stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_rowid_tables_declare_their_key_columns_first() {
    let s = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let conn = Connection::open(sqlite_file(&s)).unwrap();
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        tables.contains(&"service_categories".to_string()),
        "{tables:?}"
    );
    for table in &tables {
        let cols = columns(&conn, table);
        let keys = cols.iter().filter(|(_, pk)| *pk > 0).count();
        // SQLite stores a WITHOUT ROWID row key first; SQLite 3.40's NOT NULL check
        // assumes the declared order is the stored one.
        let declared: Vec<i64> = cols.iter().take(keys).map(|(_, pk)| *pk).collect();
        let expected: Vec<i64> = (1..=keys as i64).collect();
        assert_eq!(declared, expected, "{table}: {cols:?}");
    }
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrity_check_is_ok_with_the_bundled_and_the_system_sqlite() {
    let s = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let file = sqlite_file(&s);
    s.store.close().await;
    let conn = Connection::open(&file).unwrap();
    let bundled: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(bundled, ["ok"]);
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM service_categories", [], |r| r.get(0))
        .unwrap();
    assert!(rows > 0, "the demo data has categories");
    drop(conn);

    // The operator's own sqlite3, when there is one (CI installs Debian's and requires it).
    match Command::new("sqlite3")
        .arg(&file)
        .arg("PRAGMA integrity_check; PRAGMA foreign_key_check;")
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{text}");
            assert_eq!(text.trim(), "ok", "sqlite3 says:\n{text}");
        }
        Err(e) => {
            assert!(
                std::env::var_os("MAPPATU_REQUIRE_SQLITE3").is_none(),
                "MAPPATU_REQUIRE_SQLITE3 is set but sqlite3 cannot be run: {e}"
            );
            eprintln!("no sqlite3 on PATH ({e}): the system SQLite's check was not run");
        }
    }
    s.finish().await;
}
