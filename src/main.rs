//! The `mappatu` command: serve (default), import, generate, migrate.

use anyhow::{Context, Result, bail};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use mappatu::api::{AppState, app};
use mappatu::config::{Cli, Command, GenerateArgs, ImportArgs, ReportsArgs, ServeArgs, Settings};
use mappatu::directory::Directory;
use mappatu::domain::Status;
use mappatu::import::escape::{self, escape};
use mappatu::import::{ColumnMap, Format, ImportOptions, Origin, Place};
use mappatu::store::{self, Actor, ImportAudit, NewService, Store, UpsertOutcome};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

// glibc's malloc spends a third of the start-up in freeing strings that another thread
// allocated (the index is loaded by several); mimalloc does not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let serve_defaults = ServeArgs::default();
    let serve_args = match &cli.command {
        None => Some(&serve_defaults),
        Some(Command::Serve(a)) => Some(&**a),
        _ => None,
    };
    let settings = Settings::resolve(&cli.global, serve_args)?;
    match cli.command {
        None | Some(Command::Serve(_)) => serve(settings).await,
        Some(Command::Import(args)) => import(settings, *args).await,
        Some(Command::Generate(args)) => generate(settings, args).await,
        Some(Command::Migrate) => {
            let store = open_store(&settings).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Some(Command::Reports(args)) => reports(settings, args).await,
        Some(Command::User(args)) => {
            let store = open_store(&settings).await?;
            let outcome = mappatu::auth::cli::run(&*store, args).await;
            store.close().await;
            outcome
        }
    }
}

/// Prints citizens' reports to standard output, as text or one JSON object a line.
async fn reports(settings: Settings, args: ReportsArgs) -> Result<()> {
    use mappatu::domain::ServiceId;
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

async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    if settings.database_url == mappatu::config::sqlite_url(&settings.data_dir) {
        std::fs::create_dir_all(&settings.data_dir).with_context(|| {
            format!(
                "cannot create data directory {}",
                settings.data_dir.display()
            )
        })?;
    }
    let shown = store::redact_url(&settings.database_url);
    store::open(&settings.database_url)
        .await
        .with_context(|| format!("cannot open database {shown}"))
}

async fn serve(settings: Settings) -> Result<()> {
    let started = Instant::now();
    let store = open_store(&settings).await?;
    // Other instances' changes, from before the index is loaded on.
    let changes = mappatu::sync::subscribe(&settings.database_url)
        .await
        .context("cannot listen to the database's change feed")?;
    let directory = Arc::new(Directory::open(store.clone(), settings.area, settings.demo).await?);
    let _follower = changes.map(|c| c.follow(directory.clone()));
    // The look-alike check's table of published names takes seconds at a million
    // listings: built now, in the background, rather than on a moderator's first page —
    // after the text index, which citizens' searches wait for (BENCHMARKS.md, issue 17).
    let warming = directory.clone();
    tokio::spawn(async move {
        warming.index().wait_for_text().await;
        warming.name_skeletons().warm(warming.index()).await;
    });
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    tracing::info!(
        store = store.kind().as_str(),
        database = %store::redact_url(&settings.database_url),
        published = directory.index().len(),
        startup_ms = started.elapsed().as_millis() as u64,
        "MappaTU listening on http://{}",
        listener.local_addr()?
    );
    let web = Arc::new(mappatu::assets::WebSettings {
        map_style: settings.map_style.clone(),
        area: settings.area,
        frontend_dir: settings.frontend_dir.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
    });
    let places = std::sync::Arc::new(mappatu::geocode::offline::OfflineGeocoder::new(
        directory.clone(),
    ));
    let geocoder =
        mappatu::geocode::from_settings(&settings.geocoder, places.clone(), *directory.area())
            .context("cannot set up the geocoder")?;
    tracing::info!(
        geocoder = ?settings.geocoder.kind,
        url = %settings.geocoder.url,
        "geocoding through /api/geocode"
    );
    // Connection info gives the report rate limit the client's address (memory only).
    let auth = mappatu::auth::AuthState::new(mappatu::auth::AuthSettings::for_public_url(
        &settings.public_url,
    ));
    let notifier = mappatu::notify::Notifier::new(
        settings.smtp_url.as_deref(),
        settings.mail_from.as_deref(),
        Some(&settings.public_url),
    )
    .context("cannot set up email notifications")?;
    match &settings.smtp_url {
        Some(url) => {
            tracing::info!(smtp = %store::redact_url(url), "emails to submitters through SMTP")
        }
        None => tracing::info!("no --smtp-url: emails to submitters are logged, not sent"),
    }
    let service = app(AppState {
        directory,
        web,
        geocoder,
        places,
        auth,
        notifier: Arc::new(notifier),
    });
    mappatu::api::listener::serve(listener, service, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// The audit action of `mappatu import`.
const IMPORT_ACTION: &str = "import.file";

async fn import(settings: Settings, args: ImportArgs) -> Result<()> {
    // The file's name is a stranger's text as much as its content.
    let shown = escape::path(&args.file);
    let store = open_store(&settings).await?;
    let taxonomy = store
        .sync_taxonomy(&mappatu::domain::Taxonomy::default_set())
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
        match mappatu::import::parse_file(&args.file, &options, &taxonomy, &settings.area) {
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
fn print_summary(shown: &str, summary: &mappatu::import::Summary) {
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

/// A progress bar for writing `len` records.
fn progress_bar(len: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len as u64).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta} left)")
            .expect("valid template"),
    );
    bar
}

async fn write_with_progress(
    store: &dyn Store,
    records: Vec<NewService>,
    message: &'static str,
) -> Result<mappatu::store::UpsertOutcome> {
    let bar = progress_bar(records.len(), message);
    let tick = bar.clone();
    let outcome = store.upsert(records, &move |n| tick.set_position(n)).await;
    bar.finish_and_clear();
    Ok(outcome?)
}

async fn generate(settings: Settings, args: GenerateArgs) -> Result<()> {
    let store = open_store(&settings).await?;
    let taxonomy = store
        .sync_taxonomy(&mappatu::domain::Taxonomy::default_set())
        .await?;
    let started = Instant::now();
    // Chunks keep memory flat and show progress; each chunk is one transaction.
    const CHUNK: usize = 100_000;
    let mut written = 0;
    let mut chunk_no = 0u64;
    while written < args.count {
        let n = CHUNK.min(args.count - written);
        let records = mappatu::synthetic::generate(
            n,
            args.seed.wrapping_add(chunk_no),
            &taxonomy,
            &settings.area,
        );
        let out = write_with_progress(&*store, records, "generating").await?;
        written += n;
        chunk_no += 1;
        eprintln!(
            "{written}/{} written ({} new)",
            args.count,
            out.inserted.len()
        );
    }
    store.close().await;
    println!(
        "{} synthetic services written in {:.1} s",
        args.count,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
