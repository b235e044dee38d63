//! Settings: defaults < config file < environment < command-line flags.
//!
//! clap reads flags and their environment variables; a TOML file named by `--config`
//! (or `MAPPATU_CONFIG`) fills what neither gave; defaults fill the rest.

use crate::domain::BoundingBox;
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
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
    /// TOML file with any of: listen, database, data_dir, area, demo.
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
    Serve(ServeArgs),
    /// Load services from a CSV or GeoJSON file and publish them.
    Import(Box<ImportArgs>),
    /// Add a large synthetic data set, clustered in towns, for benchmarks.
    Generate(GenerateArgs),
    /// Create or upgrade the database schema, then exit.
    Migrate,
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
}

/// `mappatu import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: .csv (`;` or `,` separated) or .geojson.
    pub file: PathBuf,
    /// Queue the services for moderation instead of publishing them.
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
    /// Check the file and report, without writing anything.
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
        let file_area = match (&file.area, &global.config) {
            (Some(a), Some(path)) => {
                Some(parse_area(a).map_err(|message| ConfigError::Invalid {
                    path: path.clone(),
                    message: format!("area: {message}"),
                })?)
            }
            _ => None,
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
        })
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
