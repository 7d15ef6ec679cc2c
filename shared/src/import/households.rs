//! Homes (住户, 房屋) from a spreadsheet: one row a household, keyed by its building and room
//! number, with its floor and tenure (房屋性质: 自有 or 租住). A row is checked on its own
//! ([`check_row`]), then against what is stored ([`plan`]): the address must name a building,
//! the floor may not be above the building's, the same room may not come twice in a file, and a
//! stored household is updated where the row says something new — or left alone.

use super::residents::floor_of_unit;
pub use super::{StoredBuilding, StoredHousehold};
use super::{changed, plan_rows, Buildings, Column, Preview, Refusal};
use crate::place::Tenure;
use std::collections::HashMap;

/// The template's columns, in its order.
pub const COLUMNS: [Column; 4] = [
    Column { zh: "地址", en: "address", aliases: &["楼栋地址", "住址", "楼栋", "房屋地址"], required: true, example: "磁器口正街1号", hint: "本街道已有楼栋的地址或名称" },
    Column { zh: "房号", en: "unit", aliases: &["门牌", "户号", "室号"], required: true, example: "示例-101", hint: "" },
    Column { zh: "楼层", en: "floor", aliases: &[], required: false, example: "1", hint: "不填按房号推算（301 在 3 层）" },
    Column { zh: "房屋性质", en: "tenure", aliases: &["产权性质", "居住性质", "自有或租住"], required: false, example: "租住", hint: "自有 或 租住；不填不改" },
];

/// A row that passed its own checks. `None` for what the row leaves blank: the stored value is
/// kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub address: String,
    pub unit: String,
    pub floor: Option<i64>,
    pub tenure: Option<Tenure>,
}

/// Checks one row's cells, given in [`COLUMNS`]' order (`None` where the file has no such
/// column): the row, or every problem it has, in words.
pub fn check_row(line: usize, cells: &[Option<String>]) -> Result<Row, Refusal> {
    let text = |i: usize| cells.get(i).cloned().flatten().map(|s| s.trim().to_string()).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    let address = text(0);
    if address.is_empty() {
        problems.push("地址为空".into());
    }
    let unit = text(1);
    if unit == COLUMNS[1].example {
        problems.push("这是模板中的示例行，请删除后再导入".into());
    } else if unit.is_empty() {
        problems.push("房号为空".into());
    } else if unit.chars().count() > 20 {
        problems.push("房号超过 20 个字".into());
    }
    let floor = super::floor_cell(&text(2)).unwrap_or_else(|why| {
        problems.push(why);
        None
    });
    let tenure = match text(3).as_str() {
        "" => None,
        s => match Tenure::from_words(s) {
            Some(t) => Some(t),
            None => {
                problems.push(format!("房屋性质「{s}」应为 自有 或 租住"));
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(Refusal { line, reason: problems.join("；") });
    }
    Ok(Row { line, address, unit, floor, tenure })
}

/// A household the import creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHousehold {
    pub line: usize,
    pub building_id: i64,
    pub floor: i64,
    pub unit: String,
    pub tenure: Tenure,
}

/// A stored household the import changes: its id, the row, its floor and tenure after, the
/// fields that change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub id: i64,
    pub line: usize,
    pub floor: i64,
    pub tenure: Tenure,
    pub fields: Vec<&'static str>,
}

/// What an import writes: nothing when any row is refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Write {
    pub inserts: Vec<NewHousehold>,
    pub updates: Vec<Update>,
}

/// Compares checked rows (and the refused ones, passed through) with the stored buildings and
/// households: the preview and what to write. `progress(n)` is told every 1,000 rows.
pub fn plan(rows: Vec<Result<Row, Refusal>>, buildings: &[StoredBuilding], households: &[StoredHousehold], progress: impl FnMut(usize)) -> (Preview, Write) {
    let places = Buildings::new(buildings);
    let stored: HashMap<(i64, &str), &StoredHousehold> = households.iter().map(|h| ((h.building_id, h.unit.as_str()), h)).collect();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    let each = |row: Row, preview: &mut Preview, write: &mut Write| {
        let refuse = |reason: String| Refusal { line: row.line, reason };
        let building = places.find(&row.address).map_err(refuse)?;
        if let Some(first) = seen.get(&(building.id, row.unit.clone())) {
            return Err(refuse(format!("同一楼栋的房号「{}」与第 {first} 行重复", row.unit)));
        }
        seen.insert((building.id, row.unit.clone()), row.line);
        let old = stored.get(&(building.id, row.unit.as_str())).copied();
        let floor = row.floor.or(old.map(|o| o.floor)).unwrap_or_else(|| floor_of_unit(&row.unit));
        if floor > building.floors {
            return Err(refuse(format!("{} 层超过该楼的 {} 层", floor, building.floors)));
        }
        let tenure = row.tenure.or(old.map(|o| o.tenure)).unwrap_or_default();
        let Some(old) = old else {
            preview.new += 1;
            write.inserts.push(NewHousehold { line: row.line, building_id: building.id, floor, unit: row.unit, tenure });
            return Ok(());
        };
        let fields = changed(&[(old.floor != floor, "楼层"), (old.tenure != tenure, "房屋性质")]);
        // An address and a room number are not personal data: shown whole.
        let who = || format!("{} {}", building.address, row.unit);
        let shown = || fields.iter().map(|f| if *f == "房屋性质" { format!("房屋性质 {}→{}", old.tenure.name().0, tenure.name().0) } else { f.to_string() }).collect();
        if preview.count_update(row.line, &fields, who, shown) {
            write.updates.push(Update { id: old.id, line: row.line, floor, tenure, fields });
        }
        Ok(())
    };
    plan_rows(rows, progress, each, |w: &Write, p| p.new_households = w.inserts.len())
}

#[cfg(test)]
mod tests;
