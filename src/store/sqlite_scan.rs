//! The start-up bulk read of an SQLite file: every published service, for the index.
//!
//! Each core reads its own range of ids on its own read-only connection, scanning the
//! services table and the two list tables side by side in key order (a merge join, no
//! sorting, no correlated subqueries), and hands its batches to the sink itself, so that
//! the caller's work on them runs on every core too.

use super::StoreError;
use super::sql::{CONTENT_COLUMNS, HoursCache, ServiceRow};
use crate::domain::Service;
use crate::domain::service::TEXT_FIELDS;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Row};
use std::iter::Peekable;
use std::path::Path;
use std::sync::LazyLock;

// `+status` keeps SQLite on the rowid range instead of the status index: the range scan
// reads the table in order, which is what the merge with the list tables needs.
static SERVICES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id, external_id, status, {}, demo, created_at, updated_at, verified_at \
         FROM services WHERE id >= ?1 AND id < ?2 AND +status = 'published' ORDER BY id",
        *CONTENT_COLUMNS
    )
});
const CATEGORIES: &str = "SELECT service_id, category FROM service_categories \
    WHERE service_id >= ?1 AND service_id < ?2 ORDER BY service_id, position";
const TARGETS: &str = "SELECT service_id, target_group FROM service_target_groups \
    WHERE service_id >= ?1 AND service_id < ?2 ORDER BY service_id, position";

const BATCH: usize = 4096;

/// Reads every published service of `file` and hands them to `sink` in batches.
pub(super) fn scan(file: &Path, sink: &(dyn Fn(Vec<Service>) + Sync)) -> Result<(), StoreError> {
    let conn = open(file)?;
    let (min, max): (Option<i64>, Option<i64>) =
        conn.query_row("SELECT min(id), max(id) FROM services", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (Some(min), Some(max)) = (min, max) else {
        return Ok(());
    };
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as i64;
    let step = (max - min) / parts + 1;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..parts)
            .map(|part| {
                let lo = min + part * step;
                scope.spawn(move || scan_range(file, lo, lo + step, sink))
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("SQLite scan thread"))
    })
}

fn open(file: &Path) -> Result<Connection, StoreError> {
    Ok(Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

fn scan_range(
    file: &Path,
    lo: i64,
    hi: i64,
    sink: &(dyn Fn(Vec<Service>) + Sync),
) -> Result<(), StoreError> {
    let conn = open(file)?;
    let mut services = conn.prepare(&SERVICES)?;
    let mut categories = conn.prepare(CATEGORIES)?;
    let mut targets = conn.prepare(TARGETS)?;
    let mut categories = categories
        .query_map([lo, hi], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .peekable();
    let mut targets = targets
        .query_map([lo, hi], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .peekable();
    let mut hours = HoursCache::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut rows = services.query([lo, hi])?;
    while let Some(row) = rows.next()? {
        let service_row = read_row(row)?;
        let id = service_row.id;
        let cats = take_list(&mut categories, id)?;
        let tgts = take_list(&mut targets, id)?;
        batch.push(service_row.into_service_with(cats, tgts, &mut hours)?);
        if batch.len() == BATCH {
            sink(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
        }
    }
    sink(batch);
    Ok(())
}

/// The list entries of service `id`, skipping those of services not being read
/// (unpublished ones), which come earlier in key order.
fn take_list<I>(rows: &mut Peekable<I>, id: i64) -> Result<Vec<String>, StoreError>
where
    I: Iterator<Item = rusqlite::Result<(i64, String)>>,
{
    let mut out = Vec::new();
    loop {
        match rows.peek() {
            None => break,
            Some(Ok((sid, _))) if *sid > id => break,
            _ => {}
        }
        match rows.next().expect("peeked") {
            Ok((sid, slug)) if sid == id => out.push(slug),
            Ok(_) => {} // An entry of a service that is not being read.
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

fn read_row(r: &Row<'_>) -> Result<ServiceRow, StoreError> {
    let id: i64 = r.get(0)?;
    let time = |i: usize| -> Result<Option<DateTime<Utc>>, StoreError> {
        let text: Option<String> = r.get(i)?;
        text.map(|t| {
            DateTime::parse_from_rfc3339(&t)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|e| StoreError::Corrupt {
                    id,
                    reason: format!("timestamp {t:?}: {e}"),
                })
        })
        .transpose()
    };
    // Columns by position, in the order of the SELECT above: id, external_id, status, the
    // content columns (`content_columns`), then demo and the times.
    let mut texts: [Option<String>; TEXT_FIELDS.len()] = Default::default();
    for (i, slot) in texts.iter_mut().enumerate() {
        *slot = r.get(9 + i)?;
    }
    let after = 9 + TEXT_FIELDS.len();
    Ok(ServiceRow {
        id,
        external_id: r.get(1)?,
        status: r.get(2)?,
        name: r.get(3)?,
        lat: r.get(4)?,
        lon: r.get(5)?,
        opening_hours: r.get(6)?,
        wheelchair: r.get(7)?,
        languages: r.get(8)?,
        texts,
        demo: r.get(after)?,
        created_at: time(after + 1)?.unwrap_or_default(),
        updated_at: time(after + 2)?.unwrap_or_default(),
        verified_at: time(after + 3)?,
        categories: None,
        target_groups: None,
    })
}
