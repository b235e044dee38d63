//! `mappatu reports`: citizens' reports of problems with listings, oldest first.

use super::open_store;
use crate::cli::config::{ReportsArgs, Settings};
use anyhow::Result;
use std::collections::BTreeMap;

/// Prints citizens' reports to standard output, as text or one JSON object a line.
pub(crate) async fn reports(settings: Settings, args: ReportsArgs) -> Result<()> {
    use crate::domain::ServiceId;
    use std::io::Write;
    let store = open_store(&settings).await?;
    let reports = store.reports(args.status.status()).await?;
    let mut names: BTreeMap<ServiceId, Option<String>> = BTreeMap::new();
    for r in &reports {
        if let std::collections::btree_map::Entry::Vacant(e) = names.entry(r.service_id) {
            e.insert(store.get(r.service_id).await?.map(|s| s.data.name));
        }
    }
    store.close().await;
    let mut out = std::io::stdout().lock();
    for r in &reports {
        let name = names.get(&r.service_id).cloned().flatten();
        if args.json {
            let line = serde_json::json!({
                "id": r.id.0,
                "service_id": r.service_id.0,
                "service_name": name,
                "kind": r.kind.as_str(),
                "message": r.message,
                "lang": r.lang.as_str(),
                "status": r.status.as_str(),
                "created_at": r.created_at,
            });
            writeln!(out, "{line}")?;
        } else {
            writeln!(
                out,
                "#{} {} {} {} ({}) [{}] service {}: {}",
                r.id,
                r.created_at.format("%Y-%m-%d %H:%M UTC"),
                r.status,
                r.kind,
                r.kind.label_en(),
                r.lang.as_str(),
                r.service_id,
                terminal_safe(name.as_deref().unwrap_or("(deleted)")),
            )?;
            for line in r.message.as_deref().unwrap_or("").lines() {
                writeln!(out, "    | {}", terminal_safe(line))?;
            }
        }
    }
    if !args.json {
        writeln!(out, "{} report(s)", reports.len())?;
    }
    Ok(())
}

/// Text from strangers with control characters (escape sequences would drive the
/// terminal) shown as U+FFFD. The store refuses them; this guards older or foreign rows.
fn terminal_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}
