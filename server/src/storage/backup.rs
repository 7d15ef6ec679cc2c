//! Online backup and restore of either engine, while servers keep running on the database.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy of the file from one read transaction, and a
//! restore copies it into place (the copy is a plain database file). PostgreSQL: `pg_dump`'s
//! custom format, a consistent snapshot taken without stopping writers, restored by
//! `pg_restore` in one transaction. A restore goes only into an empty database, then brings the
//! schema up to date, so a backup taken before an upgrade restores into the new version.

use super::{redact, Error, Result};
use sqlx::{Connection, Row};
use std::path::Path;
use std::process::Command;

/// Writes a backup of the database at `url` to `out`, a new file (written beside it first and
/// moved into place complete, so a failed backup leaves nothing that looks like one).
pub async fn backup(url: &str, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Invalid(format!("备份文件 {} 已存在，不会覆盖", out.display())));
    }
    let partial = partial_of(out);
    let _ = std::fs::remove_file(&partial);
    let written = if let Some(file) = sqlite_file(url) {
        if !file.is_file() {
            return Err(Error::Invalid(format!("数据库文件 {} 不存在", file.display())));
        }
        async {
            let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|source| Error::Connect { url: redact(url), source })?;
            sqlx::query("VACUUM INTO ?").bind(partial.to_string_lossy().to_string()).execute(&mut c).await?;
            Ok(())
        }
        .await
    } else {
        run_tool("pg_dump", url, &["--format=custom", "--no-owner", "--no-privileges", "--file", &partial.to_string_lossy()])
    };
    let placed = written.and_then(|()| place(&partial, out));
    let _ = std::fs::remove_file(&partial);
    placed
}

/// Restores the backup `from` into the empty database at `url`, then brings its schema up to
/// date; the store opened on it. Refuses a database that already holds tables.
pub async fn restore(url: &str, from: &Path) -> Result<std::sync::Arc<dyn super::Store>> {
    if !from.is_file() {
        return Err(Error::Invalid(format!("备份文件 {} 不存在", from.display())));
    }
    if let Some(file) = sqlite_file(url) {
        // A journal left of an earlier database would be played into the restored one.
        for leftover in [file.clone(), with_suffix(&file, "-wal"), with_suffix(&file, "-journal")] {
            if std::fs::metadata(&leftover).is_ok_and(|m| m.len() > 0) {
                return Err(Error::Invalid(format!("{} 已存在，只能恢复到新的空数据库", leftover.display())));
            }
        }
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", from.display())).await.map_err(|source| Error::Connect { url: from.display().to_string(), source })?;
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut c).await?;
        if ok != "ok" {
            return Err(Error::Invalid(format!("备份文件 {} 已损坏：{ok}", from.display())));
        }
        c.close().await?;
        let partial = partial_of(&file);
        let _ = std::fs::remove_file(&partial);
        let copied = std::fs::copy(from, &partial).and_then(|_| std::fs::File::open(&partial)?.sync_all()).map_err(|e| Error::Invalid(format!("无法写入 {}：{e}", partial.display())));
        // An empty file (a new deployment's) is replaced; anything else that appeared meanwhile is not.
        if std::fs::metadata(&file).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&file);
        }
        let placed = copied.and_then(|()| place(&partial, &file));
        let _ = std::fs::remove_file(&partial);
        placed?;
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.map_err(|source| Error::Connect { url: redact(url), source })?;
        let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'").fetch_one(&mut c).await?;
        if tables > 0 {
            return Err(Error::Invalid(format!("数据库 {} 已有 {tables} 张表，只能恢复到新的空数据库", redact(url))));
        }
        c.close().await?;
        run_tool("pg_restore", url, &["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", &from.to_string_lossy()])?;
    }
    super::open(url).await
}

/// Where a file is written before it is complete.
fn partial_of(path: &Path) -> std::path::PathBuf {
    with_suffix(path, ".partial")
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// Moves a complete `partial` file to `path`, never replacing a file that is there.
fn place(partial: &Path, path: &Path) -> Result<()> {
    std::fs::hard_link(partial, path).map_err(|e| Error::Invalid(format!("无法写入 {}：{e}", path.display())))
}

/// Every table of the database with its row count and its content as text, rows in key order:
/// what a restore must give back exactly (the migrations' own bookkeeping left out).
pub async fn fingerprint(url: &str) -> Result<Vec<(String, i64, String)>> {
    let mut out = Vec::new();
    if sqlite_file(url).is_some() {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name").fetch_all(&mut c).await?;
        for t in tables {
            let cols: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")"))).fetch_all(&mut c).await?.iter().map(|r| r.get::<String, _>("name")).collect();
            let row = cols.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
            let sql = format!("SELECT COUNT(*), COALESCE(group_concat(r, char(10)), '') FROM (SELECT {row} AS r FROM \"{t}\" ORDER BY 1)");
            let (n, text): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await?;
            out.push((t, n, text));
        }
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        let tables: Vec<String> = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY 1").fetch_all(&mut c).await?;
        for t in tables {
            let sql = format!("SELECT COUNT(*), COALESCE(string_agg(x.r, E'\\n' ORDER BY x.r), '') FROM (SELECT t::text AS r FROM \"{t}\" t) x");
            let (n, text): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&mut c).await?;
            out.push((t, n, text));
        }
    }
    Ok(out)
}

/// The file of a `sqlite:` URL, as the engine reads it (`None` for PostgreSQL).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    use std::str::FromStr;
    let rest = url.strip_prefix("sqlite:")?;
    Some(sqlx::sqlite::SqliteConnectOptions::from_str(url).map_or_else(|_| rest.trim_start_matches("//").into(), |o| o.get_filename().to_path_buf()))
}

/// Runs one of PostgreSQL's client tools on the database at `url`, naming it when it is
/// missing or fails. The password goes through the environment, never the command line (which
/// every local user can read), and the tool never asks for one.
fn run_tool(tool: &str, url: &str, args: &[&str]) -> Result<()> {
    let (url, password) = split_password(url);
    let mut command = Command::new(tool);
    command.args(["--no-password", "--dbname", &url]).args(args);
    if let Some(p) = &password {
        command.env("PGPASSWORD", p);
    }
    let out = command.output().map_err(|e| Error::Invalid(format!("无法运行 {tool}（PostgreSQL 客户端工具，Debian 软件包 postgresql-client）：{e}")))?;
    if !out.status.success() {
        let mut said = String::from_utf8_lossy(&out.stderr).to_string();
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            said = said.replace(&p, "***");
        }
        return Err(Error::Invalid(format!("{tool} 失败：{}", said.trim())));
    }
    Ok(())
}

/// The URL without its password, and the password (percent-decoded), if it has one.
fn split_password(url: &str) -> (String, Option<String>) {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((userinfo, host)) = rest.split_once('@')
        && let Some((user, password)) = userinfo.split_once(':')
    {
        return (format!("{scheme}://{user}@{host}"), Some(percent_decode(password)));
    }
    (url.to_string(), None)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[test]
fn the_password_leaves_the_url_decoded() {
    assert_eq!(split_password("postgres://zz:p%40ss%3Aw@db:5432/zz"), ("postgres://zz@db:5432/zz".into(), Some("p@ss:w".into())));
    assert_eq!(split_password("postgres://zz@db/zz"), ("postgres://zz@db/zz".into(), None));
    assert_eq!(percent_decode("100%"), "100%");
}
