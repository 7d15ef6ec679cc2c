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

/// Writes a backup of the database at `url` to `out`, a new file.
pub async fn backup(url: &str, out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::Invalid(format!("备份文件 {} 已存在，不会覆盖", out.display())));
    }
    if let Some(file) = sqlite_file(url) {
        if !file.is_file() {
            return Err(Error::Invalid(format!("数据库文件 {} 不存在", file.display())));
        }
        let mut c = sqlx::SqliteConnection::connect(url).await.map_err(|source| Error::Connect { url: redact(url), source })?;
        sqlx::query("VACUUM INTO ?").bind(out.to_string_lossy().to_string()).execute(&mut c).await?;
        return Ok(());
    }
    run_tool("pg_dump", &["--format=custom", "--no-owner", "--no-privileges", "--file", &out.to_string_lossy(), "--dbname", url])
}

/// Restores the backup `from` into the empty database at `url`, then brings its schema up to
/// date. Refuses a database that already holds tables.
pub async fn restore(url: &str, from: &Path) -> Result<()> {
    if !from.is_file() {
        return Err(Error::Invalid(format!("备份文件 {} 不存在", from.display())));
    }
    if let Some(file) = sqlite_file(url) {
        if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
            return Err(Error::Invalid(format!("数据库文件 {} 已存在，只能恢复到新的空数据库", file.display())));
        }
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", from.display())).await.map_err(|source| Error::Connect { url: from.display().to_string(), source })?;
        let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut c).await?;
        if ok != "ok" {
            return Err(Error::Invalid(format!("备份文件 {} 已损坏：{ok}", from.display())));
        }
        c.close().await?;
        let partial = file.with_extension("restoring");
        std::fs::copy(from, &partial).and_then(|_| std::fs::File::open(&partial)?.sync_all()).and_then(|()| std::fs::rename(&partial, &file)).map_err(|e| Error::Invalid(format!("无法写入 {}：{e}", file.display())))?;
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.map_err(|source| Error::Connect { url: redact(url), source })?;
        let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'").fetch_one(&mut c).await?;
        if tables > 0 {
            return Err(Error::Invalid(format!("数据库 {} 已有 {tables} 张表，只能恢复到新的空数据库", redact(url))));
        }
        c.close().await?;
        run_tool("pg_restore", &["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", url, &from.to_string_lossy()])?;
    }
    super::open(url).await?;
    Ok(())
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

/// The file of a `sqlite://` URL (`None` for PostgreSQL).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest).into())
}

/// Runs one of PostgreSQL's client tools, naming it when it is missing or fails.
fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(tool).args(args).output().map_err(|e| Error::Invalid(format!("无法运行 {tool}（PostgreSQL 客户端工具，Debian 软件包 postgresql-client）：{e}")))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).replace(args.iter().find(|a| a.starts_with("postgres")).copied().unwrap_or("\u{0}"), "***");
        return Err(Error::Invalid(format!("{tool} 失败：{}", said.trim())));
    }
    Ok(())
}
