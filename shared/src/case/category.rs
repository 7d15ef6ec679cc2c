//! Case categories: a two-level tree in the spirit of CJ/T 214 (城市管理部件和事件分类), each
//! leaf with the post it is usually sent to, its urgency, and a deadline for every stage.

use super::Urgency;

/// Time limits of a category's stages, in minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// From report to acceptance (受理).
    pub accept: i64,
    /// From acceptance to dispatch (派遣).
    pub dispatch: i64,
    /// From dispatch to the posts' report back (处置).
    pub handle: i64,
    /// From the report back to verification (核查) and closure.
    pub verify: i64,
}

/// A leaf of the category tree: what a case is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Category {
    /// Stable code, e.g. `greening.branch`.
    pub code: &'static str,
    /// The top-level group's code, e.g. `greening`.
    pub group: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The post this kind of case usually goes to (its name in the street's post list).
    pub post: &'static str,
    pub urgency: Urgency,
    pub deadlines: Deadlines,
}

/// A top-level group of categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

/// The top-level groups, in the order forms list them.
pub const GROUPS: [Group; 8] = [
    Group { code: "environment", name_zh: "市容环境", name_en: "Street environment" },
    Group { code: "greening", name_zh: "园林绿化", name_en: "Greenery" },
    Group { code: "order", name_zh: "街面秩序", name_en: "Street order" },
    Group { code: "consumer", name_zh: "消费纠纷", name_en: "Consumer disputes" },
    Group { code: "fire", name_zh: "消防安全", name_en: "Fire safety" },
    Group { code: "flood", name_zh: "防汛", name_en: "Flood control" },
    Group { code: "livelihood", name_zh: "民生诉求", name_en: "Residents' requests" },
    Group { code: "care", name_zh: "关爱帮扶", name_en: "Care for the vulnerable" },
];

const fn d(accept: i64, dispatch: i64, handle: i64, verify: i64) -> Deadlines {
    Deadlines { accept, dispatch, handle, verify }
}

const H: i64 = 60;

/// Every category. Deadlines follow the practice of digital city management: urgent safety
/// cases are accepted in minutes and handled within hours, ordinary ones within days.
pub const CATEGORIES: [Category; 24] = [
    Category { code: "environment.litter", group: "environment", name_zh: "暴露垃圾", name_en: "Exposed rubbish", post: "城市管理", urgency: Urgency::Normal, deadlines: d(30, 30, 4 * H, 4 * H) },
    Category { code: "environment.facility", group: "environment", name_zh: "市政设施损坏", name_en: "Damaged public facility", post: "城市管理", urgency: Urgency::Medium, deadlines: d(30, 30, 24 * H, 8 * H) },
    Category { code: "environment.drain", group: "environment", name_zh: "下水道堵塞", name_en: "Blocked drain", post: "城市管理", urgency: Urgency::Medium, deadlines: d(30, 30, 24 * H, 8 * H) },
    Category { code: "environment.manhole", group: "environment", name_zh: "井盖缺失", name_en: "Missing manhole cover", post: "城市管理", urgency: Urgency::Critical, deadlines: d(5, 10, 2 * H, 2 * H) },
    Category { code: "greening.branch", group: "greening", name_zh: "树木断枝", name_en: "Broken tree branch", post: "城市管理", urgency: Urgency::High, deadlines: d(10, 20, 4 * H, 4 * H) },
    Category { code: "greening.damage", group: "greening", name_zh: "绿地毁损", name_en: "Damaged green space", post: "城市管理", urgency: Urgency::Normal, deadlines: d(30, 60, 72 * H, 24 * H) },
    Category { code: "order.stall", group: "order", name_zh: "占道经营", name_en: "Street vending on the road", post: "综合执法", urgency: Urgency::Medium, deadlines: d(15, 30, 4 * H, 4 * H) },
    Category { code: "order.parking", group: "order", name_zh: "违规停车", name_en: "Illegal parking", post: "综合执法", urgency: Urgency::Normal, deadlines: d(15, 30, 2 * H, 4 * H) },
    Category { code: "order.crowd", group: "order", name_zh: "人员聚集", name_en: "Crowd gathering", post: "平安建设", urgency: Urgency::High, deadlines: d(5, 10, H, 2 * H) },
    Category { code: "order.dispute", group: "order", name_zh: "邻里纠纷", name_en: "Neighbour dispute", post: "司法所", urgency: Urgency::Normal, deadlines: d(30, 60, 72 * H, 24 * H) },
    Category { code: "consumer.overcharge", group: "consumer", name_zh: "价格欺诈", name_en: "Overcharging", post: "市场监管", urgency: Urgency::Medium, deadlines: d(30, 60, 24 * H, 24 * H) },
    Category { code: "consumer.food", group: "consumer", name_zh: "食品安全", name_en: "Food safety", post: "市场监管", urgency: Urgency::High, deadlines: d(15, 30, 8 * H, 8 * H) },
    Category { code: "fire.smoke", group: "fire", name_zh: "烟感报警", name_en: "Smoke alarm", post: "消防救援站", urgency: Urgency::Critical, deadlines: d(2, 3, H, 2 * H) },
    Category { code: "fire.fire", group: "fire", name_zh: "火情", name_en: "Fire", post: "消防救援站", urgency: Urgency::Critical, deadlines: d(2, 3, H, 2 * H) },
    Category { code: "fire.hazard", group: "fire", name_zh: "消防隐患", name_en: "Fire hazard", post: "应急管理", urgency: Urgency::High, deadlines: d(15, 30, 24 * H, 8 * H) },
    Category { code: "fire.passage", group: "fire", name_zh: "消防通道堵塞", name_en: "Blocked fire lane", post: "综合执法", urgency: Urgency::High, deadlines: d(10, 20, 2 * H, 4 * H) },
    Category { code: "flood.water_level", group: "flood", name_zh: "水位超警", name_en: "Water above warning level", post: "应急管理", urgency: Urgency::Critical, deadlines: d(2, 5, 2 * H, 4 * H) },
    Category { code: "flood.waterlogging", group: "flood", name_zh: "道路积水", name_en: "Waterlogged road", post: "城市管理", urgency: Urgency::High, deadlines: d(10, 20, 4 * H, 4 * H) },
    Category { code: "livelihood.water_power", group: "livelihood", name_zh: "水电气故障", name_en: "Water, power or gas fault", post: "社区治理", urgency: Urgency::Medium, deadlines: d(30, 60, 24 * H, 24 * H) },
    Category { code: "livelihood.noise", group: "livelihood", name_zh: "噪声扰民", name_en: "Noise nuisance", post: "综合执法", urgency: Urgency::Normal, deadlines: d(30, 60, 24 * H, 24 * H) },
    Category { code: "livelihood.social", group: "livelihood", name_zh: "社会救助", name_en: "Social assistance", post: "社会事务", urgency: Urgency::Normal, deadlines: d(60, 120, 120 * H, 48 * H) },
    Category { code: "care.elderly_alone", group: "care", name_zh: "独居老人异常", name_en: "Elderly person living alone: no activity", post: "社区治理", urgency: Urgency::High, deadlines: d(5, 10, 2 * H, 4 * H) },
    Category { code: "care.fall", group: "care", name_zh: "人员跌倒", name_en: "Person fallen", post: "卫生健康", urgency: Urgency::Critical, deadlines: d(2, 3, H, 2 * H) },
    Category { code: "care.other", group: "care", name_zh: "其他帮扶需求", name_en: "Other help needed", post: "社会事务", urgency: Urgency::Normal, deadlines: d(60, 120, 72 * H, 24 * H) },
];

/// The category with `code`.
pub fn category(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

/// The group with `code`.
pub fn group(code: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_a_group_sane_deadlines_and_a_unique_code() {
        for c in CATEGORIES {
            assert!(group(c.group).is_some(), "{}", c.code);
            assert!(c.code.starts_with(&format!("{}.", c.group)), "{}", c.code);
            let d = c.deadlines;
            assert!(d.accept > 0 && d.dispatch > 0 && d.handle >= d.accept && d.verify > 0, "{}", c.code);
            assert_eq!(CATEGORIES.iter().filter(|o| o.code == c.code).count(), 1, "{}", c.code);
        }
        for g in GROUPS {
            assert!(CATEGORIES.iter().any(|c| c.group == g.code), "empty group {}", g.code);
        }
    }
}
