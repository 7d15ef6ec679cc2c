//! Residents (and their households) from a spreadsheet: one row a resident, keyed by the
//! identity number. A row is checked on its own ([`check_row`]), then against what is stored
//! ([`plan`]): the address must name a building, the household is found by building and room
//! number (or created), the same identity number may not come twice in a file, and a stored
//! resident with that number is updated where the row differs — or left alone.

pub use super::{StoredBuilding, StoredHousehold};
use super::{changed, plan_rows, Buildings, Column, Preview, Refusal};
use crate::people::{CareTag, Resident, Sex};
use std::collections::HashMap;

/// The template's columns, in its order.
pub const COLUMNS: [Column; 9] = [
    Column { zh: "姓名", en: "name", aliases: &["居民姓名"], required: true, example: "张三", hint: "" },
    Column { zh: "身份证号", en: "id_number", aliases: &["公民身份号码", "身份证号码", "证件号码"], required: true, example: "500106194203091011", hint: "18 位，请用文本格式" },
    Column { zh: "性别", en: "sex", aliases: &[], required: false, example: "男", hint: "男/女；不填按身份证号" },
    Column { zh: "出生日期", en: "birth_date", aliases: &["出生年月日"], required: false, example: "1942-03-09", hint: "不填按身份证号" },
    Column { zh: "联系电话", en: "phone", aliases: &["手机号", "手机", "电话"], required: false, example: "13812341234", hint: "11 位手机号或带区号的固话" },
    Column { zh: "地址", en: "address", aliases: &["楼栋地址", "住址", "楼栋"], required: true, example: "磁器口正街1号", hint: "本街道已有楼栋的地址或名称" },
    Column { zh: "房号", en: "unit", aliases: &["门牌", "户号", "室号"], required: true, example: "2-301", hint: "" },
    Column { zh: "楼层", en: "floor", aliases: &[], required: false, example: "3", hint: "不填按房号推算" },
    Column { zh: "关爱标签", en: "care_tags", aliases: &["关爱对象", "标签"], required: false, example: "独居老人", hint: "可多个，用顿号分隔：独居老人、留守儿童、残疾人、低保户、退役军人" },
];

/// A row that passed its own checks. `None` for a column the file does not have: the stored
/// value is kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub id_number: String,
    pub sex: Sex,
    pub birth_date: String,
    pub phone: Option<String>,
    pub address: String,
    pub unit: String,
    pub floor: Option<i64>,
    pub care_tags: Option<Vec<CareTag>>,
}

/// Checks one row's cells, given in [`COLUMNS`]' order (`None` where the file has no such
/// column): the row, or every problem it has, in words.
pub fn check_row(line: usize, cells: &[Option<String>]) -> Result<Row, Refusal> {
    let cell = |i: usize| cells.get(i).cloned().flatten().map(|s| s.trim().to_string());
    let text = |i: usize| cell(i).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    let name = text(0);
    if name.is_empty() {
        problems.push("姓名为空".into());
    } else if name.chars().count() > 32 {
        problems.push("姓名超过 32 个字".into());
    }
    let id_number = text(1).to_uppercase().replace(' ', "");
    let id_ok = match super::id_number_problem(&id_number) {
        _ if id_number == COLUMNS[1].example => {
            problems.push("这是模板中的示例行，请删除后再导入".into());
            false
        }
        _ if id_number.is_empty() => {
            problems.push("身份证号为空".into());
            false
        }
        Some(p) => {
            problems.push(p.into());
            false
        }
        None => true,
    };
    let sex = match text(2).as_str() {
        "" => None,
        "男" | "male" | "Male" | "M" | "m" => Some(Sex::Male),
        "女" | "female" | "Female" | "F" | "f" => Some(Sex::Female),
        other => {
            problems.push(format!("性别「{other}」应为 男 或 女"));
            None
        }
    };
    let id_sex = id_ok.then(|| if super::id_is_male(&id_number) { Sex::Male } else { Sex::Female });
    if let (Some(s), Some(i)) = (sex, id_sex) {
        if s != i {
            problems.push("性别与身份证号不符".into());
        }
    }
    let birth = match text(3).as_str() {
        "" => None,
        s => match super::parse_date(s) {
            Some(d) => Some(d),
            None => {
                problems.push(format!("出生日期「{s}」无法识别（例：1942-03-09）"));
                None
            }
        },
    };
    if let (Some(b), true) = (&birth, id_ok) {
        if *b != super::id_birth_date(&id_number) {
            problems.push("出生日期与身份证号不符".into());
        }
    }
    let phone = cell(4);
    if let Some(p) = phone.as_deref().filter(|p| !p.is_empty()) {
        if let Some(problem) = super::phone_problem(p) {
            problems.push(problem.into());
        }
    }
    let address = text(5);
    if address.is_empty() {
        problems.push("地址为空".into());
    }
    let unit = text(6);
    if unit.is_empty() {
        problems.push("房号为空".into());
    } else if unit.chars().count() > 20 {
        problems.push("房号超过 20 个字".into());
    }
    let floor = super::floor_cell(&text(7)).unwrap_or_else(|why| {
        problems.push(why);
        None
    });
    let care_tags = cell(8).map(|s| {
        let mut tags = Vec::new();
        for t in s.split(['、', ',', '，', ';', '；', '/', ' ']).map(str::trim).filter(|t| !t.is_empty()) {
            match CareTag::ALL.into_iter().find(|c| c.name_zh() == t || c.code() == t) {
                Some(c) if !tags.contains(&c) => tags.push(c),
                Some(_) => {}
                None => problems.push(format!("关爱标签「{t}」不认识（可填：独居老人、留守儿童、残疾人、低保户、退役军人）")),
            }
        }
        tags
    });
    if !problems.is_empty() {
        return Err(Refusal { line, reason: problems.join("；") });
    }
    Ok(Row {
        line,
        name,
        birth_date: birth.unwrap_or_else(|| super::id_birth_date(&id_number)),
        sex: sex.or(id_sex).unwrap_or(Sex::Male),
        id_number,
        phone: phone.map(|p| p.replace(' ', "")),
        address,
        unit,
        floor,
        care_tags,
    })
}

/// The floor a room number implies: `2-301` and `301` are on floor 3, `1201` on 12; 1 when
/// the number says nothing.
pub fn floor_of_unit(unit: &str) -> i64 {
    let last = unit.rsplit(['-', '—', '－']).next().unwrap_or(unit);
    let digits: String = last.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 {
        digits[..digits.len() - 2].parse().unwrap_or(1).max(1)
    } else {
        1
    }
}

/// What is stored that an import of residents compares with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    pub buildings: Vec<StoredBuilding>,
    pub households: Vec<StoredHousehold>,
    pub residents: Vec<Resident>,
}

/// Where a resident lives after the import: a stored household, or the new one at this
/// index of [`Write::new_households`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Home {
    Stored(i64),
    New(usize),
}

/// A household the import creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHousehold {
    pub building_id: i64,
    pub floor: i64,
    pub unit: String,
}

/// A resident as the import writes them.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub home: Home,
    pub name: String,
    pub sex: Sex,
    pub birth_date: String,
    pub id_number: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
}

/// What an import writes: nothing when any row is refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Write {
    pub new_households: Vec<NewHousehold>,
    pub inserts: Vec<Record>,
    /// `(resident id, the record, the fields that change)`.
    pub updates: Vec<(i64, Record, Vec<&'static str>)>,
}

/// Compares checked rows (and the refused ones, passed through) with what is stored: the
/// preview and what to write. `progress(n)` is told every 1,000 rows.
pub fn plan(rows: Vec<Result<Row, Refusal>>, stored: &Stored, progress: impl FnMut(usize)) -> (Preview, Write) {
    let buildings = Buildings::new(&stored.buildings);
    let households: HashMap<(i64, &str), i64> = stored.households.iter().map(|h| ((h.building_id, h.unit.as_str()), h.id)).collect();
    let mut by_id: HashMap<&str, Vec<&Resident>> = HashMap::new();
    for r in &stored.residents {
        by_id.entry(r.id_number.as_str()).or_default().push(r);
    }
    let mut new_homes: HashMap<(i64, String), usize> = HashMap::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let sorted = |t: &[CareTag]| {
        let mut v: Vec<&str> = t.iter().map(|c| c.code()).collect();
        v.sort_unstable();
        v
    };
    let each = |row: Row, preview: &mut Preview, write: &mut Write| {
        let refuse = |reason: String| Refusal { line: row.line, reason };
        if let Some(first) = seen.get(&row.id_number) {
            return Err(refuse(format!("身份证号与第 {first} 行重复")));
        }
        seen.insert(row.id_number.clone(), row.line);
        let stored_rows = by_id.get(row.id_number.as_str()).map(Vec::as_slice).unwrap_or_default();
        if stored_rows.len() > 1 {
            return Err(refuse(format!("库中已有 {} 位居民使用此身份证号，请先核对", stored_rows.len())));
        }
        let building = buildings.find(&row.address).map_err(refuse)?;
        let home = match households.get(&(building.id, row.unit.as_str())) {
            Some(&id) => Home::Stored(id),
            None => {
                let floor = row.floor.unwrap_or_else(|| floor_of_unit(&row.unit));
                if floor > building.floors {
                    return Err(refuse(format!("{} 层超过该楼的 {} 层", floor, building.floors)));
                }
                let next = write.new_households.len();
                let at = *new_homes.entry((building.id, row.unit.clone())).or_insert(next);
                if at == next {
                    write.new_households.push(NewHousehold { building_id: building.id, floor, unit: row.unit.clone() });
                }
                Home::New(at)
            }
        };
        let old = stored_rows.first();
        let record = Record {
            line: row.line,
            home,
            name: row.name,
            sex: row.sex,
            birth_date: row.birth_date,
            phone: row.phone.unwrap_or_else(|| old.map(|o| o.phone.clone()).unwrap_or_default()),
            care_tags: row.care_tags.unwrap_or_else(|| old.map(|o| o.care_tags.clone()).unwrap_or_default()),
            id_number: row.id_number,
        };
        let Some(old) = old else {
            preview.new += 1;
            write.inserts.push(record);
            return Ok(());
        };
        let fields = changed(&[
            (old.name != record.name, "姓名"),
            (old.sex != record.sex, "性别"),
            (old.birth_date != record.birth_date, "出生日期"),
            (old.phone != record.phone, "联系电话"),
            (home != Home::Stored(old.household_id), "住址"),
            (sorted(&old.care_tags) != sorted(&record.care_tags), "关爱标签"),
        ]);
        if preview.count_update(record.line, &fields, || crate::mask::name(&record.name), || fields.iter().map(|f| f.to_string()).collect()) {
            write.updates.push((old.id, record, fields));
        }
        Ok(())
    };
    plan_rows(rows, progress, each, |w: &Write, p| p.new_households = w.new_households.len())
}

#[cfg(test)]
mod tests;
