//! `mappatu import`: services from a CSV or GeoJSON file, published or queued.

use super::{open_store, progress_bar};
use crate::cli::config::{ImportArgs, Settings};
use crate::domain::Status;
use crate::import::escape::{self, escape};
use crate::import::{ColumnMap, Format, ImportOptions, Origin, Place};
use crate::store::{Actor, ImportAudit, UpsertOutcome};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;

/// The audit action of `mappatu import`.
const IMPORT_ACTION: &str = "import.file";

pub(crate) async fn import(settings: Settings, args: ImportArgs) -> Result<()> {
    // The file's name is a stranger's text as much as its content.
    let shown = escape::path(&args.file);
    let store = open_store(&settings).await?;
    let taxonomy = store
        .sync_taxonomy(&crate::domain::Taxonomy::default_set())
        .await?;
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => bail!("--delimiter must be one ASCII character, got {c:?}"),
        None => None,
    };
    let options = ImportOptions {
        format: args.format.as_deref().map(|f| {
            if f == "csv" {
                Format::Csv
            } else {
                Format::GeoJson
            }
        }),
        status: if args.pending {
            Status::Pending
        } else {
            Status::Published
        },
        categories: args.category,
        target_groups: args.target,
        columns: ColumnMap {
            lat: args.lat_col,
            lon: args.lon_col,
            name: args.name_col,
            id: args.id_col,
            address: args.address_col,
            city: args.city_col,
            postcode: args.postcode_col,
            phone: args.phone_col,
            email: args.email_col,
            website: args.website_col,
            organisation: args.organisation_col,
            description: args.description_col,
            opening_hours: args.opening_hours_col,
        },
        delimiter,
        demo: false,
    };
    let not_imported = || format!("{shown} was not imported; nothing changed");
    let mut parsed =
        match crate::import::parse_file(&args.file, &options, &taxonomy, &settings.area) {
            Ok(parsed) => parsed,
            Err(e) => {
                store.close().await;
                return Err(e).with_context(not_imported);
            }
        };
    report_rows(
        "skipped",
        parsed.skipped.iter().map(|s| (Some(s.at), &*s.reason)),
    );
    report_rows(
        "warning",
        parsed.warnings.iter().map(|w| (w.at, &*w.message)),
    );
    if args.dry_run {
        store.close().await;
        print_summary(&shown, &parsed.summary(None));
        return Ok(());
    }
    let origin = Origin {
        file: std::path::absolute(&args.file)
            .unwrap_or_else(|_| args.file.clone())
            .to_string_lossy()
            .into_owned(),
        os_user: os_user(),
    };
    // The audit document counts rows read and skipped, not the records handed over.
    let records = std::mem::take(&mut parsed.records);
    let after = |written: &UpsertOutcome| parsed.audit_document(&origin, &options, written);
    let audit = ImportAudit {
        actor: Actor::cli(),
        action: IMPORT_ACTION,
        after: &after,
    };
    let bar = progress_bar(records.len(), "importing");
    let tick = bar.clone();
    let outcome = store
        .import(records, audit, &move |n| tick.set_position(n))
        .await;
    bar.finish_and_clear();
    store.close().await;
    let outcome = outcome.with_context(not_imported)?;
    print_summary(&shown, &parsed.summary(Some(&outcome.written)));
    let written = outcome.written.inserted.len() + outcome.written.updated.len();
    if written > 0 {
        if args.pending {
            // The moderators' queue lists pending services as `p-N` items (kind `new`).
            println!(
                "{written} services queued for moderation, stored as pending: not public. They \
                 appear in the moderators' queue as new listings, to be approved or rejected"
            );
        } else {
            println!(
                "{written} services published; running servers on PostgreSQL show them at once, \
                 a server on SQLite after its next start"
            );
        }
    }
    println!(
        "recorded in the audit log as entry {} ({IMPORT_ACTION}, by {}{})",
        outcome.audit_id,
        Actor::cli().name,
        origin
            .os_user
            .as_deref()
            .map(|u| format!(" as {}", escape(u)))
            .unwrap_or_default(),
    );
    Ok(())
}

/// Prints an import's summary, each line headed by the file's name.
fn print_summary(shown: &str, summary: &crate::import::Summary) {
    for line in summary.to_string().lines() {
        println!("{shown}: {line}");
    }
}

/// The person at the terminal, as the environment says: under sudo, the one who ran
/// sudo. Not proof of identity (whoever runs the command can write the database anyway),
/// but what tells colleagues whom to ask about an import.
fn os_user() -> Option<String> {
    ["SUDO_USER", "USER", "LOGNAME"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok().filter(|u| !u.trim().is_empty()))
}

/// Prints the first rows of a report and a count per reason, to standard error. The
/// reasons' text from the file is escaped already; escaping again guards the terminal
/// anyway and changes nothing else.
fn report_rows<'a>(label: &str, rows: impl Iterator<Item = (Option<Place>, &'a str)>) {
    const SHOWN: usize = 20;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut n = 0;
    for (at, reason) in rows {
        let reason = escape(reason);
        if n < SHOWN {
            match at {
                Some(at) => eprintln!("{label}: {at}: {reason}"),
                None => eprintln!("{label}: {reason}"),
            }
        }
        n += 1;
        *by_reason.entry(reason_kind(&reason)).or_default() += 1;
    }
    if n > SHOWN {
        eprintln!("{label}: … and {} more; by reason:", n - SHOWN);
        for (reason, count) in by_reason {
            eprintln!("{label}: {count:>6} × {reason}");
        }
    }
}

/// A reason with its numbers and quoted values blanked out, to count reasons by kind.
fn reason_kind(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut quoted = false;
    for c in reason.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if quoted {
                    out.push_str("\"…\"");
                }
            }
            _ if quoted => {}
            '0'..='9' | '.' | '-' if out.ends_with('#') || c.is_ascii_digit() => {
                if !out.ends_with('#') {
                    out.push('#');
                }
            }
            _ => out.push(c),
        }
    }
    out
}
