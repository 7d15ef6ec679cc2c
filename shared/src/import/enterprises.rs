//! Enterprises and shops (企业商户) from a spreadsheet: one row a business, keyed by its unified
//! social credit code. A row is checked on its own ([`check_row`]) — the code's check character,
//! the grade, the contact's phone, a licence's number and date — then against what is stored
//! ([`plan`]): the address must name a building, the same code may not come twice in a file,
//! and a stored business with that code is updated where the row differs (a new grade, a new
//! contact, a renewed licence) — or left alone.

pub use super::StoredBuilding;
use super::{changed, plan_rows, Buildings, Column, Preview, Refusal};
use crate::people::{CreditRating, Enterprise};
use std::collections::HashMap;

/// The template's columns, in its order.
pub const COLUMNS: [Column; 10] = [
    Column { zh: "企业名称", en: "name", aliases: &["单位名称", "商户名称", "企业（商户）名称", "名称"], required: true, example: "磁器口示例茶馆", hint: "" },
    Column { zh: "统一社会信用代码", en: "credit_code", aliases: &["信用代码", "社会信用代码", "营业执照号", "营业执照注册号"], required: true, example: "91500104MA5U8X2L3L", hint: "18 位，见营业执照" },
    Column { zh: "行业", en: "sector", aliases: &["所属行业", "行业类别", "经营类别"], required: true, example: "餐饮", hint: "如 餐饮、住宿、零售、文创" },
    Column { zh: "地址", en: "address", aliases: &["经营地址", "经营场所", "住所", "楼栋"], required: true, example: "磁器口正街1号", hint: "本街道已有楼栋的地址或名称" },
    Column { zh: "信用等级", en: "grade", aliases: &["信用评级", "风险等级", "等级"], required: false, example: "B", hint: "A 低风险、B 一般、C 较高、D 高风险；不填：新企业按 B，已有企业不变" },
    Column { zh: "联系人", en: "contact", aliases: &["法定代表人", "负责人", "法人"], required: true, example: "李四", hint: "" },
    Column { zh: "联系电话", en: "phone", aliases: &["手机号", "手机", "电话"], required: true, example: "13812341234", hint: "11 位手机号或带区号的固话" },
    Column { zh: "许可证名称", en: "licence", aliases: &["许可证种类", "许可证类型", "证照名称"], required: false, example: "食品经营许可证", hint: "一行一张；同名证照已有时按新编号和有效期更新" },
    Column { zh: "许可证编号", en: "licence_number", aliases: &["许可证号", "证照编号"], required: false, example: "JY25001040012345", hint: "填了许可证名称就要填编号" },
    Column { zh: "许可证有效期至", en: "licence_expires", aliases: &["有效期至", "有效期", "证照有效期"], required: false, example: "2027-06-30", hint: "不填：长期有效" },
];

/// A licence as a row carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Licence {
    pub kind: String,
    pub number: String,
    /// The last millisecond of the day it is valid until; `None` for no end.
    pub expires_at: Option<i64>,
}

/// A row that passed its own checks. `None` for a grade the row leaves blank.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub credit_code: String,
    pub sector: String,
    pub address: String,
    pub grade: Option<CreditRating>,
    pub contact_name: String,
    pub contact_phone: String,
    pub licence: Option<Licence>,
}

/// Checks one row's cells, given in [`COLUMNS`]' order (`None` where the file has no such
/// column): the row, or every problem it has, in words.
pub fn check_row(line: usize, cells: &[Option<String>]) -> Result<Row, Refusal> {
    let text = |i: usize| cells.get(i).cloned().flatten().map(|s| s.trim().to_string()).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    let mut bounded = |value: String, what: &str, max: usize| {
        match value.chars().count() {
            0 => problems.push(format!("{what}为空")),
            n if n > max => problems.push(format!("{what}超过 {max} 个字")),
            _ => {}
        }
        value
    };
    let name = bounded(text(0), "企业名称", 64);
    let sector = bounded(text(2), "行业", 20);
    let address = bounded(text(3), "地址", 100);
    let contact_name = bounded(text(5), "联系人", 32);
    let credit_code = text(1).to_uppercase().replace(' ', "");
    if credit_code == COLUMNS[1].example {
        problems.push("这是模板中的示例行，请删除后再导入".into());
    } else if credit_code.is_empty() {
        problems.push("统一社会信用代码为空".into());
    } else if let Err(why) = crate::enterprise::check_credit_code(&credit_code) {
        problems.push(why);
    }
    let grade = match text(4).trim_end_matches('级').trim() {
        "" => None,
        g => match CreditRating::from_letter(&g.to_uppercase()) {
            Some(r) => Some(r),
            None => {
                problems.push(format!("信用等级「{g}」应为 A、B、C 或 D"));
                None
            }
        },
    };
    let contact_phone = text(6).replace(' ', "");
    if contact_phone.is_empty() {
        problems.push("联系电话为空".into());
    } else if let Some(p) = super::phone_problem(&contact_phone) {
        problems.push(p.into());
    }
    let (kind, number, until) = (text(7), text(8), text(9));
    let licence = match (kind.is_empty(), number.is_empty()) {
        (true, true) if until.is_empty() => None,
        (true, _) => {
            problems.push("填了许可证编号或有效期，但没有许可证名称".into());
            None
        }
        (false, true) => {
            problems.push(format!("「{kind}」没有编号"));
            None
        }
        (false, false) if kind.chars().count() > 40 || number.chars().count() > 60 => {
            problems.push("许可证名称最多 40 个字，编号最多 60 个字".into());
            None
        }
        (false, false) => {
            let expires_at = match until.as_str() {
                "" | "长期" | "长期有效" => None,
                s => match super::end_of_day_ms(s) {
                    Some(ms) => Some(ms),
                    None => {
                        problems.push(format!("许可证有效期「{s}」无法识别（例：2027-06-30）"));
                        None
                    }
                },
            };
            Some(Licence { kind, number, expires_at })
        }
    };
    if !problems.is_empty() {
        return Err(Refusal { line, reason: problems.join("；") });
    }
    Ok(Row { line, name, credit_code, sector, address, grade, contact_name, contact_phone, licence })
}

/// What is stored that an import of enterprises compares with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    pub buildings: Vec<StoredBuilding>,
    pub enterprises: Vec<Enterprise>,
    /// `(enterprise id, licence)`.
    pub licences: Vec<(i64, Licence)>,
}

/// A business as the import writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub building_id: i64,
    pub name: String,
    pub sector: String,
    pub credit_code: String,
    pub grade: CreditRating,
    pub contact_name: String,
    pub contact_phone: String,
    pub licence: Option<Licence>,
}

/// An update: the stored business, its grade before, the record, the fields that change.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub id: i64,
    pub was: CreditRating,
    pub record: Record,
    pub fields: Vec<&'static str>,
}

/// What an import writes: nothing when any row is refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Write {
    pub inserts: Vec<Record>,
    pub updates: Vec<Update>,
}

/// Compares checked rows (and the refused ones, passed through) with what is stored: the
/// preview and what to write. `progress(n)` is told every 1,000 rows.
pub fn plan(rows: Vec<Result<Row, Refusal>>, stored: &Stored, progress: impl FnMut(usize)) -> (Preview, Write) {
    let buildings = Buildings::new(&stored.buildings);
    let by_code: HashMap<&str, &Enterprise> = stored.enterprises.iter().map(|e| (e.licence_no.as_str(), e)).collect();
    let licences: HashMap<(i64, &str), &Licence> = stored.licences.iter().map(|(e, l)| ((*e, l.kind.as_str()), l)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let each = |row: Row, preview: &mut Preview, write: &mut Write| {
        let refuse = |reason: String| Refusal { line: row.line, reason };
        if let Some(first) = seen.get(&row.credit_code) {
            return Err(refuse(format!("统一社会信用代码与第 {first} 行重复")));
        }
        seen.insert(row.credit_code.clone(), row.line);
        let building = buildings.find(&row.address).map_err(refuse)?;
        let old = by_code.get(row.credit_code.as_str()).copied();
        let record = Record {
            line: row.line,
            building_id: building.id,
            grade: row.grade.or(old.map(|o| o.credit)).unwrap_or(CreditRating::B),
            name: row.name,
            sector: row.sector,
            credit_code: row.credit_code,
            contact_name: row.contact_name,
            contact_phone: row.contact_phone,
            licence: row.licence,
        };
        let Some(old) = old else {
            preview.new += 1;
            write.inserts.push(record);
            return Ok(());
        };
        let licence_changed = record.licence.as_ref().is_some_and(|l| licences.get(&(old.id, l.kind.as_str())).is_none_or(|s| *s != l));
        let fields = changed(&[
            (old.name != record.name, "企业名称"),
            (old.industry != record.sector, "行业"),
            (old.building_id != record.building_id, "地址"),
            (old.credit != record.grade, "信用等级"),
            (old.contact_name != record.contact_name, "联系人"),
            (old.contact_phone != record.contact_phone, "联系电话"),
            (licence_changed, "许可证"),
        ]);
        // A business's name is public (it is on its sign): shown in full; a grade change with
        // its letters.
        let shown = || {
            let grade = format!("信用等级 {}→{}", old.credit.letter(), record.grade.letter());
            fields.iter().map(|f| if *f == "信用等级" { grade.clone() } else { f.to_string() }).collect()
        };
        if preview.count_update(record.line, &fields, || record.name.clone(), shown) {
            write.updates.push(Update { id: old.id, was: old.credit, record, fields });
        }
        Ok(())
    };
    plan_rows(rows, progress, each, |_: &Write, _| {})
}

#[cfg(test)]
mod tests;
