//! The KPI page's queries over a year of a street: `ZZ_BENCH_CASES` cases (default 200,000),
//! ten timeline steps each (2 million steps), one task each, spread over the twelve months up
//! to now; then the report the page asks for — last month against the month before — by
//! street, post and grid, `ZZ_BENCH_ROUNDS` times each (default 20): p50 and p99, cold (a node
//! that has read nothing: every case read from the log) and warm (the same node again after
//! 20 cases of the month were written to, as in a live street between two looks at the page).
//!
//! `cargo bench -p zhizhi-server --bench kpis` (release build; SQLite file in the temporary
//! directory, the demo district loaded). `ZZ_BENCH_DB` names an empty database to use instead
//! (for example `postgres://postgres@127.0.0.1/zz_bench`, created beforehand). The year is
//! written straight into the tables in large batches (writing it through the case flow would
//! take hours); the rows are those the case flow writes. A `ZZ_BENCH_DB` that holds cases
//! already (an earlier run's year) is reused as it is.

mod common;

use common::{env, percentile};
use std::time::{Duration, Instant};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::kpi::KpiQuery;

const CATEGORIES: [&str; 6] = ["greening.branch", "order.stall", "order.parking", "consumer.overcharge", "environment.litter", "fire.smoke"];
const SOURCES: [&str; 5] = ["patrol", "resident", "hotline", "iot", "camera_ai"];
const MINUTE: i64 = 60_000;

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Pg(sqlx::PgPool),
}

impl Pool {
    async fn exec(&self, sql: String) {
        match self {
            Pool::Sqlite(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
            Pool::Pg(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await.map(|_| ()),
        }
        .unwrap();
    }
}

fn main() {
    common::run(run());
}

/// Writes the year: cases, their task and their ten steps, in batches of `batch` cases.
async fn write_year(pool: &Pool, cases: usize, grids: &[i64], posts: &[i64], now: i64) {
    const BATCH: usize = 2_000;
    let year = 365 * 24 * 60 * MINUTE;
    let start = now - year;
    let mut written = 0;
    while written < cases {
        let n = BATCH.min(cases - written);
        let (mut c, mut t, mut s) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n * 10));
        for i in written..written + n {
            let id = i as i64 + 1;
            let at = start + (i as i64) * (year / cases as i64);
            let category = CATEGORIES[i % CATEGORIES.len()];
            let source = SOURCES[i % SOURCES.len()];
            let grid = grids[i % grids.len()];
            let post = posts[i % posts.len()];
            // Some late, some returned, some reworked, a few still open.
            let late = i % 7 == 0;
            let rework = i % 11 == 0;
            let open = i % 23 == 0;
            let dispatched = at + if late { 90 } else { 3 } * MINUTE;
            let state = if open { "handling" } else { "closed" };
            c.push(format!(
                "({id}, 'SJ{id:08}', '{category}', '{source}', '{state}', 'normal', '基准', '磁器口', {grid}, {at}, {at}, {at}, 0)"
            ));
            t.push(format!("({id}, {id}, {post}, '{}', {}, {at}, {at})", if open { "accepted" } else { "done" }, dispatched + 240 * MINUTE));
            let mut steps: Vec<(&str, &str, &str, i64, bool)> = vec![
                ("report", "reported", "reported", at, false),
                ("accept", "reported", "accepted", at + MINUTE, false),
                ("register", "accepted", "registered", at + 2 * MINUTE, false),
                ("dispatch", "registered", "dispatched", dispatched, true),
                ("accept_task", "dispatched", "handling", dispatched + 10 * MINUTE, true),
                ("check_in", "handling", "handling", dispatched + 20 * MINUTE, true),
            ];
            if open {
                steps.extend([("attach", "handling", "handling", dispatched + 30 * MINUTE, false); 4]);
            } else {
                steps.push(("report_back", "handling", "verifying", dispatched + if late { 300 } else { 120 } * MINUTE, true));
                steps.push(if rework {
                    ("rework", "verifying", "handling", dispatched + 150 * MINUTE, false)
                } else {
                    ("attach", "verifying", "verifying", dispatched + 125 * MINUTE, false)
                });
                steps.push(("verify", "verifying", "verified", dispatched + 200 * MINUTE, false));
                steps.push(("close", "verified", "closed", dispatched + 210 * MINUTE, false));
            }
            for (seq, (kind, from, to, when, task)) in steps.into_iter().enumerate() {
                let task = if task { id.to_string() } else { "NULL".into() };
                s.push(format!("({id}, {}, {when}, 'bench', '基准', '{kind}', '{from}', '{to}', {task})", seq + 1));
            }
        }
        pool.exec(format!(
            "BEGIN;
             INSERT INTO cases (id, number, category, source, state, urgency, description, address, grid_id, created_at, updated_at, stage_started_at, drill) VALUES {};
             INSERT INTO case_tasks (id, case_id, post_id, state, deadline, created_at, updated_at) VALUES {};
             INSERT INTO case_steps (case_id, seq, at, actor, actor_name, kind, from_state, to_state, task_id) VALUES {};
             COMMIT;",
            c.join(","),
            t.join(","),
            s.join(",")
        ))
        .await;
        written += n;
        if written % 50_000 == 0 || written == cases {
            println!("  写入 {written}/{cases} 件");
        }
    }
}

async fn run() {
    let cases = env("ZZ_BENCH_CASES", 200_000);
    let rounds = env("ZZ_BENCH_ROUNDS", 20);
    let path = std::env::temp_dir().join(format!("zhizhi_kpis_bench_{}.db", std::process::id()));
    let url = std::env::var("ZZ_BENCH_DB").unwrap_or_else(|_| format!("sqlite://{}", path.display()));
    let store = zhizhi_server::storage::open(&url).await.unwrap();
    zhizhi_server::demo::load(store.as_ref()).await.unwrap();
    let grids: Vec<i64> = store.grids().await.unwrap().into_iter().map(|g| g.id).collect();
    let posts: Vec<i64> = store.boards().await.unwrap().into_iter().flat_map(|b| b.posts).map(|p| p.id).collect();
    let pool = if url.starts_with("postgres") {
        Pool::Pg(sqlx::PgPool::connect(&url).await.unwrap())
    } else {
        Pool::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap())
    };
    let now = zhizhi_server::auth::now_ms();
    println!("智治 KPI benchmark — {} , {cases} cases × 10 steps over the last 12 months, {} CPU(s)", store.engine(), std::thread::available_parallelism().map_or(1, |n| n.get()));
    let t = Instant::now();
    // A database named by `ZZ_BENCH_DB` that holds a year already (an earlier run's) is reused.
    let written = store.kpi_facts(0, i64::MAX).await.map(|c| c.len()).unwrap_or(0);
    if written == 0 {
        write_year(&pool, cases, &grids, &posts, now).await;
        println!("  written in {:.1} s", t.elapsed().as_secs_f64());
    } else {
        println!("  reusing the {written} cases already written");
    }
    if let Pool::Pg(p) = &pool {
        sqlx::raw_sql("ANALYZE").execute(p).await.unwrap();
    }
    let me = Principal { user_id: 1, username: "zhihui".into(), display_name: "值班员".into(), roles: vec![Role::Command], post_id: None, grid_ids: vec![], password_expired: false, street_id: None, street_grids: vec![] };
    // Last month: a moment 20 days into the month before this one.
    let this_month = zhizhi_shared::kpi::Period::containing(zhizhi_shared::kpi::PeriodKind::Month, now);
    let last_month = this_month.previous();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // A live street between two looks at the page: `CHANGED` cases of the month written to
    // (their versions bumped, as every write of a case does).
    const CHANGED: usize = 20;
    let month_ids: Vec<i64> = store.kpi_versions(last_month.from, last_month.to).await.unwrap().into_iter().map(|m| m.0).collect();
    for by in ["street", "post", "grid"] {
        let q = KpiQuery { period: Some("month".into()), at: Some(last_month.from + 1), by: Some(by.into()), ..Default::default() };
        // Cold: a node that has read nothing yet (every case read from the log).
        let mut cold: Vec<Duration> = Vec::with_capacity(rounds);
        let mut report = None;
        for _ in 0..rounds {
            let kpis = zhizhi_server::kpis::Kpis::new(store.clone());
            let t = Instant::now();
            report = Some(kpis.report(&me, &q, now).await.unwrap());
            cold.push(t.elapsed());
        }
        // Warm: the same node again, each time after CHANGED cases of the month changed.
        let kpis = zhizhi_server::kpis::Kpis::new(store.clone());
        kpis.report(&me, &q, now).await.unwrap();
        let mut warm: Vec<Duration> = Vec::with_capacity(rounds);
        for round in 0..rounds {
            let ids: Vec<String> = month_ids.iter().skip(round * CHANGED % month_ids.len().max(1)).take(CHANGED).map(|i| i.to_string()).collect();
            pool.exec(format!("UPDATE cases SET version = version + 1 WHERE id IN ({})", ids.join(","))).await;
            let t = Instant::now();
            let r = kpis.report(&me, &q, now).await.unwrap();
            warm.push(t.elapsed());
            assert_eq!(Some(&r), report.as_ref(), "a version bump changes no figure: the cache answers as the log does");
        }
        cold.sort();
        warm.sort();
        let r = report.unwrap();
        println!(
            "  {} by {by:<6}: {} cases in the month, {} groups — cold p50 {:.1} ms, p99 {:.1} ms; warm ({CHANGED} cases changed) p50 {:.1} ms, p99 {:.1} ms",
            r.period.label(),
            r.cases,
            r.rows.len(),
            ms(percentile(&cold, 0.5)),
            ms(percentile(&cold, 0.99)),
            ms(percentile(&warm, 0.5)),
            ms(percentile(&warm, 0.99))
        );
    }
    // Where the time goes: the store's read of one month, and the computation over it.
    let mut reads = Vec::with_capacity(rounds);
    let mut computes = Vec::with_capacity(rounds);
    let names = store.kpi_names().await.unwrap();
    for _ in 0..rounds {
        let t = Instant::now();
        let facts: Vec<_> = store.kpi_facts(last_month.from, last_month.to).await.unwrap().into_iter().map(|f| f.1).collect();
        reads.push(t.elapsed());
        let t = Instant::now();
        let rows = zhizhi_shared::kpi::compute(&facts, &names, zhizhi_shared::kpi::Grouping::Street, &[]);
        let trend = zhizhi_shared::kpi::trend(&facts, &last_month, &[]);
        computes.push(t.elapsed());
        assert!(!rows.is_empty() && !trend.is_empty());
    }
    reads.sort();
    computes.sort();
    println!(
        "  of which one month's read p50 {:.1} ms, its figures and trend p50 {:.1} ms",
        percentile(&reads, 0.5).as_secs_f64() * 1000.0,
        percentile(&computes, 0.5).as_secs_f64() * 1000.0
    );
    common::remove_sqlite(&url);
}
