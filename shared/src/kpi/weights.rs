//! The weights of the indicators in a score (考核权重): the administrator's where set, else
//! each definition's default, and the check of weights an administrator sets.

use super::{Indicator, Unit, DEFINITIONS};
use serde::{Deserialize, Serialize};

/// An indicator's weight in the score (考核权重).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorWeight {
    pub indicator: Indicator,
    pub weight: u32,
}

/// The weights in force: every indicator's, the administrator's where set, else the default.
pub fn weights_in_force(set: &[IndicatorWeight]) -> Vec<IndicatorWeight> {
    DEFINITIONS
        .iter()
        .map(|d| set.iter().find(|w| w.indicator == d.indicator).copied().unwrap_or(IndicatorWeight { indicator: d.indicator, weight: d.weight }))
        .collect()
}

/// Checks weights an administrator sets: each indicator once, 0–100, minutes not weighted
/// (the score is of rates), and some weight left. The field and what is wrong.
pub fn check_weights(w: &[IndicatorWeight]) -> Result<(), (&'static str, String)> {
    for (i, x) in w.iter().enumerate() {
        let name = x.indicator.definition().name.0;
        if w[..i].iter().any(|o| o.indicator == x.indicator) {
            return Err(("weights", format!("「{name}」的权重写了两次")));
        }
        if x.weight > 100 {
            return Err(("weights", format!("「{name}」的权重应为 0–100")));
        }
        if x.indicator.definition().unit != Unit::Percent && x.weight > 0 {
            return Err(("weights", format!("「{name}」以分钟计，不计入得分，权重只能为 0")));
        }
    }
    if weights_in_force(w).iter().all(|x| x.weight == 0) {
        return Err(("weights", "至少要有一项指标的权重大于 0".into()));
    }
    Ok(())
}
