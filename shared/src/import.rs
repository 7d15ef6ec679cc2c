//! Bringing a street's own data in from spreadsheets (.xlsx, .xls, .ods, .csv): the columns of
//! each template, matching a file's header row to them (by name, in Chinese or English, in any
//! order), and checking every value — identity numbers and their check characters, mobiles,
//! dates — with reasons in words a clerk can act on (「第 812 行：身份证号校验位错误」).
//! What a checked row means against what is stored (new, updated, unchanged, refused) is in
//! [`residents`]. Pure: the server reads the file and the database.

pub mod enterprises;
pub mod households;
pub mod residents;
pub mod staff;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What an import brings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 居民 (and the households they live in).
    Residents,
    /// 企业商户 (with a licence and the credit grade).
    Enterprises,
    /// 住户 (房屋): the homes of the street's buildings, with their tenure.
    Households,
    /// 工作人员 and their posts (岗位).
    Staff,
}

impl ImportKind {
    /// Every kind.
    pub const ALL: [ImportKind; 4] = [ImportKind::Residents, ImportKind::Households, ImportKind::Enterprises, ImportKind::Staff];

    /// The code used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Residents => "residents",
            ImportKind::Enterprises => "enterprises",
            ImportKind::Households => "households",
            ImportKind::Staff => "staff",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind's name in Chinese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            ImportKind::Residents => ("居民", "residents"),
            ImportKind::Enterprises => ("企业商户", "enterprises"),
            ImportKind::Households => ("住户", "households"),
            ImportKind::Staff => ("工作人员", "staff"),
        }
    }

    /// The template's columns.
    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Residents => &residents::COLUMNS,
            ImportKind::Enterprises => &enterprises::COLUMNS,
            ImportKind::Households => &households::COLUMNS,
            ImportKind::Staff => &staff::COLUMNS,
        }
    }
}

/// A template column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The Chinese header, as in the template.
    pub zh: &'static str,
    /// The English header (also accepted).
    pub en: &'static str,
    /// Other headers other systems use for it.
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// The template's example value.
    pub example: &'static str,
    /// What goes in it, for the template's notes.
    pub hint: &'static str,
}

/// Normalises a header for matching: no spaces, underscores, asterisks (the template marks
/// required columns with one) or full-width brackets' contents, lower case.
fn header_key(h: &str) -> String {
    let h = h.split(['(', '（']).next().unwrap_or(h);
    h.chars().filter(|c| !c.is_whitespace() && !matches!(c, '_' | '*' | '-')).flat_map(char::to_lowercase).collect()
}

/// Where each template column is in a file: `positions[i]` is the file's column index for
/// `columns[i]`, `None` for an optional column the file leaves out.
pub fn match_headers(columns: &[Column], headers: &[String]) -> Result<Vec<Option<usize>>, String> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut positions = Vec::with_capacity(columns.len());
    let mut missing = Vec::new();
    for c in columns {
        let names: Vec<String> = [c.zh, c.en].iter().chain(c.aliases).map(|n| header_key(n)).collect();
        let found: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| names.contains(k)).map(|(i, _)| i).collect();
        match found.as_slice() {
            [] if c.required => missing.push(c.zh),
            [] => positions.push(None),
            [i] => positions.push(Some(*i)),
            [i, j, ..] => return Err(format!("第 {} 列和第 {} 列都是「{}」，请只保留一列", i + 1, j + 1, c.zh)),
        }
    }
    if !missing.is_empty() {
        return Err(format!("缺少必填列：{}（第一行应为列名，可下载模板对照）", missing.join("、")));
    }
    Ok(positions)
}

/// Why an identity number is wrong, in words; `None` when it is well-formed (18 characters,
/// a real date of birth, the right check character).
pub fn id_number_problem(id: &str) -> Option<&'static str> {
    if id.chars().count() != 18 {
        return Some("身份证号应为 18 位");
    }
    if !id[..17].bytes().all(|b| b.is_ascii_digit()) || !matches!(id.as_bytes()[17], b'0'..=b'9' | b'X') {
        return Some("身份证号只能是数字（末位可为 X）");
    }
    if parse_date(&format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])).is_none() {
        return Some("身份证号中的出生日期无效");
    }
    if !crate::demo::is_valid_id_number(id) {
        return Some("身份证号校验位错误");
    }
    None
}

/// The date of birth an identity number carries, `YYYY-MM-DD`.
pub fn id_birth_date(id: &str) -> String {
    format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14])
}

/// Whether an identity number's holder is a man (odd sequence number, GB 11643).
pub fn id_is_male(id: &str) -> bool {
    id.as_bytes()[16] % 2 == 1
}

/// Why a phone number is wrong; `None` for a mainland mobile (11 digits from 13–19) or a
/// landline with its area code (`023-65012345`).
pub fn phone_problem(p: &str) -> Option<&'static str> {
    let digits: String = p.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let mobile = all_digits && digits.len() == 11 && digits.starts_with('1') && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    let landline = all_digits && digits.starts_with('0') && (10..=12).contains(&digits.len());
    if mobile || landline {
        None
    } else {
        Some("联系电话应为 11 位手机号（或带区号的固话）")
    }
}

/// A date written as people write it (`1942-03-09`, `1942/3/9`, `1942.3.9`, `19420309`,
/// `1942年3月9日`) as `YYYY-MM-DD`; `None` for anything else or a day that does not exist.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('日');
    let parts: Vec<&str> = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else {
        s.split(['-', '/', '.', '年', '月']).collect()
    };
    let [y, m, d] = parts.as_slice() else { return None };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// An Excel date serial (days since 1899-12-30, the 1900 date system) as `YYYY-MM-DD`.
pub fn excel_serial_date(serial: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Civil from days (Howard Hinnant's algorithm), counting from 1970-01-01.
    let z = serial.floor() as i64 - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// A building as an import sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredBuilding {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub floors: i64,
}

/// A household as an import sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredHousehold {
    pub id: i64,
    pub building_id: i64,
    pub unit: String,
    pub floor: i64,
    pub tenure: crate::place::Tenure,
}

/// The street's buildings by address and by name (spaces ignored), to place a row's address.
pub struct Buildings<'a>(HashMap<String, Option<&'a StoredBuilding>>);

fn place_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl<'a> Buildings<'a> {
    pub fn new(buildings: &'a [StoredBuilding]) -> Self {
        let mut by = HashMap::new();
        for b in buildings {
            for k in [place_key(&b.address), place_key(&b.name)] {
                // A key two buildings share cannot place anything.
                by.entry(k).and_modify(|e: &mut Option<&StoredBuilding>| if e.is_some_and(|o| o.id != b.id) { *e = None }).or_insert(Some(b));
            }
        }
        Buildings(by)
    }

    /// The building an address or building name names, or why there is none, in words.
    pub fn find(&self, address: &str) -> Result<&'a StoredBuilding, String> {
        match self.0.get(&place_key(address)) {
            Some(Some(b)) => Ok(*b),
            Some(None) => Err(format!("地址「{address}」对应多栋楼，请写楼栋名称")),
            None => Err(format!("地址「{address}」没有对应的楼栋（请先在网格编辑中导入楼栋）")),
        }
    }
}

/// The last millisecond of a `YYYY-MM-DD` day in Beijing (a licence valid until that day).
pub fn end_of_day_ms(date: &str) -> Option<i64> {
    let d = parse_date(date)?;
    let (y, m, dd) = (d[..4].parse().ok()?, d[5..7].parse().ok()?, d[8..].parse().ok()?);
    Some(crate::time::beijing_midnight(y, m, dd) + 86_400_000 - 1)
}

/// A floor as a register writes it (`3`, `3层`, `-1`), `None` when blank; why not, in words.
pub fn floor_cell(s: &str) -> Result<Option<i64>, String> {
    match s {
        "" => Ok(None),
        s => match s.trim_end_matches(['层', '楼']).parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && (-5.0..=200.0).contains(&f) && f != 0.0 => Ok(Some(f as i64)),
            _ => Err(format!("楼层「{s}」应为整数（地下层为负数）")),
        },
    }
}

/// A row that cannot be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The row's number as the spreadsheet shows it (the header is row 1).
    pub line: usize,
    pub reason: String,
}

impl Refusal {
    /// 「第 812 行：身份证号校验位错误」.
    pub fn words(&self) -> String {
        format!("第 {} 行：{}", self.line, self.reason)
    }
}

/// A row that changes a stored record: which one (masked) and which fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub line: usize,
    /// The record as a list shows it, masked (e.g. 「张**」).
    pub who: String,
    /// The fields that change, in Chinese (住址, 关爱标签 …).
    pub fields: Vec<String>,
}

/// What an import would do, shown before anything is written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// Data rows read (blank rows are skipped).
    pub rows: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every refused row, in order.
    pub refused: Vec<Refusal>,
    /// The first [`MAX_CHANGES_SHOWN`] updated rows.
    pub changes: Vec<Change>,
    /// New households the import creates.
    pub new_households: usize,
    /// New posts the import creates.
    #[serde(default)]
    pub new_posts: usize,
}

/// Goes through a file's rows for a plan: the rows refused on their own and those `each`
/// refuses are listed in order; `each` counts the others into the preview and the write;
/// `progress(n)` is told every 1,000 rows; `counts` adds the write's own counts at the end.
/// The write is emptied when any row is refused: a file is imported whole or not at all.
pub fn plan_rows<R, W: Default>(
    rows: Vec<Result<R, Refusal>>,
    mut progress: impl FnMut(usize),
    mut each: impl FnMut(R, &mut Preview, &mut W) -> Result<(), Refusal>,
    counts: impl FnOnce(&W, &mut Preview),
) -> (Preview, W) {
    let mut preview = Preview { rows: rows.len(), ..Preview::default() };
    let mut write = W::default();
    for (i, row) in rows.into_iter().enumerate() {
        if i % 1000 == 999 {
            progress(i + 1);
        }
        if let Err(refusal) = row.and_then(|r| each(r, &mut preview, &mut write)) {
            preview.refused.push(refusal);
        }
    }
    counts(&write, &mut preview);
    if !preview.refused.is_empty() {
        write = W::default();
    }
    (preview, write)
}

/// The fields that changed, of `(changed, field)` pairs.
pub fn changed(pairs: &[(bool, &'static str)]) -> Vec<&'static str> {
    pairs.iter().filter(|(c, _)| *c).map(|(_, f)| *f).collect()
}

impl Preview {
    /// Counts a stored record's row: unchanged when `fields` is empty, else updated — the first
    /// [`MAX_CHANGES_SHOWN`] listed as `who` (masked where it is a person) with `shown`.
    /// Whether it changes anything.
    pub fn count_update(&mut self, line: usize, fields: &[&'static str], who: impl FnOnce() -> String, shown: impl FnOnce() -> Vec<String>) -> bool {
        if fields.is_empty() {
            self.unchanged += 1;
            return false;
        }
        self.updated += 1;
        if self.changes.len() < MAX_CHANGES_SHOWN {
            self.changes.push(Change { line, who: who(), fields: shown() });
        }
        true
    }
}

/// How many updated rows a preview lists one by one.
pub const MAX_CHANGES_SHOWN: usize = 200;

/// Where an import job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading the file.
    Reading,
    /// Checking every row against the rules and the database.
    Checking,
    /// Checked: the preview is ready, waiting for the administrator.
    Ready,
    /// Writing, in one transaction.
    Writing,
    /// Written.
    Done,
    /// Nothing written: the file could not be read, or the write failed.
    Failed,
}

impl Stage {
    /// The stage in Chinese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            Stage::Reading => ("读取文件", "Reading the file"),
            Stage::Checking => ("逐行检查", "Checking every row"),
            Stage::Ready => ("待确认", "Ready to confirm"),
            Stage::Writing => ("写入中", "Writing"),
            Stage::Done => ("已导入", "Imported"),
            Stage::Failed => ("失败", "Failed"),
        }
    }

    /// Whether the job still works on its own (the page keeps following it).
    pub fn busy(self) -> bool {
        matches!(self, Stage::Reading | Stage::Checking | Stage::Writing)
    }
}

/// An import job as the page and the API show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportJob {
    pub id: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub by: String,
    pub created_at_ms: i64,
    pub stage: Stage,
    /// Rows handled in this stage, of `total`.
    pub done: usize,
    pub total: usize,
    /// Set once the rows are checked.
    pub preview: Option<Preview>,
    /// Why it failed, in words.
    pub error: Option<String>,
    /// When it was written.
    pub finished_at_ms: Option<i64>,
}

impl ImportJob {
    /// Progress through the whole job, 0–100: reading and checking are the first half,
    /// writing the second.
    pub fn percent(&self) -> u32 {
        let part = if self.total == 0 { 0 } else { (self.done.min(self.total) * 50 / self.total) as u32 };
        match self.stage {
            Stage::Reading => part / 5,
            Stage::Checking => 10 + part * 4 / 5,
            Stage::Ready => 50,
            Stage::Writing => 50 + part,
            Stage::Done | Stage::Failed => 100,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_checked_with_reasons() {
        assert_eq!(id_number_problem("11010519491231002X"), None);
        assert_eq!(id_number_problem("110105194912310021"), Some("身份证号校验位错误"));
        assert_eq!(id_number_problem("11010519491231002"), Some("身份证号应为 18 位"));
        assert_eq!(id_number_problem("1101051949123100a2"), Some("身份证号只能是数字（末位可为 X）"));
        assert_eq!(id_number_problem("110105194902300021"), Some("身份证号中的出生日期无效"));
        assert_eq!(id_birth_date("11010519491231002X"), "1949-12-31");
        assert!(!id_is_male("11010519491231002X"));
    }

    #[test]
    fn phones_dates_and_serials() {
        assert_eq!(phone_problem("13812341234"), None);
        assert_eq!(phone_problem("023-65012345"), None);
        assert!(phone_problem("1381234123").is_some());
        assert!(phone_problem("12812341234").is_some());
        assert!(phone_problem("abc").is_some());
        assert_eq!(parse_date("1942/3/9").as_deref(), Some("1942-03-09"));
        assert_eq!(parse_date("19420309").as_deref(), Some("1942-03-09"));
        assert_eq!(parse_date("1942年3月9日").as_deref(), Some("1942-03-09"));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("next week"), None);
        assert_eq!(excel_serial_date(15409.0).as_deref(), Some("1942-03-09"));
        assert_eq!(excel_serial_date(45583.0).as_deref(), Some("2024-10-18"));
        assert_eq!(excel_serial_date(-3.0), None);
    }

    #[test]
    fn headers_match_by_name_in_either_language_in_any_order() {
        let cols = ImportKind::Residents.columns();
        let headers: Vec<String> = ["id_number", "姓名*", "Address", " 房号 ", "phone"].map(String::from).to_vec();
        let at = match_headers(cols, &headers).unwrap();
        let pos = |zh: &str| at[cols.iter().position(|c| c.zh == zh).unwrap()];
        assert_eq!(pos("姓名"), Some(1));
        assert_eq!(pos("身份证号"), Some(0));
        assert_eq!(pos("地址"), Some(2));
        assert_eq!(pos("房号"), Some(3));
        assert_eq!(pos("联系电话"), Some(4));
        assert_eq!(pos("关爱标签"), None);
        let e = match_headers(cols, &["姓名".to_string()]).unwrap_err();
        assert!(e.contains("缺少必填列：身份证号、地址、房号"), "{e}");
        let e = match_headers(cols, &["姓名", "name", "身份证号", "地址", "房号"].map(String::from)).unwrap_err();
        assert!(e.contains("第 1 列和第 2 列都是「姓名」"), "{e}");
    }

    #[test]
    fn progress_runs_from_0_to_100_through_the_stages() {
        let mut j = ImportJob {
            id: "x".into(),
            kind: ImportKind::Residents,
            file_name: "f".into(),
            by: "admin".into(),
            created_at_ms: 0,
            stage: Stage::Reading,
            done: 0,
            total: 100,
            preview: None,
            error: None,
            finished_at_ms: None,
        };
        assert_eq!(j.percent(), 0);
        j.stage = Stage::Checking;
        j.done = 100;
        assert_eq!(j.percent(), 50);
        j.stage = Stage::Writing;
        j.done = 50;
        assert_eq!(j.percent(), 75);
        j.stage = Stage::Done;
        assert_eq!(j.percent(), 100);
    }
}
