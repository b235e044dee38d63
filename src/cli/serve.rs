//! `mappatu serve` (the default command): the map and the API.

use super::open_store;
use crate::api::{AppState, app};
use crate::cli::config::Settings;
use crate::directory::Directory;
use crate::store;
use anyhow::{Context, Result};
use std::sync::Arc;
use std::time::Instant;

pub(crate) async fn serve(settings: Settings) -> Result<()> {
    let started = Instant::now();
    let store = open_store(&settings).await?;
    // Other instances' changes, from before the index is loaded on.
    let changes = crate::store::feed::subscribe(&settings.database_url)
        .await
        .context("cannot listen to the database's change feed")?;
    let directory = Arc::new(Directory::open(store.clone(), settings.area, settings.demo).await?);
    let _follower = changes.map(|c| crate::directory::sync::follow(c, directory.clone()));
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
    let web = Arc::new(crate::web::WebSettings {
        map_style: settings.map_style.clone(),
        area: settings.area,
        frontend_dir: settings.frontend_dir.clone(),
        trusted_proxies: settings.trusted_proxies.clone(),
    });
    let places = std::sync::Arc::new(crate::geocode::offline::OfflineGeocoder::new(
        directory.index_handle(),
    ));
    let geocoder =
        crate::geocode::from_settings(&settings.geocoder, places.clone(), *directory.area())
            .context("cannot set up the geocoder")?;
    tracing::info!(
        geocoder = ?settings.geocoder.kind,
        url = %settings.geocoder.url,
        "geocoding through /api/geocode"
    );
    // Connection info gives the report rate limit the client's address (memory only).
    let auth = crate::auth::AuthState::new(crate::auth::AuthSettings::for_public_url(
        &settings.public_url,
    ));
    let notifier = crate::notify::Notifier::new(
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
    crate::api::listener::serve(listener, service, shutdown_signal()).await?;
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
