//! A street's people from one spreadsheet: `ZZ_BENCH_ROWS` residents (default 45,000, Ciqikou's
//! 人房企 count) in a generated .xlsx over the demo district's buildings, through the import
//! service as the page drives it — read, check against the database, preview, confirm, one
//! transaction — then the same file again (everything unchanged, nothing written), then one in which every
//! resident's phone changed (every row an update, each with its audit entry). Prints the
//! file's size and each stage's time.
//!
//! `cargo bench -p zhizhi-server --bench imports` (SQLite file in the temporary directory);
//! `ZZ_BENCH_DB=postgres://…` for an empty PostgreSQL database created beforehand.

mod common;

use common::env;
use std::time::{Duration, Instant};
use zhizhi_server::imports::Imports;
use zhizhi_server::xlsx::{workbook, Cell, Sheet};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::demo::id_check_char;
use zhizhi_shared::import::{ImportJob, ImportKind, Stage};

fn main() {
    common::run(run());
}

/// Waits until the job no longer works on its own; the time it took.
async fn settle(imports: &Imports, me: &Principal, id: &str, since: Instant) -> (ImportJob, Duration) {
    loop {
        let job = imports.job(me, id).unwrap();
        if !job.stage.busy() {
            return (job, since.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn run() {
    let rows = env("ZZ_BENCH_ROWS", 45_000);
    let (store, _addr, _state, url) = common::demo_server("imports").await;
    let me = Principal { user_id: 1, username: "guanliyuan".into(), display_name: "管理员".into(), roles: vec![Role::Admin], post_id: None, grid_ids: vec![], password_expired: false, street_id: None, street_grids: vec![] };
    let stored = store.people_snapshot().await.unwrap();
    let before = stored.residents.len();
    let addresses: Vec<String> = stored.buildings.iter().map(|b| b.address.clone()).collect();
    let header = ["姓名", "身份证号", "性别", "出生日期", "联系电话", "地址", "房号", "关爱标签"];
    let book_of = |phone_base: usize| {
    let mut sheet = vec![header.iter().map(|h| Cell::from(*h)).collect::<Vec<_>>()];
    for i in 0..rows {
        let body = format!("500107{:04}{:02}{:02}{:03}", 1930 + i % 80, 1 + (i / 80) % 12, 1 + (i / 960) % 28, (i / 26_880) % 1000);
        let id = format!("{body}{}", id_check_char(&body));
        let tags = ["", "", "", "独居老人", "残疾人", "", "留守儿童、低保户"][i % 7];
        sheet.push(vec![
            format!("居民{i}").into(),
            id.into(),
            "".into(),
            "".into(),
            format!("13{:09}", phone_base + i).into(),
            addresses[i % addresses.len()].as_str().into(),
            format!("1-{}", 100 + (i / addresses.len()) % 60).into(),
            tags.into(),
        ]);
    }
    workbook(&[Sheet { name: "居民".into(), rows: sheet }])
    };
    let t = Instant::now();
    let book = book_of(0);
    println!("{rows} rows over {} buildings: {:.1} MB .xlsx, written in {:.2} s", addresses.len(), book.len() as f64 / 1e6, t.elapsed().as_secs_f64());
    let imports = Imports::new(store.clone());
    let changed = book_of(rows);
    for (round, book) in [("first import", &book), ("same file again", &book), ("every phone changed", &changed)] {
        let t = Instant::now();
        let job = imports.start(&me, ImportKind::Residents, "bench.xlsx", book.clone(), zhizhi_server::auth::now_ms()).unwrap();
        let (job, checked) = settle(&imports, &me, &job.id, t).await;
        assert_eq!(job.stage, Stage::Ready, "{:?}", job.error);
        let p = job.preview.unwrap();
        println!("{round}: read and checked in {:.2} s — new {}, updated {}, unchanged {}, refused {}, new households {}", checked.as_secs_f64(), p.new, p.updated, p.unchanged, p.refused.len(), p.new_households);
        let w = Instant::now();
        imports.confirm(&me, &job.id, zhizhi_server::auth::now_ms()).unwrap();
        let (job, written) = settle(&imports, &me, &job.id, w).await;
        assert_eq!(job.stage, Stage::Done, "{:?}", job.error);
        println!("{round}: written in {:.2} s; whole import {:.2} s", written.as_secs_f64(), t.elapsed().as_secs_f64());
    }
    let after = store.people_snapshot().await.unwrap().residents.len();
    assert_eq!(after, before + rows);
    println!("engine {}: residents {before} → {after}", store.engine());
    common::remove_sqlite(&url);
}
