//! The shapes the enterprise supervision screens and the API share: a business as listed (the
//! legal representative masked), one business whole (licences, grade history, help given,
//! inspections, cases), the supervision board (grades, the C/D businesses, the analysis's
//! suggested re-grades, overdue rectifications), a joint inspection, and the yearly draw.

use super::inspection::{ItemCheck, Outcome, Requirement, Stage};
use super::{Flag, GradeChange};
use crate::people::CreditRating;
use serde::{Deserialize, Serialize};

/// A business as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseRow {
    pub id: i64,
    pub name: String,
    /// 行业: 餐饮, 住宿, 零售 …
    pub sector: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    pub grade: CreditRating,
    /// 法定代表人 / 经营者, masked.
    pub legal_rep: String,
    /// The contact phone, masked.
    pub phone: String,
    pub address: String,
    pub building_id: i64,
    pub grid_id: Option<i64>,
    pub grid: String,
    pub lon: f64,
    pub lat: f64,
    /// Why the grade may need a look (see [`super::flags`]).
    pub flags: Vec<Flag>,
    /// Inspections this year (a joint one counts once) and planned visits of this year's draws.
    pub visits_year: u32,
}

/// Which businesses a list shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseQuery {
    /// Words of the name, the credit code or the address.
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub grid_id: Option<i64>,
    #[serde(default)]
    pub grade: Option<CreditRating>,
    /// One sector (行业) exactly, or empty for every sector.
    #[serde(default)]
    pub sector: String,
    /// Only those the analysis flags.
    #[serde(default)]
    pub flagged: bool,
}

/// A licence (证照) with its expiry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Licence {
    /// 营业执照, 食品经营许可证 …
    pub kind: String,
    pub number: String,
    pub expires_at: Option<i64>,
    pub expired: bool,
}

/// A licence as recorded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewLicence {
    pub kind: String,
    pub number: String,
    pub expires_at: Option<i64>,
}

/// Checks a licence: a kind and a number.
pub fn check_licence(l: &NewLicence) -> Result<(), (&'static str, String)> {
    match (l.kind.trim().chars().count(), l.number.trim().chars().count()) {
        (0, _) | (41.., _) => Err(("kind", "请填写证照名称（最多 40 个字）".into())),
        (_, 0) | (_, 61..) => Err(("number", "请填写证照编号（最多 60 个字）".into())),
        _ => Ok(()),
    }
}

/// One grade change as the history shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradeEntry {
    /// `None` for the first grade recorded.
    pub from: Option<CreditRating>,
    pub to: CreditRating,
    pub reason: String,
    pub evidence: String,
    pub by: String,
    pub at: i64,
}

/// The kinds of help a street gives a business in trouble.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpKind {
    /// 走访.
    Visit,
    /// 纠纷调解.
    Mediation,
    /// 融资帮扶 (e.g. a subsidised loan).
    Loan,
    /// 宣传推广.
    Promotion,
    /// 指导培训.
    Guidance,
}

impl HelpKind {
    pub const ALL: [HelpKind; 5] = [Self::Visit, Self::Mediation, Self::Loan, Self::Promotion, Self::Guidance];

    pub fn code(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Mediation => "mediation",
            Self::Loan => "loan",
            Self::Promotion => "promotion",
            Self::Guidance => "guidance",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Visit => "走访",
            Self::Mediation => "纠纷调解",
            Self::Loan => "融资帮扶",
            Self::Promotion => "宣传推广",
            Self::Guidance => "指导培训",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Visit => "Visit",
            Self::Mediation => "Mediation",
            Self::Loan => "Financing",
            Self::Promotion => "Promotion",
            Self::Guidance => "Guidance",
        }
    }
}

/// Help given to a business.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpEntry {
    pub kind: HelpKind,
    /// What was done and what came of it.
    pub note: String,
    pub by: String,
    pub at: i64,
}

/// Checks a help record's note.
pub fn check_help(note: &str) -> Result<(), (&'static str, String)> {
    match note.trim().chars().count() {
        n if n < 4 => Err(("note", "请写明做了什么、结果如何（至少 4 个字）".into())),
        n if n > 500 => Err(("note", "记录最多 500 个字".into())),
        _ => Ok(()),
    }
}

/// A case linked to a business.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkedCase {
    pub id: i64,
    pub number: String,
    pub category: String,
    pub state: String,
    pub created_at: i64,
}

/// One business whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseDetail {
    pub row: EnterpriseRow,
    pub licences: Vec<Licence>,
    /// Oldest first.
    pub grades: Vec<GradeEntry>,
    /// Newest first.
    pub help: Vec<HelpEntry>,
    pub inspections: Vec<InspectionBrief>,
    /// Of this year's inspections, how many were joint.
    pub joint_year: u32,
    pub cases: Vec<LinkedCase>,
    /// Whether the reader may re-grade, renew licences and link cases.
    pub may_grade: bool,
    /// The supervision version when this was read (a screen never goes back to an older one).
    pub version: i64,
}

/// An inspection as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectionBrief {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub joint: bool,
    pub stage: Stage,
    pub lead_post: String,
    /// Every agency with items, the lead first.
    pub posts: Vec<String>,
    pub scheduled_at: Option<i64>,
    pub notice_no: String,
    /// Rectification items past their deadline.
    pub overdue: u32,
}

/// One item of an inspection, from plan to re-inspection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: i64,
    pub post: String,
    pub item: String,
    pub outcome: Outcome,
    pub finding: String,
    pub checked_by: String,
    pub checked_at: Option<i64>,
    /// The notice's rectification requirement (failed items).
    pub requirement: String,
    pub deadline: Option<i64>,
    pub rectified_at: Option<i64>,
    pub evidence: String,
    /// The re-inspection's verdict on the rectification.
    pub recheck: Outcome,
    pub overdue: bool,
}

/// One inspection whole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectionView {
    pub brief: InspectionBrief,
    pub items: Vec<ItemView>,
    pub address: String,
    pub legal_rep: String,
    pub credit_code: String,
    pub return_reason: String,
    pub approved_by: String,
    pub approved_at: Option<i64>,
    pub noticed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    /// Every step: when, who, what.
    pub log: Vec<(i64, String, String)>,
    pub version: i64,
}

/// How many C/D businesses the board carries (the rest are found by the search).
pub const WATCH_SHOWN: usize = 50;

/// The supervision board.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SupervisionBoard {
    /// Businesses by grade A, B, C, D.
    pub grades: [u32; 4],
    /// The C and D businesses with the help they were given (the first [`WATCH_SHOWN`]).
    pub watch: Vec<WatchRow>,
    /// How many C and D businesses there are.
    pub watch_total: u32,
    /// Businesses the analysis flags below their grade (a re-grade to consider).
    pub flagged: Vec<EnterpriseRow>,
    /// Inspections not yet closed.
    pub open: Vec<InspectionBrief>,
    /// Rectification items past their deadline (the board's alarms).
    pub overdue: Vec<OverdueItem>,
    /// The newest draw, if any.
    pub draw: Option<DrawBrief>,
    /// Every business on the map: id, longitude, latitude, grade.
    pub dots: Vec<(i64, f64, f64, CreditRating)>,
    /// The sectors of the businesses the reader sees, with how many each, most first.
    pub sectors: Vec<(String, u32)>,
    /// Whether the reader may re-grade and run the draw.
    pub may_grade: bool,
    /// Grows with every supervision write.
    pub version: i64,
}

/// A C or D business on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WatchRow {
    pub row: EnterpriseRow,
    pub help: Vec<HelpEntry>,
    /// When the grade last changed, and why (none for a grade never changed here).
    pub since: Option<i64>,
    pub reason: String,
}

/// An overdue rectification item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverdueItem {
    pub inspection_id: i64,
    pub enterprise: String,
    pub item: String,
    pub post: String,
    pub requirement: String,
    pub deadline: i64,
}

/// A draw as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawBrief {
    pub id: i64,
    pub year: i32,
    pub seed: u64,
    pub drawn_by: String,
    pub drawn_at: i64,
    pub targets: u32,
    /// Per grade A–D: businesses, drawn.
    pub by_grade: [(u32, u32); 4],
}

/// A business drawn, with its inspectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawTarget {
    pub enterprise_id: i64,
    pub name: String,
    pub credit_code: String,
    /// Left out on the public page.
    pub grade: Option<CreditRating>,
    pub address: String,
    pub inspectors: Vec<String>,
}

/// A draw whole (the public page leaves the grade out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DrawView {
    pub brief: DrawBrief,
    pub rates: [f64; 4],
    pub yearly_cap: u32,
    pub targets: Vec<DrawTarget>,
}

/// What a supervision screen asks for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SupervisionAction {
    Regrade { enterprise_id: i64, change: GradeChange },
    /// A licence renewed (or added): replaces the business's licence of the same kind.
    Licence { enterprise_id: i64, licence: NewLicence },
    Help { enterprise_id: i64, kind: HelpKind, note: String },
    /// Link the case with this number (e.g. `SJ20261203-00001`) to the business.
    LinkCase { enterprise_id: i64, number: String },
    /// File a joint inspection of a business led by the caller's post.
    File { enterprise_id: i64, scheduled_at: Option<i64> },
    AddItem { inspection_id: i64, post: String, item: String },
    RemoveItem { inspection_id: i64, item_id: i64 },
    Schedule { inspection_id: i64, scheduled_at: i64 },
    Submit { inspection_id: i64 },
    Approve { inspection_id: i64 },
    Return { inspection_id: i64, reason: String },
    Start { inspection_id: i64 },
    Check { inspection_id: i64, check: ItemCheck },
    Notice { inspection_id: i64, requirements: Vec<Requirement> },
    Rectify { inspection_id: i64, item_id: i64, evidence: String },
    Recheck { inspection_id: i64, item_id: i64, passed: bool },
    Draw { year: i32, seed: u64 },
}
