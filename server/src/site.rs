//! The site's static files (the wasm, its JS, the styles, the map script, icons): named by
//! their content, compressed once, cached by the browser as long as their names allow.
//!
//! - **Content-hashed names.** At start the site's own bundle (`pkg/zhizhi.js`, its wasm by either
//!   name, `pkg/zhizhi.css`) is copied to `pkg/zhizhi.<hash>.<ext>` and the hashes written to
//!   `pkg/hashes.txt`, which Leptos reads to name them in every page. This is a run-time matter:
//!   the binary names the files the site folder holds, however either was built. A site folder
//!   the server may not write to is served under the plain names.
//! - **Compressed once.** Brotli and gzip copies (`.br`, `.gz`) are written beside every
//!   compressible file whose copy is missing or not its own (a copy carries its file's exact
//!   modification time), in the background at start; until a copy is there the answer is
//!   compressed on the fly.
//! - **Caching.** A hashed name never changes content: a year, `immutable`. Everything else is
//!   revalidated (`no-cache` with `Last-Modified`, answered `304` when unchanged).

use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file Leptos reads the bundle's hashes from (`js: …`, `wasm: …`, `css: …`).
pub const HASHES: &str = "hashes.txt";
/// What a hashed name is cached for.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What every other static file is: kept, but asked about again before use.
pub const REVALIDATE: &str = "no-cache";

/// The bundle's three files under content-hashed names, copied beside the plain ones; the
/// path of the hashes file on success. `None` when the site has no bundle or its folder cannot
/// be written (then the plain names are served).
pub fn name_by_content(site_root: &Path, name: &str) -> Option<PathBuf> {
    let pkg = site_root.join("pkg");
    let wasm = [format!("{name}.wasm"), format!("{name}_bg.wasm")].into_iter().map(|f| pkg.join(f)).find(|p| p.is_file())?;
    let parts = [("js", pkg.join(format!("{name}.js"))), ("wasm", wasm), ("css", pkg.join(format!("{name}.css")))];
    let mut lines = String::new();
    let mut keep = Vec::new();
    for (ext, from) in &parts {
        let bytes = std::fs::read(from).ok()?;
        let hash = short_hash(&bytes);
        let to = pkg.join(format!("{name}.{hash}.{ext}"));
        if std::fs::read(&to).ok().as_deref() != Some(&bytes[..]) {
            if let Err(e) = write_atomically(&to, &bytes) {
                tracing::warn!(path = %to.display(), error = %e, "cannot write the hashed copy: the bundle is served under its plain names");
                return None;
            }
        }
        lines.push_str(&format!("{ext}: {hash}\n"));
        keep.push(to.file_name()?.to_string_lossy().into_owned());
    }
    let hashes = pkg.join(HASHES);
    // The build this one replaces keeps its files: pages rendered just before the restart ask
    // for them. Older builds' files go once they are an hour old.
    if let Ok(previous) = std::fs::read_to_string(&hashes) {
        for (ext, hash) in previous.lines().filter_map(|l| l.split_once(':')) {
            keep.push(format!("{name}.{}.{}", hash.trim(), ext.trim()));
        }
    }
    write_atomically(&hashes, lines.as_bytes()).ok()?;
    prune(&pkg, name, &keep);
    // Leptos joins this to the binary's folder; an absolute path stands on its own.
    std::path::absolute(&hashes).ok()
}

/// Removes earlier builds' hashed copies (and their compressed copies) that are an hour old,
/// except those in `keep`.
fn prune(pkg: &Path, name: &str, keep: &[String]) {
    let Ok(dir) = std::fs::read_dir(pkg) else { return };
    for entry in dir.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let base = file.trim_end_matches(".br").trim_end_matches(".gz");
        let ours = base.strip_prefix(&format!("{name}.")).is_some_and(|rest| is_hashed(rest));
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 3600);
        if ours && old && !keep.iter().any(|k| k == base) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `<16 hex>.<ext>`: the tail of a hashed name.
fn is_hashed(tail: &str) -> bool {
    tail.split_once('.').is_some_and(|(hash, ext)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && matches!(ext, "js" | "wasm" | "css"))
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes through a temporary file and a rename, so no reader (another server copy) ever sees
/// half a file; with `mtime`, the file gets that modification time.
fn write_atomically_at(to: &Path, bytes: &[u8], mtime: Option<std::time::SystemTime>) -> std::io::Result<()> {
    let tmp = to.with_file_name(format!(".{}.{}.tmp", to.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
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
/// or not its own (`is_current`). Brotli at its best quality (the densest for the wire; files over 16 MB,
/// debug builds, at quality 5, which takes a fraction of the time).
pub fn precompress(root: &Path) -> std::io::Result<Compressed> {
    let mut done = Compressed::default();
    // The same bytes under two names (a bundle file and its hashed copy) are compressed once.
    let mut made: std::collections::HashMap<Vec<u8>, (Vec<u8>, Vec<u8>)> = Default::default();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let hidden = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden || !compressible(&path) {
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
                let (b, g) = made.entry(Sha256::digest(&bytes).to_vec()).or_insert_with(|| (brotli_bytes(&bytes), gzip_bytes(&bytes)));
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

fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let quality = if bytes.len() > LARGE { 5 } else { 11 };
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin: 22, ..Default::default() };
    let mut out = Vec::with_capacity(bytes.len() / 3);
    // Writing to a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &bytes[..], &mut out, &params);
    out
}

/// A file this large is a debug build's wasm, never sent over a slow line: compressed quickly.
const LARGE: usize = 16 << 20;

fn gzip_bytes(bytes: &[u8]) -> Vec<u8> {
    let level = if bytes.len() > LARGE { flate2::Compression::default() } else { flate2::Compression::best() };
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The cache rule for a static path.
pub fn cache_control(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or("");
    let hashed = path.starts_with("/pkg/") && file.split_once('.').is_some_and(|(_, tail)| is_hashed(tail));
    if hashed { IMMUTABLE } else { REVALIDATE }
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
    fn only_the_bundle_s_hashed_names_are_kept_for_a_year() {
        assert_eq!(cache_control("/pkg/zhizhi.0123456789abcdef.wasm"), IMMUTABLE);
        assert_eq!(cache_control("/pkg/zhizhi.0123456789abcdef.css"), IMMUTABLE);
        assert_eq!(cache_control("/pkg/zhizhi.wasm"), REVALIDATE);
        assert_eq!(cache_control("/pkg/zhizhi_bg.wasm"), REVALIDATE);
        assert_eq!(cache_control("/vendor/maplibre/maplibre-gl.js"), REVALIDATE);
        assert_eq!(cache_control("/pkg/zhizhi.0123456789abcdeg.js"), REVALIDATE);
        assert_eq!(cache_control("/icons/zhizhi.0123456789abcdef.js"), REVALIDATE);
    }
}
