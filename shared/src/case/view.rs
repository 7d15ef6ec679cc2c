//! Cases as the API and the screens show them.

use super::{CaseState, Holder, Source, TaskState, Timeliness, Urgency, Visibility};
use serde::{Deserialize, Serialize};

/// A task in a list: who holds it and how far it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskBrief {
    pub id: i64,
    pub holder: Holder,
    /// The post's name, or 「网格员（grid name）」.
    pub holder_name: String,
    pub state: TaskState,
    pub deadline: i64,
    pub extension_hours: Option<i64>,
    /// A contingency plan's task: its instruction and checklist (empty for a plain dispatch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanTaskNote>,
}

/// What a plan task says, beside the task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanTaskNote {
    pub activation_id: i64,
    pub level: crate::plan::Level,
    pub instruction: String,
    #[serde(default)]
    pub checklist: Vec<String>,
    /// The checklist items ticked so far, by their index in `checklist`, in order.
    #[serde(default)]
    pub checked: Vec<u32>,
}

/// A case in a queue, and the payload of its live events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: i64,
    /// E.g. `SJ20261130-00042`.
    pub number: String,
    pub category: String,
    pub source: Source,
    pub state: CaseState,
    /// The state a suspended case returns to.
    pub suspended_from: Option<CaseState>,
    pub urgency: Urgency,
    pub description: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub micro_grid_id: Option<i64>,
    pub grid_id: Option<i64>,
    /// The street it was reported in (that of its grid, else the reporter's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_id: Option<i64>,
    /// 「community · grid · micro-grid」 as routed when reported.
    pub place: String,
    pub grid_worker: String,
    pub reporter_id: Option<i64>,
    /// Who reported it: a staff member's name, or a resident's masked name.
    pub reporter_name: String,
    pub escalated: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub stage_started_at: i64,
    pub stage_deadline: Option<i64>,
    pub tasks: Vec<TaskBrief>,
    /// Optimistic concurrency: an action names the version it was decided on.
    pub version: i64,
    /// An exercise (演练): shown as one everywhere, counted nowhere.
    #[serde(default)]
    pub drill: bool,
    /// The contingency plan activated for this case, the newest if several were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation: Option<crate::plan::ActivationBrief>,
}

impl CaseSummary {
    /// Who may see the case.
    pub fn visibility(&self) -> Visibility {
        Visibility {
            grid_id: self.grid_id,
            holders: self.tasks.iter().map(|t| t.holder).collect(),
            reporter_id: self.reporter_id,
            escalated: self.escalated,
            street_id: self.street_id,
        }
    }

    /// Whether the case is within its current stage's deadline at `now`.
    pub fn timeliness(&self, now: i64) -> Timeliness {
        if self.state.is_final() {
            return Timeliness::Stopped;
        }
        super::timeliness(self.stage_started_at, self.stage_deadline, now)
    }

    /// The case as the rule book sees it (`None` if its category is no longer known).
    pub fn core(&self) -> Option<super::Case> {
        Some(super::Case {
            state: self.state,
            source: self.source,
            suspended_from: self.suspended_from,
            category: super::category(&self.category)?,
            grid_id: self.grid_id,
            stage_deadline: self.stage_deadline,
            tasks: self
                .tasks
                .iter()
                .map(|t| super::Task { id: t.id, holder: t.holder, state: t.state, deadline: t.deadline, extension_hours: t.extension_hours })
                .collect(),
        })
    }

    /// The category's Chinese name (the code if unknown).
    pub fn category_name(&self) -> &str {
        super::category(&self.category).map(|c| c.name_zh).unwrap_or(&self.category)
    }

    /// The category's name in Chinese and in English (the code twice for a retired category).
    pub fn category_names(&self) -> (String, String) {
        match super::category(&self.category) {
            Some(c) => (c.name_zh.to_string(), c.name_en.to_string()),
            None => (self.category.clone(), self.category.clone()),
        }
    }
}

/// One entry of a case's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub actor_name: String,
    pub kind: String,
    pub from: CaseState,
    pub to: CaseState,
    pub task_id: Option<i64>,
    pub note: String,
    /// Photos added with this step.
    pub attachments: Vec<i64>,
}

/// A case with everything its page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub case: CaseSummary,
    /// The post the category suggests, if the street has it: `(id, name)`.
    pub suggested_post: Option<(i64, String)>,
    pub steps: Vec<StepView>,
    /// The newest event id when this was read: a live stream opened after it misses nothing.
    pub cursor: i64,
    /// The satisfaction rating of a closed case (the resident's or a callback's), with the
    /// review a low one opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<super::follow::Rating>,
}

/// A case as reported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    /// A category code, e.g. `greening.branch`.
    pub category: String,
    pub description: String,
    /// Where it is: a building of the street, or a point (from the phone's location).
    #[serde(default)]
    pub building_id: Option<i64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub lat: Option<f64>,
    /// A description of the place, when reported by a point.
    #[serde(default)]
    pub address: String,
    /// Defaults by role: a grid worker's report is a patrol, the command centre's a hotline
    /// call.
    #[serde(default)]
    pub source: Option<Source>,
    /// The caller or resident who reported it (hotline and resident reports).
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_phone: String,
    /// The sender's own id for this report (a phone's queued report): sent again, it creates
    /// nothing new and answers with the case it created the first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// One change streamed to open screens: the case as it now stands. Ids increase strictly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub id: i64,
    pub case: CaseSummary,
}

/// A building a case can be reported at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingRef {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub floors: i32,
    pub micro_grid_id: i64,
    pub grid_id: i64,
    pub lon: f64,
    pub lat: f64,
}

/// Which cases a list asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseQuery {
    /// Comma-separated state codes, or `open` for every unfinished state.
    #[serde(default)]
    pub state: Option<String>,
    /// A category group (`greening`) or code (`greening.branch`).
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub grid: Option<i64>,
    /// One street's cases (for the district's staff; a street's staff see only their own).
    #[serde(default)]
    pub street: Option<i64>,
    #[serde(default)]
    pub overdue: Option<bool>,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// A list of cases and the id of the newest event it reflects: a live stream opened with
/// `?after=<cursor>` misses nothing that happened since the list was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    pub cursor: i64,
    pub cases: Vec<CaseSummary>,
}

/// A post a case can be dispatched to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostRef {
    pub id: i64,
    pub name: String,
    /// The board's name (党建、经济、民生、平安法治).
    pub board: String,
    pub board_code: String,
}
