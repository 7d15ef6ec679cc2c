//! Staff and their posts (工作人员与岗位) from a spreadsheet: one row a person, keyed by their
//! mobile. A row names the person's post; a post the street does not have yet is created when
//! the row says which board (板块) it belongs to. A row is checked on its own ([`check_row`]),
//! then against what is stored ([`plan`]): the same mobile may not come twice in a file, a new
//! post needs its board, and a stored person is updated where the row differs.

use super::{changed, plan_rows, Column, Preview, Refusal};
use crate::org::{BoardKind, Duty, PostOrigin, Staff};
use std::collections::HashMap;

/// The template's columns, in its order.
pub const COLUMNS: [Column; 6] = [
    Column { zh: "姓名", en: "name", aliases: &["人员姓名"], required: true, example: "示例人员", hint: "" },
    Column { zh: "联系电话", en: "phone", aliases: &["手机号", "手机", "电话"], required: true, example: "13800000000", hint: "11 位手机号；以手机号识别同一人" },
    Column { zh: "职责", en: "duty", aliases: &["人员类别", "身份"], required: true, example: "岗位人员", hint: "指挥人员、岗位人员、网格员 或 系统管理员" },
    Column { zh: "岗位", en: "post", aliases: &["所在岗位", "科室"], required: false, example: "城市管理", hint: "岗位人员必填；没有的岗位按所属板块新建" },
    Column { zh: "所属板块", en: "board", aliases: &["板块"], required: false, example: "平安法治", hint: "新岗位必填：党建统领、经济发展、民生服务、平安法治" },
    Column { zh: "岗位来源", en: "origin", aliases: &["来源"], required: false, example: "街道科室", hint: "新岗位：街道科室 或 派驻机构；不填为街道科室" },
];

/// A row that passed its own checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub line: usize,
    pub name: String,
    pub phone: String,
    pub duty: Duty,
    pub post: Option<String>,
    pub board: Option<BoardKind>,
    pub origin: PostOrigin,
}

fn duty_of(words: &str) -> Option<Duty> {
    match words {
        "指挥人员" | "指挥中心" | "综合协调" | "command" => Some(Duty::Command),
        "岗位人员" | "工作人员" | "岗位" | "post" => Some(Duty::Post),
        "网格员" | "grid_worker" => Some(Duty::GridWorker),
        "系统管理员" | "管理员" | "admin" => Some(Duty::Admin),
        _ => None,
    }
}

/// Checks one row's cells, given in [`COLUMNS`]' order (`None` where the file has no such
/// column): the row, or every problem it has, in words.
pub fn check_row(line: usize, cells: &[Option<String>]) -> Result<Row, Refusal> {
    let text = |i: usize| cells.get(i).cloned().flatten().map(|s| s.trim().to_string()).unwrap_or_default();
    let mut problems: Vec<String> = Vec::new();
    let name = text(0);
    if name == COLUMNS[0].example {
        problems.push("这是模板中的示例行，请删除后再导入".into());
    } else if name.is_empty() {
        problems.push("姓名为空".into());
    } else if name.chars().count() > 32 {
        problems.push("姓名超过 32 个字".into());
    }
    let phone = text(1).replace([' ', '-'], "");
    let mobile = phone.len() == 11 && phone.bytes().all(|b| b.is_ascii_digit()) && phone.starts_with('1') && (b'3'..=b'9').contains(&phone.as_bytes()[1]);
    if phone.is_empty() {
        problems.push("联系电话为空".into());
    } else if !mobile {
        problems.push("联系电话应为 11 位手机号".into());
    }
    let duty = match text(2).as_str() {
        "" => {
            problems.push("职责为空".into());
            None
        }
        d => duty_of(d).or_else(|| {
            problems.push(format!("职责「{d}」应为 指挥人员、岗位人员、网格员 或 系统管理员"));
            None
        }),
    };
    let post = Some(text(3)).filter(|p| !p.is_empty());
    if post.as_ref().is_some_and(|p| p.chars().count() > 40) {
        problems.push("岗位名称超过 40 个字".into());
    }
    if duty == Some(Duty::Post) && post.is_none() {
        problems.push("岗位人员要填岗位".into());
    }
    let board = match text(4).as_str() {
        "" => None,
        b => BoardKind::ALL.into_iter().find(|k| k.name_zh() == b || k.name_zh().trim_end_matches(['统', '领']) == b || k.code() == b).or_else(|| {
            problems.push(format!("所属板块「{b}」应为 党建统领、经济发展、民生服务 或 平安法治"));
            None
        }),
    };
    let origin = match text(5).as_str() {
        "" | "街道科室" | "科室" | "office" => PostOrigin::Office,
        "派驻机构" | "派驻" | "agency" => PostOrigin::Agency,
        o => {
            problems.push(format!("岗位来源「{o}」应为 街道科室 或 派驻机构"));
            PostOrigin::Office
        }
    };
    if !problems.is_empty() {
        return Err(Refusal { line, reason: problems.join("；") });
    }
    Ok(Row { line, name, phone, duty: duty.unwrap_or(Duty::Post), post, board, origin })
}

/// A post as the import sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPost {
    pub id: i64,
    pub name: String,
}

/// What is stored that an import of staff compares with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stored {
    pub posts: Vec<StoredPost>,
    pub staff: Vec<Staff>,
}

/// A post the import creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPost {
    pub name: String,
    pub board: BoardKind,
    pub origin: PostOrigin,
    /// The row that first named it.
    pub line: usize,
}

/// A person's post after the import: none, a stored one, or the new one at this index of
/// [`Write::new_posts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostRef {
    None,
    Stored(i64),
    New(usize),
}

/// A person as the import writes them.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub name: String,
    pub phone: String,
    pub duty: Duty,
    pub post: PostRef,
}

/// What an import writes: nothing when any row is refused.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Write {
    pub new_posts: Vec<NewPost>,
    pub inserts: Vec<Record>,
    /// `(staff id, the record, the fields that change)`.
    pub updates: Vec<(i64, Record, Vec<&'static str>)>,
}

/// Compares checked rows (and the refused ones, passed through) with what is stored: the
/// preview and what to write.
pub fn plan(rows: Vec<Result<Row, Refusal>>, stored: &Stored) -> (Preview, Write) {
    let posts: HashMap<&str, i64> = stored.posts.iter().map(|p| (p.name.as_str(), p.id)).collect();
    let mut by_phone: HashMap<&str, Vec<&Staff>> = HashMap::new();
    for s in &stored.staff {
        by_phone.entry(s.phone.as_str()).or_default().push(s);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut new_posts: HashMap<String, usize> = HashMap::new();
    let each = |row: Row, preview: &mut Preview, write: &mut Write| {
        let refuse = |reason: String| Refusal { line: row.line, reason };
        if let Some(first) = seen.get(&row.phone) {
            return Err(refuse(format!("联系电话与第 {first} 行重复")));
        }
        seen.insert(row.phone.clone(), row.line);
        let same = by_phone.get(row.phone.as_str()).map(Vec::as_slice).unwrap_or_default();
        if same.len() > 1 {
            return Err(refuse(format!("库中已有 {} 名工作人员使用此电话，请先核对", same.len())));
        }
        let post = match &row.post {
            None => PostRef::None,
            Some(p) => match (posts.get(p.as_str()), new_posts.get(p)) {
                (Some(&id), _) => PostRef::Stored(id),
                (None, Some(&at)) => {
                    let first: &NewPost = &write.new_posts[at];
                    if row.board.is_some_and(|b| b != first.board) {
                        return Err(refuse(format!("新岗位「{p}」在第 {} 行属于{}，这里写的是另一个板块", first.line, first.board.name_zh())));
                    }
                    PostRef::New(at)
                }
                (None, None) => {
                    let board = row.board.ok_or_else(|| refuse(format!("岗位「{p}」不存在；新岗位请填写所属板块")))?;
                    new_posts.insert(p.clone(), write.new_posts.len());
                    write.new_posts.push(NewPost { name: p.clone(), board, origin: row.origin, line: row.line });
                    PostRef::New(write.new_posts.len() - 1)
                }
            },
        };
        let record = Record { line: row.line, name: row.name, phone: row.phone, duty: row.duty, post };
        let Some(old) = same.first() else {
            preview.new += 1;
            write.inserts.push(record);
            return Ok(());
        };
        let fields = changed(&[(old.name != record.name, "姓名"), (PostRef::from(old.post_id) != record.post, "岗位"), (old.duty != record.duty, "职责")]);
        if preview.count_update(record.line, &fields, || crate::mask::name(&record.name), || fields.iter().map(|f| f.to_string()).collect()) {
            write.updates.push((old.id, record, fields));
        }
        Ok(())
    };
    plan_rows(rows, |_| {}, each, |w: &Write, p| p.new_posts = w.new_posts.len())
}

impl From<Option<i64>> for PostRef {
    fn from(id: Option<i64>) -> Self {
        id.map_or(PostRef::None, PostRef::Stored)
    }
}

#[cfg(test)]
mod tests;
