//! Enterprise supervision's rules (企业信用监管): checking a unified social credit code, what a
//! credit grade change needs, the flags that suggest a re-grade, and the risk-based random
//! inspection draw (双随机、一公开) — reproducible from its seed, weighted by grade, never over a
//! business's yearly cap — with the random assignment of inspectors.
//!
//! Grades follow national credit-based supervision: A low risk … D high risk
//! ([`CreditRating`]).

pub mod inspection;
pub mod view;

use crate::demo::rng::Rng;
use crate::people::CreditRating;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Checks a unified social credit code (GB 32100-2015): 18 characters of the code's alphabet (no
/// I, O, Z, S, V), the last one the check character of the first 17.
pub fn check_credit_code(code: &str) -> Result<(), String> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let code = code.trim();
    if code.chars().count() != 18 {
        return Err(format!("统一社会信用代码应为 18 位，这里是 {} 位", code.chars().count()));
    }
    if let Some(c) = code.chars().find(|c| !ALPHABET.contains(*c)) {
        return Err(format!("统一社会信用代码不能含有「{c}」"));
    }
    let want = crate::demo::ids::uscc_check_char(&code[..17]);
    if !code.ends_with(want) {
        return Err("统一社会信用代码校验位错误".into());
    }
    Ok(())
}

/// A grade change as supervisors record it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeChange {
    pub to: CreditRating,
    /// Why, in words (at least 4 characters).
    pub reason: String,
    /// What shows it: an inspection, a case number, a document.
    pub evidence: String,
}

/// The longest reason or evidence kept.
pub const TEXT_MAX: usize = 500;

/// Checks a grade change from `from`: a different grade, a reason, and evidence for any change.
pub fn check_grade_change(from: CreditRating, c: &GradeChange) -> Result<(), (&'static str, String)> {
    if c.to == from {
        return Err(("to", format!("该企业已是 {} 级", from.letter())));
    }
    let reason = c.reason.trim().chars().count();
    if reason < 4 {
        return Err(("reason", "调整信用等级须写明理由（至少 4 个字）".into()));
    }
    if c.evidence.trim().is_empty() {
        return Err(("evidence", "调整信用等级须注明依据（检查记录、事件编号或文书）".into()));
    }
    if reason > TEXT_MAX || c.evidence.chars().count() > TEXT_MAX {
        return Err(("reason", format!("理由和依据各最多 {TEXT_MAX} 个字")));
    }
    Ok(())
}

/// What is known of a business when its flags are computed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub grade: CreditRating,
    /// Complaints and cases at the business in the last 90 days.
    pub cases_90d: u32,
    /// Licences with their expiry (ms), `None` for no expiry.
    pub licence_expiries: Vec<Option<i64>>,
    /// Inspections failed in the last year.
    pub failed_inspections: u32,
    /// Rectification items past their deadline and not done.
    pub overdue_rectifications: u32,
}

impl Default for CreditRating {
    fn default() -> Self {
        CreditRating::A
    }
}

/// A reason to look at a business's grade again, and the grade it points to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// `repeated_cases`, `licence_expired`, `failed_inspection`, `rectification_overdue`.
    pub code: String,
    pub text_zh: String,
    pub text_en: String,
    /// The grade the flag suggests at best (a business already at or below it is not flagged).
    pub suggests: CreditRating,
}

/// The flags that suggest a re-grade: repeated cases (3 or more in 90 days → at best B, 6 or more
/// → at best C), an expired licence (at best C), failed inspections (at best C; two → D),
/// rectifications overdue (at best C). A flag whose suggestion the grade already meets is left
/// out.
pub fn flags(f: &Facts, now: i64) -> Vec<Flag> {
    let mut out = Vec::new();
    let mut flag = |code: &'static str, suggests: CreditRating, zh: String, en: String| {
        if f.grade < suggests {
            out.push(Flag { code: code.to_string(), text_zh: zh, text_en: en, suggests });
        }
    };
    if f.cases_90d >= 3 {
        let to = if f.cases_90d >= 6 { CreditRating::C } else { CreditRating::B };
        flag("repeated_cases", to, format!("近 90 天被投诉或立案 {} 次", f.cases_90d), format!("{} complaints or cases in 90 days", f.cases_90d));
    }
    let expired = f.licence_expiries.iter().flatten().filter(|e| **e < now).count();
    if expired > 0 {
        flag("licence_expired", CreditRating::C, format!("{expired} 个证照已过期"), format!("{expired} licence(s) expired"));
    }
    if f.failed_inspections > 0 {
        let to = if f.failed_inspections >= 2 { CreditRating::D } else { CreditRating::C };
        flag("failed_inspection", to, format!("一年内检查不合格 {} 次", f.failed_inspections), format!("{} failed inspection(s) this year", f.failed_inspections));
    }
    if f.overdue_rectifications > 0 {
        flag("rectification_overdue", CreditRating::C, format!("{} 项整改逾期未完成", f.overdue_rectifications), format!("{} rectification item(s) overdue", f.overdue_rectifications));
    }
    out
}

/// The share of each grade's businesses drawn for inspection in a year, and how often one
/// business may be visited in a year (joint inspections count once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawRules {
    /// A, B, C, D.
    pub rates: [f64; 4],
    pub yearly_cap: u32,
}

impl Default for DrawRules {
    /// A 5 %, B 15 %, C 40 %, D 80 % a year (inside the bands of credit-based supervision:
    /// A ≤ 5 %, B 5–20 %, C 21–60 %, D 61–100 %); at most 2 visits a year.
    fn default() -> Self {
        DrawRules { rates: [0.05, 0.15, 0.40, 0.80], yearly_cap: 2 }
    }
}

fn index(g: CreditRating) -> usize {
    match g {
        CreditRating::A => 0,
        CreditRating::B => 1,
        CreditRating::C => 2,
        CreditRating::D => 3,
    }
}

/// A business that may be drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: i64,
    pub grade: CreditRating,
    /// Visits this year so far.
    pub visits: u32,
}

/// Draws the year's targets: for each grade, `round(rate × businesses of that grade)` of those
/// still under the cap, chosen at random from `seed` (a partial Fisher–Yates shuffle over the
/// candidates in id order, so the same candidates and seed always give the same draw). The ids
/// drawn, in id order.
pub fn draw(candidates: &[Candidate], rules: &DrawRules, seed: u64) -> Vec<i64> {
    let mut rng = Rng::new(seed);
    let mut by_grade: [Vec<&Candidate>; 4] = Default::default();
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort_by_key(|c| c.id);
    for c in sorted {
        by_grade[index(c.grade)].push(c);
    }
    let mut out = Vec::new();
    for (g, list) in by_grade.iter().enumerate() {
        let want = (rules.rates[g].clamp(0.0, 1.0) * list.len() as f64).round() as usize;
        let mut open: Vec<i64> = list.iter().filter(|c| c.visits < rules.yearly_cap).map(|c| c.id).collect();
        let take = want.min(open.len());
        for i in 0..take {
            let j = rng.range(i as i64, open.len() as i64 - 1) as usize;
            open.swap(i, j);
        }
        out.extend_from_slice(&open[..take]);
    }
    out.sort_unstable();
    out
}

/// Assigns `per_target` different inspectors to each target at random from `seed`, spreading the
/// work evenly (each inspector gets at most one more target than any other). Fewer inspectors
/// than `per_target` is an error.
pub fn assign(targets: &[i64], inspectors: &[i64], per_target: usize, seed: u64) -> Result<HashMap<i64, Vec<i64>>, String> {
    let mut pool: Vec<i64> = inspectors.to_vec();
    pool.sort_unstable();
    pool.dedup();
    if pool.len() < per_target || per_target == 0 {
        return Err(format!("每户需 {per_target} 名检查人员，只有 {} 名可选", pool.len()));
    }
    let mut rng = Rng::new(seed ^ 0x5EED_1A5E);
    // Deal from a shuffled deck, a new shuffled deck added when no one in it can join the team:
    // every inspector is dealt once before anyone is dealt twice.
    let mut deck: Vec<i64> = Vec::new();
    let mut out = HashMap::new();
    for t in targets {
        let mut team: Vec<i64> = Vec::with_capacity(per_target);
        while team.len() < per_target {
            let pos = loop {
                if let Some(p) = deck.iter().position(|x| !team.contains(x)) {
                    break p;
                }
                let mut more = pool.clone();
                for i in (1..more.len()).rev() {
                    let j = rng.range(0, i as i64) as usize;
                    more.swap(i, j);
                }
                deck.extend(more);
            };
            team.push(deck.remove(pos));
        }
        out.insert(*t, team);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
