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
