//! The site's static files (the wasm, its JS, the styles, the map script, icons): named by
//! their content, compressed once, cached by the browser as long as their names allow.
//!
//! - **One folder per build, named by content.** At start the bundle cargo-leptos wrote to
//!   `pkg/` (the JS, the wasm by either name, the styles and, in a split build, the lazy chunks,
//!   their loader and manifest) is copied to `pkg/v/<hash>/`, the hash taken over all of it, and
//!   the pages name that folder. Files in one folder refer to each other by relative names (the
//!   chunk loader imports `./zhizhi.js`), so the whole build moves as one and nothing inside is
//!   rewritten. This is a run-time matter: the binary serves the build the site folder holds,
//!   however either was built. A site folder the server may not write to is served from `pkg/`.
//! - **Compressed once.** Brotli and gzip copies (`.br`, `.gz`) are written beside every
//!   compressible file whose copy is missing or not its own (a copy carries its file's exact
//!   modification time), in the background at start; until a copy is there the answer is
//!   compressed on the fly.
//! - **Caching.** A build's folder never changes content: a year, `immutable`. Everything else is
//!   revalidated (`no-cache` with `Last-Modified`, answered `304` when unchanged).

use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where the builds' folders are, under the site's `pkg/`.
pub const BUILDS: &str = "v";
/// The file in `pkg/v/` naming the build being served (the one before it is kept too).
const CURRENT: &str = "current";
/// What a build's files are cached for.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What every other static file is: kept, but asked about again before use.
pub const REVALIDATE: &str = "no-cache";

/// Copies the build in `pkg/` to its own folder named by its content; returns the folder the
/// pages load from, relative to the site root (`pkg/v/<hash>`). `None` when `pkg/` holds no
/// bundle or cannot be written: then the pages load from `pkg/` itself.
pub fn publish(site_root: &Path, name: &str) -> Option<String> {
    let pkg = site_root.join("pkg");
    let files = build_files(&pkg).ok()?;
    let wasm = [format!("{name}.wasm"), format!("{name}_bg.wasm")].into_iter().find(|f| files.iter().any(|p| p == Path::new(f)))?;
    let mut hasher = Sha256::new();
    for rel in &files {
        let bytes = std::fs::read(pkg.join(rel)).ok()?;
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let hash: String = hasher.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
    let builds = pkg.join(BUILDS);
    let folder = builds.join(&hash);
    if let Err(e) = copy_build(&pkg, &files, &folder, &wasm, name) {
        tracing::warn!(path = %folder.display(), error = %e, "cannot write the build's folder: the bundle is served from pkg/");
        return None;
    }
    // The build this one replaces keeps its folder: pages opened before the restart load other
    // groups' code from it when they move on. `current` holds this build and the one before
    // (a restart of the same build changes nothing); older builds go a day after their last use.
    let recorded = std::fs::read_to_string(builds.join(CURRENT)).unwrap_or_default();
    let mut recorded = recorded.split_whitespace();
    let (was, before) = (recorded.next().unwrap_or_default().to_string(), recorded.next().unwrap_or_default().to_string());
    let previous = if was == hash { before } else { was };
    if !previous.is_empty() && previous != hash {
        // Its day counts from now, when it stopped being current.
        let _ = std::fs::File::open(builds.join(&previous)).and_then(|f| f.set_modified(std::time::SystemTime::now()));
    }
    write_atomically(&builds.join(CURRENT), format!("{hash}\n{previous}\n").as_bytes()).ok()?;
    prune(&builds, &[hash.as_str(), previous.as_str()]);
    Some(format!("pkg/{BUILDS}/{hash}"))
}

/// The files of the build in `pkg/`, relative to it, sorted: everything but hidden files,
/// compressed copies and the builds' folders.
fn build_files(pkg: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(pkg.join(&rel))?.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let path = rel.join(&file);
            if file.starts_with('.') || file.ends_with(".br") || file.ends_with(".gz") || path == Path::new(BUILDS) || file == "hashes.txt" {
                continue;
            }
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes the build's folder whole (through a temporary folder and a rename, so another server
/// copy never serves half of it), with the wasm under both of its names (Leptos picks one at
/// compile time).
fn copy_build(pkg: &Path, files: &[PathBuf], folder: &Path, wasm: &str, name: &str) -> std::io::Result<()> {
    if folder.is_dir() {
        // Touched, so that pruning counts its age from its last use.
        return std::fs::File::open(folder)?.set_modified(std::time::SystemTime::now());
    }
    // Unique to this start: two server copies (both pid 1 in their containers) never share it.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let tmp = folder.with_file_name(format!(".{}.{}.{nanos}.tmp", folder.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    for rel in files {
        let to = tmp.join(rel);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(pkg.join(rel), &to)?;
        std::fs::File::open(&to)?.sync_all()?;
    }
    for other in [format!("{name}.wasm"), format!("{name}_bg.wasm")] {
        if other != wasm && !tmp.join(&other).exists() {
            std::fs::copy(tmp.join(wasm), tmp.join(&other))?;
        }
    }
    for dir in [&tmp, &tmp.join("snippets")] {
        if let Ok(f) = std::fs::File::open(dir) {
            let _ = f.sync_all();
        }
    }
    match std::fs::rename(&tmp, folder) {
        Ok(()) => Ok(()),
        // Another server copy published the same build meanwhile.
        Err(_) if folder.is_dir() => std::fs::remove_dir_all(&tmp),
        Err(e) => Err(e),
    }
}

/// Removes builds' folders unused for a day (and copies a crashed start left behind), except
/// those in `keep`.
fn prune(builds: &Path, keep: &[&str]) {
    let Ok(dir) = std::fs::read_dir(builds) else { return };
    for entry in dir.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 24 * 3600);
        let ours = is_build(&file) || (file.starts_with('.') && file.ends_with(".tmp"));
        if entry.path().is_dir() && ours && old && !keep.contains(&file.as_str()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A build folder's name: 16 hex digits.
fn is_build(name: &str) -> bool {
    name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Writes through a temporary file and a rename, so no reader (another server copy) ever sees
/// half a file; with `mtime`, the file gets that modification time.
fn write_atomically_at(to: &Path, bytes: &[u8], mtime: Option<std::time::SystemTime>) -> std::io::Result<()> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let tmp = to.with_file_name(format!(".{}.{}.{nanos}.tmp", to.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    if let Some(t) = mtime {
        f.set_modified(t)?;
    }
    f.sync_all()?;
    std::fs::rename(&tmp, to)
}

fn write_atomically(to: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_at(to, bytes, None)
}

/// Whether `source`'s compressed copy (`ext`: `br` or `gz`) is its own: written with the source's
/// exact modification time. A copy older or newer than its file (a rebuild, a rollback, a copy
/// that kept times) is not served and is written again.
pub fn is_current(source: &Path, ext: &str) -> bool {
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    modified(source).is_some_and(|t| modified(&sibling(source, ext)) == Some(t))
}

/// Whether a file is worth compressing: text and wasm of 1 KiB or more.
fn compressible(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(ext, "wasm" | "js" | "mjs" | "css" | "json" | "geojson" | "svg" | "webmanifest" | "txt" | "html")
        && path.metadata().is_ok_and(|m| m.len() >= 1024)
}

/// What `precompress` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Compressed {
    /// Files given new `.br` and `.gz` copies.
    pub written: usize,
    /// Files whose copies were already current.
    pub current: usize,
    /// Files that could not be read or their copies written.
    pub failed: usize,
}

/// Writes `.br` and `.gz` beside every compressible file under `root` whose copies are missing
/// or not its own (`is_current`). Brotli at its best quality, the densest for the wire (a debug
/// build, over 16 MB of wasm, at quality 5, which takes a fraction of the time).
pub fn precompress(root: &Path) -> std::io::Result<Compressed> {
    let mut done = Compressed::default();
    // The same bytes under two names (a bundle file and its copy in the build's folder) are
    // compressed once.
    let mut made: std::collections::HashMap<Vec<u8>, (Vec<u8>, Vec<u8>)> = Default::default();
    // The build as cargo-leptos wrote it (its folders hold copies).
    let quick = wasm_bytes(&root.join("pkg")) > LARGE;
    let mut stack = vec![root.to_path_buf()];
    let mut first = true;
    while let Some(dir) = stack.pop() {
        // A folder that went meanwhile (a build pruned by another server copy) is skipped.
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        first = false;
        for entry in entries.flatten() {
            let path = entry.path();
            // Hidden: a build's folder being written, a copy being written.
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if !compressible(&path) {
                continue;
            }
            if is_current(&path, "br") && is_current(&path, "gz") {
                done.current += 1;
                continue;
            }
            // One file that cannot be read or written (removed meanwhile, a folder not ours)
            // does not stop the others.
            let write = |made: &mut std::collections::HashMap<Vec<u8>, (Vec<u8>, Vec<u8>)>| -> std::io::Result<()> {
                let mtime = path.metadata()?.modified()?;
                let bytes = std::fs::read(&path)?;
                let (b, g) = made.entry(Sha256::digest(&bytes).to_vec()).or_insert_with(|| (brotli_bytes(&bytes, quick), gzip_bytes(&bytes, quick)));
                write_atomically_at(&sibling(&path, "br"), b, Some(mtime))?;
                write_atomically_at(&sibling(&path, "gz"), g, Some(mtime))
            };
            match write(&mut made) {
                Ok(()) => done.written += 1,
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot write the compressed copies of this file");
                    done.failed += 1;
                }
            }
        }
    }
    Ok(done)
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn brotli_bytes(bytes: &[u8], quick: bool) -> Vec<u8> {
    let quality = if quick { 5 } else { 11 };
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
    let mut out = Vec::with_capacity(bytes.len() / 3);
    // Writing to a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

/// A build with this much wasm is a debug build, never sent over a slow line: compressed quickly
/// (its chunks are each small enough to look like a release build's, but at brotli's best they
/// would keep a core busy for a minute).
const LARGE: u64 = 16 << 20;

/// The bytes of the wasm files in `dir` (not in its folders).
fn wasm_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "wasm")).filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum()
}

fn gzip_bytes(bytes: &[u8], quick: bool) -> Vec<u8> {
    let level = if quick { flate2::Compression::default() } else { flate2::Compression::best() };
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The cache rule for a static path.
pub fn cache_control(path: &str) -> &'static str {
    let build = path.strip_prefix("/pkg/v/").and_then(|rest| rest.split_once('/')).is_some_and(|(dir, file)| is_build(dir) && !file.is_empty());
    if build { IMMUTABLE } else { REVALIDATE }
}

/// The background job at start: compress what is not yet, and say how long it took.
pub fn precompress_in_background(site_root: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let t = std::time::Instant::now();
        match precompress(&site_root) {
            Ok(c) => tracing::info!(written = c.written, current = c.current, failed = c.failed, ms = t.elapsed().as_millis() as u64, "static files compressed (brotli, gzip)"),
            Err(e) => tracing::warn!(site_root = %site_root.display(), error = %e, "cannot write the compressed copies: static files are compressed on the fly"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_build_s_folder_is_kept_for_a_year() {
        assert_eq!(cache_control("/pkg/v/0123456789abcdef/zhizhi.wasm"), IMMUTABLE);
        assert_eq!(cache_control("/pkg/v/0123456789abcdef/snippets/x/inline0.js"), IMMUTABLE);
        assert_eq!(cache_control("/pkg/zhizhi.wasm"), REVALIDATE);
        assert_eq!(cache_control("/pkg/v/current"), REVALIDATE);
        assert_eq!(cache_control("/vendor/maplibre/maplibre-gl.js"), REVALIDATE);
        assert_eq!(cache_control("/pkg/v/0123456789abcdeg/zhizhi.js"), REVALIDATE);
        assert_eq!(cache_control("/icons/v/0123456789abcdef/zhizhi.js"), REVALIDATE);
    }
}
