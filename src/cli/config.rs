//! Settings: defaults < config file < environment < command-line flags.
//!
//! clap reads flags and their environment variables; a TOML file named by `--config`
//! (or `MAPPATU_CONFIG`) fills what neither gave; defaults fill the rest.

use crate::domain::BoundingBox;
use crate::geocode::{GeocoderKind, GeocoderSettings};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The default public URL: plain HTTP on this machine (cookies are not `Secure`).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
/// The default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "var";
/// The SQLite file inside the data directory.
pub const SQLITE_FILE: &str = "mappatu.sqlite3";

/// MappaTU: the open map of social services of Siena's Sportello Famiglia.
#[derive(Debug, Parser)]
#[command(name = "mappatu", version, about, long_about = None)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every command.
#[derive(Debug, Args, Default)]
pub struct GlobalArgs {
    /// TOML file with any of: listen, database, data_dir, area, demo, map_style.
    #[arg(long, env = "MAPPATU_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB
    /// [default: sqlite://DATA_DIR/mappatu.sqlite3]
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
    /// Directory for the embedded SQLite database [default: var]
    #[arg(long, env = "MAPPATU_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The directory's area: minLon,minLat,maxLon,maxLat, or `siena` (the province,
    /// default) or `italy`. Points outside it are refused.
    #[arg(long, env = "MAPPATU_AREA", global = true, value_name = "BBOX", value_parser = parse_area)]
    pub area: Option<BoundingBox>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the map and the API (the default command).
    Serve(Box<ServeArgs>),
    /// Load services from a CSV or GeoJSON file and publish them (or queue them, --pending).
    ///
    /// What is reported: every row that is skipped, with its line numbers (CSV) or feature
    /// number (GeoJSON) and the reason, and every field dropped with a warning; then rows
    /// or features read, imported, updated and skipped, and for CSV what each line of the
    /// file was (header, part of an imported or updated row, part of a skipped row, or
    /// blank), adding up to the file's line count. A file whose rows cannot be told apart
    /// (a quote that is never closed, a quoted line break that swallows other rows), a
    /// binary file, or a JSON object with a key given twice is refused whole: exit status 1,
    /// nothing written. Text taken from the file (headers, values, keys) is shown escaped
    /// (\u{1b}, \xNN), never raw.
    ///
    /// What is audited: the whole file is written in one transaction together with one
    /// audit entry (action import.file, actor cli), shown on the admin page: the file's
    /// path, size and SHA-256, format, --pending, the id column, categories and target
    /// groups, the counts and line figures, and the OS account that ran the command
    /// ($SUDO_USER, else $USER). --dry-run writes nothing, audit entry included.
    Import(Box<ImportArgs>),
    /// Add a large synthetic data set, clustered in towns, for benchmarks.
    Generate(GenerateArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// List citizens' reports of problems with listings, oldest first.
    Reports(ReportsArgs),
    /// Manage moderators' and admins' accounts (add, list, disable, enable, reset-password).
    User(crate::cli::user::UserArgs),
}

/// `mappatu reports`.
#[derive(Debug, Args)]
pub struct ReportsArgs {
    /// Which reports to list.
    #[arg(long, value_enum, default_value_t = ReportStatusFilter::Open)]
    pub status: ReportStatusFilter,
    /// One JSON object per line (id, service_id, service_name, kind, message, lang,
    /// status, created_at) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `mappatu reports --status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportStatusFilter {
    /// Waiting for a moderator.
    Open,
    /// Acted on by a moderator.
    Resolved,
    /// Discarded by a moderator.
    Dismissed,
    /// Every report.
    All,
}

impl ReportStatusFilter {
    /// The status to select, `None` for all.
    pub fn status(self) -> Option<crate::domain::ReportStatus> {
        use crate::domain::ReportStatus;
        match self {
            ReportStatusFilter::Open => Some(ReportStatus::Open),
            ReportStatusFilter::Resolved => Some(ReportStatus::Resolved),
            ReportStatusFilter::Dismissed => Some(ReportStatus::Dismissed),
            ReportStatusFilter::All => None,
        }
    }
}

/// `mappatu serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "MAPPATU_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Do not load the Siena demonstration data into an empty database.
    #[arg(long, env = "MAPPATU_NO_DEMO")]
    pub no_demo: bool,
    /// Base-map style URL (MapLibre style JSON), or `offline` for the built-in plain
    /// background that needs no network
    /// [default: https://tiles.openfreemap.org/styles/liberty]
    #[arg(long, env = "MAPPATU_MAP_STYLE", value_name = "URL", value_parser = parse_map_style)]
    pub map_style: Option<String>,
    /// Serve the web app from this directory instead of the copy built into the binary,
    /// uncached (for front-end development).
    #[arg(long, env = "MAPPATU_FRONTEND_DIR", value_name = "DIR")]
    pub frontend_dir: Option<PathBuf>,
    /// Addresses of reverse proxies in front of MappaTU (comma-separated). Their
    /// `X-Forwarded-For` header then gives the client's address for rate limits and the
    /// login throttle; without this every client behind a proxy would count as one.
    #[arg(
        long,
        env = "MAPPATU_TRUSTED_PROXIES",
        value_name = "IP",
        value_delimiter = ','
    )]
    pub trusted_proxy: Vec<std::net::IpAddr>,
    /// Geocoder behind /api/geocode: `nominatim` (the directory's own services, streets
    /// and towns first, then a Nominatim-compatible server) or `offline` (the directory
    /// alone, no network) [default: nominatim]
    #[arg(long, env = "MAPPATU_GEOCODER", value_name = "KIND", value_enum)]
    pub geocoder: Option<GeocoderKind>,
    /// Base URL of the Nominatim-compatible server
    /// [default: https://nominatim.openstreetmap.org]
    #[arg(long, env = "MAPPATU_GEOCODER_URL", value_name = "URL")]
    pub geocoder_url: Option<String>,
    /// User-Agent sent to the geocoder. Deployers must set their own, naming the
    /// deployment and a contact: the public Nominatim's usage policy requires it
    /// [default: MappaTU/VERSION (+https://github.com/mappatu/mappatu; Sportello Famiglia Siena)]
    #[arg(long, env = "MAPPATU_GEOCODER_USER_AGENT", value_name = "TEXT")]
    pub geocoder_user_agent: Option<String>,
    /// Seconds a geocoder request may take; past it, the directory's own results are
    /// answered alone [default: 3]
    #[arg(long, env = "MAPPATU_GEOCODER_TIMEOUT", value_name = "SECONDS", value_parser = parse_timeout)]
    pub geocoder_timeout: Option<f64>,
    /// The URL people reach the server at. When it is https://, the session cookie is
    /// marked `Secure` (set it so behind a TLS-terminating proxy)
    /// [default: http://127.0.0.1:8080]
    #[arg(long, env = "MAPPATU_PUBLIC_URL", value_name = "URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,
    /// SMTP server for the emails to submitters: smtp://[USER:PASSWORD@]HOST:PORT (add
    /// ?tls=required for STARTTLS) or smtps://… for TLS. Without it, messages are only
    /// logged (recipients masked) and the status page is the channel.
    #[arg(
        long,
        env = "MAPPATU_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of the emails to submitters, e.g. "MappaTU <mappatu@comune.siena.it>"
    /// [default: MappaTU <mappatu@localhost>]
    #[arg(long, env = "MAPPATU_MAIL_FROM", value_name = "ADDRESS")]
    pub mail_from: Option<String>,
}

/// `mappatu import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: .csv (`;` or `,` separated) or .geojson.
    pub file: PathBuf,
    /// Queue the services for moderation instead of publishing them: they are stored as
    /// pending (not public) and appear in the moderators' queue as new listings, to be
    /// approved or rejected one by one.
    #[arg(long)]
    pub pending: bool,
    /// Category slug(s) for every service of the file (comma-separated; required for CSV).
    #[arg(long, value_delimiter = ',')]
    pub category: Vec<String>,
    /// Target-group slug(s) for every service of the file (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub target: Vec<String>,
    /// File format, when the extension does not tell.
    #[arg(long, value_parser = ["csv", "geojson"])]
    pub format: Option<String>,
    /// CSV field separator (one character); detected when absent.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// Column (or GeoJSON property) holding a stable identifier: importing the same
    /// file again updates those services instead of adding them twice.
    #[arg(long, value_name = "COLUMN")]
    pub id_col: Option<String>,
    /// Latitude column (detected when absent: latitudine, latitude, lat, …).
    #[arg(long, value_name = "COLUMN")]
    pub lat_col: Option<String>,
    /// Longitude column (detected when absent: longitudine, longitude, lon, lng, …).
    #[arg(long, value_name = "COLUMN")]
    pub lon_col: Option<String>,
    /// Name column (detected when absent: denominazione, nome, name, …).
    #[arg(long, value_name = "COLUMN")]
    pub name_col: Option<String>,
    /// Street address column.
    #[arg(long, value_name = "COLUMN")]
    pub address_col: Option<String>,
    /// Town column, appended to the address.
    #[arg(long, value_name = "COLUMN")]
    pub city_col: Option<String>,
    /// Postcode column, appended to the address.
    #[arg(long, value_name = "COLUMN")]
    pub postcode_col: Option<String>,
    /// Phone column.
    #[arg(long, value_name = "COLUMN")]
    pub phone_col: Option<String>,
    /// Email column.
    #[arg(long, value_name = "COLUMN")]
    pub email_col: Option<String>,
    /// Website column.
    #[arg(long, value_name = "COLUMN")]
    pub website_col: Option<String>,
    /// Organisation column.
    #[arg(long, value_name = "COLUMN")]
    pub organisation_col: Option<String>,
    /// Description column (Italian).
    #[arg(long, value_name = "COLUMN")]
    pub description_col: Option<String>,
    /// Opening-hours column (OpenStreetMap syntax).
    #[arg(long, value_name = "COLUMN")]
    pub opening_hours_col: Option<String>,
    /// Check the file and report as an import would, without writing anything (no
    /// services, no audit entry); a file that would be refused is refused the same way.
    #[arg(long)]
    pub dry_run: bool,
}

/// `mappatu generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many services to add.
    #[arg(long, default_value_t = 1_000_000)]
    pub count: usize,
    /// Random seed, for a repeatable data set.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// The optional TOML config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See [`ServeArgs::listen`].
    pub listen: Option<SocketAddr>,
    /// See [`GlobalArgs::database`].
    pub database: Option<String>,
    /// See [`GlobalArgs::data_dir`].
    pub data_dir: Option<PathBuf>,
    /// See [`GlobalArgs::area`].
    pub area: Option<String>,
    /// Load the demo data into an empty database (default true).
    pub demo: Option<bool>,
    /// See [`ServeArgs::map_style`].
    pub map_style: Option<String>,
    /// See [`ServeArgs::trusted_proxy`].
    pub trusted_proxies: Option<Vec<std::net::IpAddr>>,
    /// See [`ServeArgs::geocoder`].
    pub geocoder: Option<GeocoderKind>,
    /// See [`ServeArgs::geocoder_url`].
    pub geocoder_url: Option<String>,
    /// See [`ServeArgs::geocoder_user_agent`].
    pub geocoder_user_agent: Option<String>,
    /// See [`ServeArgs::geocoder_timeout`].
    pub geocoder_timeout: Option<f64>,
    /// See [`ServeArgs::public_url`].
    pub public_url: Option<String>,
    /// See [`ServeArgs::smtp_url`] (holds a password: keep the file private).
    pub smtp_url: Option<String>,
    /// See [`ServeArgs::mail_from`].
    pub mail_from: Option<String>,
}

/// Settings after merging every source.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Database URL (may hold a password: print it with `store::redact_url`).
    pub database_url: String,
    /// Data directory.
    pub data_dir: PathBuf,
    /// The directory's area.
    pub area: BoundingBox,
    /// Listening address.
    pub listen: SocketAddr,
    /// Seed demo data into an empty database.
    pub demo: bool,
    /// Base-map style URL, or `offline`.
    pub map_style: String,
    /// Serve the web app from disk (development).
    pub frontend_dir: Option<PathBuf>,
    /// Reverse proxies trusted for `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The geocoder behind `/api/geocode`.
    pub geocoder: GeocoderSettings,
    /// The URL people reach the server at (`https://` makes session cookies `Secure`).
    pub public_url: String,
    /// SMTP server for emails to submitters (may hold a password: print it with
    /// `store::redact_url`); `None`: messages are logged only.
    pub smtp_url: Option<String>,
    /// Sender of the emails to submitters.
    pub mail_from: Option<String>,
}

/// Why the settings cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file cannot be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("config file {path} is invalid: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Settings {
    /// Merges flags and environment (already in `global`/`serve`), the config file, and
    /// the defaults.
    pub fn resolve(global: &GlobalArgs, serve: Option<&ServeArgs>) -> Result<Self, ConfigError> {
        let file = match &global.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let path = global.config.as_deref();
        let file_area = from_file(path, "area", file.area.as_deref(), parse_area)?;
        let file_map_style = from_file(
            path,
            "map_style",
            file.map_style.as_deref(),
            parse_map_style,
        )?;
        let file_timeout = from_file(
            path,
            "geocoder_timeout",
            file.geocoder_timeout,
            check_timeout,
        )?;
        let file_public_url = from_file(
            path,
            "public_url",
            file.public_url.as_deref(),
            parse_public_url,
        )?;
        let public_url = serve
            .and_then(|s| s.public_url.clone())
            .or(file_public_url)
            .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_string());
        let defaults = GeocoderSettings::default();
        let geocoder = GeocoderSettings {
            kind: serve
                .and_then(|s| s.geocoder)
                .or(file.geocoder)
                .unwrap_or(defaults.kind),
            url: serve
                .and_then(|s| s.geocoder_url.clone())
                .or(file.geocoder_url)
                .unwrap_or(defaults.url),
            user_agent: serve
                .and_then(|s| s.geocoder_user_agent.clone())
                .or(file.geocoder_user_agent)
                .unwrap_or(defaults.user_agent),
            timeout: serve
                .and_then(|s| s.geocoder_timeout)
                .or(file_timeout)
                .map_or(defaults.timeout, Duration::from_secs_f64),
        };
        let data_dir = global
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let database_url = global
            .database
            .clone()
            .or(file.database)
            .unwrap_or_else(|| sqlite_url(&data_dir));
        Ok(Self {
            database_url,
            data_dir,
            area: global
                .area
                .or(file_area)
                .unwrap_or_else(BoundingBox::siena_province),
            listen: serve
                .and_then(|s| s.listen)
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default")),
            demo: !serve.is_some_and(|s| s.no_demo) && file.demo.unwrap_or(true),
            map_style: serve
                .and_then(|s| s.map_style.clone())
                .or(file_map_style)
                .unwrap_or_else(|| crate::web::DEFAULT_MAP_STYLE.to_string()),
            frontend_dir: serve.and_then(|s| s.frontend_dir.clone()),
            trusted_proxies: match serve {
                Some(s) if !s.trusted_proxy.is_empty() => s.trusted_proxy.clone(),
                _ => file.trusted_proxies.unwrap_or_default(),
            },
            geocoder,
            public_url,
            smtp_url: serve.and_then(|s| s.smtp_url.clone()).or(file.smtp_url),
            mail_from: serve.and_then(|s| s.mail_from.clone()).or(file.mail_from),
        })
    }
}

/// A value of the config file at `path`, checked like its flag; the error names the file
/// and the key.
fn from_file<V, T>(
    path: Option<&Path>,
    key: &str,
    value: Option<V>,
    check: impl FnOnce(V) -> Result<T, String>,
) -> Result<Option<T>, ConfigError> {
    match (value, path) {
        (Some(v), Some(path)) => check(v).map(Some).map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: format!("{key}: {message}"),
        }),
        _ => Ok(None),
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })
}

/// The SQLite URL of the database file in a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join(SQLITE_FILE).display())
}

/// Checks `--public-url`: an absolute http(s) URL.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(s.to_string()),
        _ => Err(format!(
            "must be an absolute http:// or https:// URL, got {s:?}"
        )),
    }
}

/// Checks `--map-style`: `offline`, an http(s) URL, or a path on this server.
pub fn parse_map_style(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s == crate::web::OFFLINE_MAP_STYLE
        || s.starts_with("https://")
        || s.starts_with("http://")
        || (s.starts_with('/') && !s.starts_with("//"))
    {
        Ok(s.to_string())
    } else {
        Err(format!(
            "expected `offline`, an http(s):// URL of a MapLibre style, or a path starting with /; got {s:?}"
        ))
    }
}

/// Parses `--geocoder-timeout`: seconds, more than 0 and at most 60.
fn parse_timeout(s: &str) -> Result<f64, String> {
    let t: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, got {s:?}"))?;
    check_timeout(t)
}

fn check_timeout(t: f64) -> Result<f64, String> {
    if t.is_finite() && t > 0.0 && t <= 60.0 {
        Ok(t)
    } else {
        Err(format!(
            "must be more than 0 and at most 60 seconds, got {t}"
        ))
    }
}

/// Parses `--area`: a bounding box or a named area.
pub fn parse_area(s: &str) -> Result<BoundingBox, String> {
    match s.trim() {
        "siena" => Ok(BoundingBox::siena_province()),
        "italy" | "italia" => Ok(BoundingBox::italy()),
        other => other.parse().map_err(|e| format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beats_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mappatu.toml");
        std::fs::write(
            &path,
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/m\"\narea = \"italy\"\n",
        )
        .unwrap();
        let global = GlobalArgs {
            config: Some(path),
            area: Some(BoundingBox::siena_province()),
            ..Default::default()
        };
        let s = Settings::resolve(&global, Some(&ServeArgs::default())).unwrap();
        assert_eq!(s.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(s.database_url, "sqlite:///srv/m/mappatu.sqlite3");
        assert_eq!(s.area, BoundingBox::siena_province());
        assert!(s.demo);

        let none = Settings::resolve(&GlobalArgs::default(), None).unwrap();
        assert_eq!(none.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(none.database_url, "sqlite://var/mappatu.sqlite3");
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let global = GlobalArgs {
            config: Some(path),
            ..Default::default()
        };
        assert!(matches!(
            Settings::resolve(&global, None),
            Err(ConfigError::Invalid { .. })
        ));
    }
}
