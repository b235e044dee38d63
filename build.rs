//! Embeds the web app (`frontend/`) and MapLibre GL JS in the binary.
//!
//! MapLibre comes from the npm registry at the version pinned in
//! `frontend/package-lock.json`; it is installed here with `npm ci` when it is missing or
//! stale, so `cargo build` alone is enough on a machine with Node.js. Every file is
//! gzipped once here (not per request) and the whole set gets one content hash, which
//! becomes part of the asset URLs so browsers may cache them for a year.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The MapLibre files the app uses (the CSP build: no `blob:` workers needed).
const MAPLIBRE_FILES: &[&str] = &[
    "maplibre-gl-csp.js",
    "maplibre-gl-csp-worker.js",
    "maplibre-gl.css",
    "LICENSE.txt",
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let frontend = root.join("frontend");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=frontend/package-lock.json");
    println!("cargo:rerun-if-changed=frontend/package.json");
    println!("cargo:rerun-if-env-changed=MAPPATU_SKIP_NPM");
    // sqlx::migrate! embeds the migrations at compile time, but the compiler does not
    // know it read them: without this, a new migration file is left out of an
    // incremental build (sqlx's documented remedy).
    println!("cargo:rerun-if-changed=migrations");

    ensure_maplibre(&frontend);

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    collect(&frontend, &frontend, &mut files);
    let dist = frontend.join("node_modules/maplibre-gl/dist");
    for name in MAPLIBRE_FILES {
        files.push((format!("vendor/maplibre-gl/{name}"), dist.join(name)));
    }
    files.sort();

    let mut hash = Fnv::new();
    let mut code = String::from("&[\n");
    let gz_dir = out.join("assets-gz");
    std::fs::create_dir_all(&gz_dir).unwrap();
    for (i, (url, path)) in files.iter().enumerate() {
        let body =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        hash.add(url.as_bytes());
        hash.add(&(body.len() as u64).to_le_bytes());
        hash.add(&body);
        let gz = compressible(url).then(|| {
            let gz_path = gz_dir.join(format!("{i}.gz"));
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&body).unwrap();
            std::fs::write(&gz_path, enc.finish().unwrap()).unwrap();
            gz_path
        });
        writeln!(
            code,
            "    Asset {{ path: {url:?}, content_type: {ct:?}, body: include_bytes!({p:?}), gzip: {gz} }},",
            ct = content_type(url),
            p = path.display().to_string(),
            gz = match gz {
                Some(p) => format!("Some(include_bytes!({:?}))", p.display().to_string()),
                None => "None".into(),
            },
        )
        .unwrap();
    }
    code.push(']');
    std::fs::write(out.join("assets.rs"), code).unwrap();
    std::fs::write(
        out.join("assets_hash.rs"),
        format!("{:?}", format!("{:016x}", hash.0)),
    )
    .unwrap();
}

/// Runs `npm ci` when MapLibre is not installed at the locked version.
fn ensure_maplibre(frontend: &Path) {
    let lock = std::fs::read_to_string(frontend.join("package-lock.json"))
        .expect("frontend/package-lock.json is missing");
    let locked = locked_version(&lock, "node_modules/maplibre-gl")
        .expect("frontend/package-lock.json does not pin maplibre-gl");
    let installed = std::fs::read_to_string(frontend.join("node_modules/maplibre-gl/package.json"))
        .ok()
        .and_then(|pkg| json_string_field(&pkg, "version"));
    let complete = MAPLIBRE_FILES.iter().all(|f| {
        frontend
            .join("node_modules/maplibre-gl/dist")
            .join(f)
            .is_file()
    });
    if installed.as_deref() == Some(locked.as_str()) && complete {
        return;
    }
    if std::env::var_os("MAPPATU_SKIP_NPM").is_some() {
        panic!(
            "MapLibre GL JS {locked} is not installed in frontend/node_modules and MAPPATU_SKIP_NPM is set"
        );
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(frontend)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm ci` in frontend/ failed ({s}); it installs MapLibre GL JS {locked} from the npm \
             registry, which the build embeds. Check the network access to registry.npmjs.org."
        ),
        Err(e) => panic!(
            "building MappaTU needs Node.js and npm to install MapLibre GL JS {locked} from the \
             npm registry, but `npm` could not be run ({e}). Install Node.js 18 or later with npm \
             (Debian: `apt-get install nodejs npm`) and build again."
        ),
    }
}

/// Every file of the app, with its URL path relative to the asset root.
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with('.') || name == "node_modules" || name.starts_with("package") {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
            let rel = path.strip_prefix(root).unwrap();
            let url = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((url, path));
        }
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "pbf" => "application/x-protobuf",
        _ => "application/octet-stream",
    }
}

fn compressible(path: &str) -> bool {
    !matches!(
        path.rsplit('.').next().unwrap_or(""),
        "png" | "webp" | "woff2" | "ico"
    )
}

/// The `"version"` of a package in a package-lock.json (v2/v3 `packages` map).
fn locked_version(lock: &str, key: &str) -> Option<String> {
    let at = lock.find(&format!("\"{key}\": {{"))?;
    json_string_field(&lock[at..], "version")
}

/// The first `"field": "value"` after the start of `text` (enough for npm's files).
fn json_string_field(text: &str, field: &str) -> Option<String> {
    let at = text.find(&format!("\"{field}\""))?;
    let rest = &text[at + field.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// FNV-1a, 64 bits: stable across Rust versions, unlike `DefaultHasher`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
