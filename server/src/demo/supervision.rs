//! The demo street's enterprise supervision: every business's licences (a business licence for
//! all, a food licence with its expiry for the restaurants — a few expired), and the article's two
//! shops: neighbours in 磁南街's grid with a long trademark dispute, graded C and D at this year's
//! evaluation (the grade history says why), the D shop's food licence expired.

use crate::storage::Store;
use zhizhi_shared::demo::Rng;
use zhizhi_shared::enterprise::GradeChange;
use zhizhi_shared::people::CreditRating;

const DAY: i64 = 86_400_000;

/// Who graded the demo's businesses.
const EVALUATOR: &str = "区市场监管局（年度信用评价）";

/// Who graded them in between, for a cause.
const MARKET: &str = "磁器口市场监管所";

/// The two shops of the story: the first two restaurants (else businesses) of grid CQK-01-01,
/// by id.
pub async fn story_shops(store: &dyn Store) -> crate::storage::Result<Vec<i64>> {
    let grid = store.grids().await?.into_iter().find(|g| g.code == "CQK-01-01").map(|g| g.id);
    let all = store.enterprise_records(None).await?;
    let mut mine: Vec<_> = all.iter().filter(|e| Some(e.grid_id) == grid).collect();
    mine.sort_by_key(|e| (e.sector != "餐饮", e.id));
    Ok(mine.into_iter().take(2).map(|e| e.id).collect())
}

/// Stores the demo's licences and the two shops' grades, unless licences are stored already.
pub async fn supervision(store: &dyn Store) -> crate::storage::Result<()> {
    if !store.licences(None).await?.is_empty() {
        return Ok(());
    }
    let now = crate::auth::now_ms();
    let all = store.enterprise_records(None).await?;
    let shops = story_shops(store).await?;
    let mut rng = Rng::new(0x11CE);
    let mut licences = Vec::new();
    for e in &all {
        licences.push((e.id, "营业执照".to_string(), e.credit_code.clone(), None));
        if e.sector == "餐饮" || shops.contains(&e.id) {
            // Issued for five years at some time in the last five; the D shop's ran out.
            let expires = if shops.get(1) == Some(&e.id) { now - 20 * DAY } else { now + rng.range(-30, 5 * 365) * DAY };
            licences.push((e.id, "食品经营许可证".to_string(), format!("JY150010600{:05}", e.id), Some(expires)));
        }
    }
    store.add_licences(&licences).await?;
    let grades = [
        (CreditRating::C, "与相邻商户的商标纠纷长期未解，双方相互投诉，经营秩序受影响"),
        (CreditRating::D, "商标纠纷引发多次投诉，食品经营许可证过期未续"),
    ];
    for (n, (id, (to, reason))) in shops.iter().zip(grades).enumerate() {
        let Some(e) = all.iter().find(|e| e.id == *id) else { continue };
        let change = GradeChange { to, reason: reason.into(), evidence: "年度信用评价表、投诉记录".into() };
        if e.grade != to {
            // The C shop's evaluation is the later one: the analysis lists it first.
            store.regrade(*id, e.grade, &change, EVALUATOR, now - (40 + n as i64) * DAY).await?;
        }
    }
    // A year of the regulator's gradings: a business lowered for a cause and raised again once
    // it was put right (its grade today as before), so that the grade changes the KPI page
    // counts have a history. Only A and B businesses: the watch list of C and D is the story's.
    let causes = [
        ("消费投诉查实 2 起，限期整改", "整改到位，复查合格"),
        ("消防检查发现安全出口堵塞", "安全出口已清理，复查合格"),
        ("未按时报送年度报告", "已补报年度报告，信用修复"),
        ("价格标示不规范被查处", "明码标价整改完成，三个月无新投诉"),
    ];
    let mut gradings = 0;
    for (n, e) in all.iter().filter(|e| !shops.contains(&e.id) && e.grade <= CreditRating::B).step_by(37).take(36).enumerate() {
        let lower = if e.grade == CreditRating::A { CreditRating::B } else { CreditRating::C };
        let (down_reason, up_reason) = causes[n % causes.len()];
        let down = now - rng.range(20, 360) * DAY;
        // Raised again weeks later; one not yet due by now is raised within the last 19 days.
        let mut up = down + rng.range(10, 60) * DAY;
        if up > now - DAY / 2 {
            up = now - rng.range(12, 19 * 24) * DAY / 24;
        }
        let lowered = GradeChange { to: lower, reason: down_reason.into(), evidence: "检查记录、投诉处理单".into() };
        let raised = GradeChange { to: e.grade, reason: up_reason.into(), evidence: "复查记录".into() };
        if store.regrade(e.id, e.grade, &lowered, MARKET, down).await? && store.regrade(e.id, lower, &raised, MARKET, up).await? {
            gradings += 2;
        }
    }
    println!("示范企业监管数据已载入：证照 {} 个，重点帮扶商户 {} 家，近一年信用评级变动 {gradings} 次", licences.len(), shops.len());
    Ok(())
}
