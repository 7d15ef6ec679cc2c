//! Loading the demo district into an empty database, with progress on the console.

use crate::storage::{Error, Store};
use std::time::Instant;
use zhizhi_shared::demo::{generate, DEFAULT_SEED};

/// What loading the demo did.
#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The demo street was written, with this many records.
    Fresh { records: usize },
    /// A street was already stored; nothing was written.
    AlreadyThere,
}

/// Generates the demo district and stores it, unless a street is already stored.
pub async fn load(store: &dyn Store) -> Result<Loaded, Error> {
    let started = Instant::now();
    let district = generate(DEFAULT_SEED);
    let s = district.summary();
    let records = (s.communities + s.grids + s.micro_grids + s.buildings + s.households + s.residents + s.enterprises + s.devices + s.staff) as usize;
    println!(
        "示范街道已生成（{:.1} 秒）：{} 个社区、{} 个网格、{} 个微网格、{} 栋楼、{} 户、{} 名居民、{} 家企业商户、{} 台设备",
        started.elapsed().as_secs_f64(),
        s.communities, s.grids, s.micro_grids, s.buildings, s.households, s.residents, s.enterprises, s.devices
    );
    let progress = |table: &str, done: usize, total: usize| {
        if done == total || done % 10_000 == 0 {
            println!("  写入{table} {done}/{total}");
        }
    };
    match store.import_district(&district, &progress).await {
        Ok(()) => {
            println!("示范街道已载入，共 {records} 条记录，用时 {:.1} 秒", started.elapsed().as_secs_f64());
            Ok(Loaded::Fresh { records })
        }
        Err(Error::NotEmpty) => {
            println!("数据库中已有街道数据，不再载入示范街道");
            Ok(Loaded::AlreadyThere)
        }
        Err(e) => Err(e),
    }
}
