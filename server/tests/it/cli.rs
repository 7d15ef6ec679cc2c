//! The binary's answer to bad configuration: one clear line on stderr and a non-zero exit,
//! never a panic.

use std::process::{Command, Output};

fn zhizhi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhizhi"))
        .args(args)
        .env_remove("ZHIZHI_DB")
        .env_remove("ZHIZHI_ADDR")
        .output()
        .expect("run zhizhi")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr).lines().map(str::to_owned).collect()
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = zhizhi(&["serve", "--db", "sqlite::memory:", "--addr", &addr]);
    assert!(!out.status.success());
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with(&format!("zhizhi: error: cannot listen on {addr}")), "{lines:?}");
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let out = zhizhi(&["serve", "--db", "postgres://zz:secret@127.0.0.1:1/zz", "--addr", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("cannot open database postgres://zz:***@127.0.0.1:1/zz"), "{lines:?}");
    assert!(!lines[0].contains("secret"));
}

#[test]
fn an_unknown_scheme_says_which_are_known() {
    let out = zhizhi(&["serve", "--db", "mysql://localhost/zz", "--addr", "127.0.0.1:0"]);
    let lines = stderr_lines(&out);
    assert!(!out.status.success());
    assert!(lines[0].contains("unsupported database URL \"mysql://localhost/zz\": use sqlite://"), "{lines:?}");
}

#[test]
fn an_unknown_flag_is_named_first() {
    let out = zhizhi(&["serve", "--colour"]);
    assert_eq!(out.status.code(), Some(2));
    let lines = stderr_lines(&out);
    assert_eq!(lines[0], "error: unexpected argument '--colour' found", "{lines:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn the_demos_life_needs_the_demo() {
    for flag in [&["--history-days", "30"][..], &["--simulation"][..]] {
        let mut args = vec!["serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(flag);
        let out = zhizhi(&args);
        assert!(!out.status.success());
        let lines = stderr_lines(&out);
        assert_eq!(lines, ["zhizhi: error: --history-days and --simulation play the demo street: add --demo"], "{flag:?}");
    }
}

#[tokio::test]
async fn old_audit_entries_are_archived_to_a_file_and_the_chain_goes_on() {
    let db = crate::harness::TestDb::sqlite().await;
    let now = zhizhi_server::auth::now_ms();
    let day = 86_400_000;
    for (i, age) in [400, 300, 200, 10, 1].into_iter().enumerate() {
        db.store.append_audit(now - age * day, "zhihui", "reveal", &format!("resident:{i}"), "核实独居老人情况").await.unwrap();
    }
    let out = std::env::temp_dir().join(format!("zhizhi_audit_{}_{now}.jsonl", std::process::id()));
    // The retention is 180 days at least: nothing shorter is archived.
    let refused = zhizhi(&["audit-archive", "--db", &db.url, "--older-than-days", "30", "--out", out.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr_lines(&refused)[0].contains("至少保留 180 天"), "{:?}", stderr_lines(&refused));
    let done = zhizhi(&["audit-archive", "--db", &db.url, "--older-than-days", "180", "--out", out.to_str().unwrap()]);
    assert!(done.status.success(), "{:?}", stderr_lines(&done));
    assert!(String::from_utf8_lossy(&done.stdout).contains("已归档 3 条审计记录（#1–#3）"));
    let archived: Vec<serde_json::Value> = std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(archived.iter().map(|e| e["seq"].as_i64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(archived.iter().all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)));
    // The table keeps the recent two and the archive's own entry; the chain verifies from the
    // last archived entry on.
    assert_eq!(db.store.verify_audit().await.unwrap(), Ok(6));
    // The file is never overwritten.
    let again = zhizhi(&["audit-archive", "--db", &db.url, "--older-than-days", "180", "--out", out.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr_lines(&again)[0].contains("已存在的归档不会被覆盖"), "{:?}", stderr_lines(&again));
    let _ = std::fs::remove_file(&out);
    db.remove().await;
}

#[test]
fn the_log_can_be_written_as_json_for_a_collector() {
    // Starts far enough to log that the database is ready, then finds its port taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_zhizhi")).args(["--log-format", "json", "serve", "--db", "sqlite::memory:", "--addr", &addr]).env("RUST_LOG", "info").output().unwrap();
    assert!(!out.status.success());
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let logged: Vec<serde_json::Value> = text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(logged.iter().any(|v| v["level"] == "INFO" && v["fields"]["message"] == "database ready" && v["fields"]["engine"] == "sqlite"), "{text}");
    let refused = zhizhi(&["--log-format", "xml", "serve"]);
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("xml"), "an unknown format is named");
}
