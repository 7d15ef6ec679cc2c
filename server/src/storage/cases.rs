//! Storage of cases: rows, tasks, the append-only timeline, photos and the durable event log
//! that the live stream replays. The SQL is shared by both engines (see `portable.rs`).

use async_trait::async_trait;
use zhizhi_shared::case::view::{BuildingRef, CaseSummary, LiveEvent, StepView};
use zhizhi_shared::case::{CaseState, Holder, Source, TaskChange, Urgency};

/// A case to insert.
#[derive(Clone, Debug)]
pub struct NewCaseRow {
    pub category: String,
    pub source: Source,
    pub state: CaseState,
    pub urgency: Urgency,
    pub description: String,
    pub address: String,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    pub micro_grid_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub place: String,
    pub grid_worker: String,
    pub reporter_id: Option<i64>,
    pub reporter_name: String,
    pub reporter_contact: String,
    /// The reporter's street: the case's street when its place lies in no grid (a case in a
    /// grid takes its grid's street).
    pub street_id: Option<i64>,
    pub now: i64,
    pub stage_deadline: Option<i64>,
    /// A contingency plan's drill (演练).
    pub drill: bool,
}

/// The fields of a case an action changes.
#[derive(Clone, Debug)]
pub struct CaseUpdate {
    pub id: i64,
    /// The version the action was decided on: if the case changed since, nothing is written
    /// and [`Error::Conflict`](super::Error::Conflict) is returned.
    pub version: i64,
    pub state: CaseState,
    pub suspended_from: Option<CaseState>,
    pub escalated: bool,
    pub now: i64,
    pub stage_changed: bool,
    pub stage_deadline: Option<i64>,
}

/// A timeline entry to append.
#[derive(Clone, Debug)]
pub struct NewStep {
    pub at: i64,
    pub actor: String,
    pub actor_name: String,
    pub kind: String,
    pub from: CaseState,
    pub to: CaseState,
    pub task_id: Option<i64>,
    /// Names a task created by the same write, whose id is not known yet.
    pub new_task_holder: Option<Holder>,
    pub note: String,
}

/// A photo to store with the last step of a write.
#[derive(Clone, Debug)]
pub struct NewPhoto {
    pub content_type: String,
    pub data: Vec<u8>,
    pub sha256: String,
}

/// Everything one action writes, in one transaction.
#[derive(Clone, Debug)]
pub struct CaseWrite {
    pub case: CaseWriteKind,
    pub new_tasks: Vec<(Holder, i64)>,
    pub task_changes: Vec<TaskChange>,
    pub steps: Vec<NewStep>,
    pub photo: Option<NewPhoto>,
    /// An alarm this write opens the case for (or adds to it): linked in the same
    /// transaction, and refused with [`Error::Stale`](super::Error::Stale) if the alarm
    /// already has a case, so that a retried alarm never opens a second case.
    pub link_alarm: Option<i64>,
    /// The case ends: its alarms record how.
    pub conclude_alarms: Option<(zhizhi_shared::iot::Outcome, String)>,
    /// What a plan says of each new task, by its index in `new_tasks` (empty: none do).
    pub task_plans: Vec<Option<super::plans::TaskPlan>>,
    /// A contingency plan activated, or an activation changed, by this write.
    pub activation: Option<super::plans::ActivationWrite>,
    /// Plan tasks whose ticked checklist items become these (by index).
    pub checks: Vec<(i64, Vec<u32>)>,
    /// A resident's follow link, a rating or a review (see [`super::follow`]).
    pub follow: Option<super::follow::FollowWrite>,
    /// The id the sender gave this write (a phone's queued report or action): recorded in the
    /// same transaction, [`Error::Conflict`](super::Error::Conflict) if it is already there.
    pub client: Option<ClientKey>,
}

/// Who sent a write and the id they gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientKey {
    pub actor: String,
    pub id: String,
}

impl CaseWrite {
    /// A write of one step that opens a case or changes it without touching its tasks.
    pub fn one_step(case: CaseWriteKind, step: NewStep) -> Self {
        CaseWrite {
            case,
            new_tasks: vec![],
            task_changes: vec![],
            steps: vec![step],
            photo: None,
            link_alarm: None,
            conclude_alarms: None,
            task_plans: vec![],
            activation: None,
            checks: vec![],
            follow: None,
            client: None,
        }
    }
}

impl CaseUpdate {
    /// An update that keeps the case where it is (state, stage, deadline): a photo, a repeated
    /// alarm.
    pub fn keeping(case: &zhizhi_shared::case::view::CaseSummary, now: i64) -> Self {
        CaseUpdate {
            id: case.id,
            version: case.version,
            state: case.state,
            suspended_from: case.suspended_from,
            escalated: case.escalated,
            now,
            stage_changed: false,
            stage_deadline: case.stage_deadline,
        }
    }
}

/// A new case, or a change to one.
#[derive(Clone, Debug)]
pub enum CaseWriteKind {
    Create(NewCaseRow),
    Update(CaseUpdate),
}

/// Which cases to list.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub states: Vec<CaseState>,
    /// A category group (`greening`) or a category code (`greening.branch`).
    pub category: Option<String>,
    pub grid_id: Option<i64>,
    /// Only this street's cases.
    pub street_id: Option<i64>,
    /// Only cases past their stage deadline at this time.
    pub overdue_at: Option<i64>,
    pub scope: CaseScope,
    /// Only these cases (empty: no such limit).
    pub ids: Vec<i64>,
    /// Only cases reported at or after this time.
    pub created_from: Option<i64>,
    /// Only cases reported before this time.
    pub created_to: Option<i64>,
    pub limit: i64,
}

/// Whose cases: everything (the district's command staff), or what one user may see: their
/// reports, their post's tasks (of `street_id`'s cases, for a street's member), their grids',
/// the district's, and with `whole_street` every case of that street (a street's command staff).
#[derive(Clone, Debug, Default)]
pub enum CaseScope {
    #[default]
    All,
    Of { user_id: i64, post_id: Option<i64>, grid_ids: Vec<i64>, district: bool, street_id: Option<i64>, whole_street: Option<i64> },
}

/// A stored photo.
#[derive(Clone, Debug)]
pub struct Photo {
    pub case_id: i64,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// The place a micro-grid belongs to, for routing a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    pub micro_grid_id: i64,
    pub grid_id: i64,
    /// 「community · grid · micro-grid」
    pub place: String,
    /// The grid worker's name, empty if the grid has none.
    pub grid_worker: String,
}

/// Cases, as every engine stores them.
#[async_trait]
pub trait CaseStore {
    /// Writes an action (or a new case) and appends its event to the log, in one transaction.
    /// Returns the event, which carries the case as it now stands.
    async fn write_case(&self, w: &CaseWrite) -> super::Result<LiveEvent>;

    /// The case a write sent with this id changed, if it was written.
    async fn client_write(&self, key: &ClientKey) -> super::Result<Option<i64>>;

    /// Forgets the ids of writes made before `before` (a phone resends within minutes or days,
    /// not months).
    async fn prune_client_writes(&self, before: i64) -> super::Result<u64>;

    /// One case.
    async fn case(&self, id: i64) -> super::Result<Option<CaseSummary>>;

    /// A case's timeline, oldest first.
    async fn case_steps(&self, id: i64) -> super::Result<Vec<StepView>>;

    /// Cases matching `filter`, newest first.
    async fn cases(&self, filter: &CaseFilter) -> super::Result<Vec<CaseSummary>>;

    /// A stored photo.
    async fn photo(&self, id: i64) -> super::Result<Option<Photo>>;

    /// Events after `after`, oldest first, at most `limit`.
    async fn events_after(&self, after: i64, limit: i64) -> super::Result<Vec<LiveEvent>>;

    /// Per street (`None`: cases of no street), the unfinished cases that are not drills and,
    /// of those, how many are past their stage deadline at `now`.
    async fn open_by_street(&self, now: i64) -> super::Result<Vec<(Option<i64>, i64, i64)>>;

    /// The oldest event id still kept (if any) and the newest ever written (0 if none).
    async fn event_range(&self) -> super::Result<(Option<i64>, i64)>;

    /// Forgets all but the newest `keep` events.
    async fn prune_events(&self, keep: i64) -> super::Result<u64>;

    /// Where a micro-grid lies, for routing.
    async fn routing(&self, micro_grid_id: i64) -> super::Result<Option<Routing>>;

    /// One building.
    async fn building_ref(&self, id: i64) -> super::Result<Option<BuildingRef>>;

    /// Buildings whose address or name contains `q`, limited to `grid_ids` when not empty.
    async fn search_buildings(&self, q: &str, grid_ids: &[i64], limit: i64) -> super::Result<Vec<BuildingRef>>;
}

/// The columns of a case summary, in the order [`summary_from_row`] reads them.
pub(super) const CASE_COLUMNS: &str = "id, number, category, source, state, suspended_from, urgency, description, address, lon, lat,
    micro_grid_id, grid_id, place, grid_worker, reporter_id, reporter_name, escalated, created_at, updated_at,
    stage_started_at, stage_deadline, version, drill, street_id";

/// Reads a stored state code.
pub(super) fn state(id: i64, code: &str) -> super::Result<CaseState> {
    super::portable::parse_code("cases", id, code, CaseState::from_code)
}

/// The case number shown to people: `SJ` + the Beijing date + the id.
pub(super) fn case_number(id: i64, now: i64) -> String {
    format!("SJ{}-{id:05}", zhizhi_shared::time::beijing_date(now).replace('-', ""))
}

mod sql;
pub(super) use sql::portable_cases;
