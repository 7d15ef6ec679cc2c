//! Storage of enterprise supervision: businesses with their place, licences, grade history and
//! help given, the cases linked to a business, inspections (items from plan to re-inspection, a
//! log of every step) and the yearly draws. Every write bumps one version number in the same
//! transaction, which the `supervision` stream event follows.

use async_trait::async_trait;
use std::collections::HashMap;
use zhizhi_shared::enterprise::inspection::{Outcome, PlannedItem, Stage};
use zhizhi_shared::enterprise::view::{GradeEntry, HelpEntry, HelpKind, ItemView, Licence, LinkedCase};
use zhizhi_shared::enterprise::GradeChange;
use zhizhi_shared::people::CreditRating;

/// A business with its place, as stored (personal data not yet masked).
#[derive(Clone, Debug, PartialEq)]
pub struct EnterpriseStored {
    pub id: i64,
    pub name: String,
    pub sector: String,
    pub credit_code: String,
    pub grade: CreditRating,
    pub legal_rep: String,
    pub phone: String,
    pub address: String,
    pub building_id: i64,
    pub grid_id: i64,
    pub grid: String,
    pub lon: f64,
    pub lat: f64,
}

/// What the analysis counts per business.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    pub cases_90d: u32,
    pub failed_year: u32,
    pub overdue: u32,
    /// Inspections this year past approval, and this year's draws that picked it.
    pub visits_year: u32,
    pub joint_year: u32,
}

/// An inspection's row.
#[derive(Clone, Debug, PartialEq)]
pub struct InspectionStored {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub joint: bool,
    pub stage: Stage,
    pub lead_post_id: i64,
    pub lead_post: String,
    pub scheduled_at: Option<i64>,
    pub return_reason: String,
    pub approved_by: String,
    pub approved_at: Option<i64>,
    pub notice_no: String,
    pub noticed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_by: String,
    pub created_at: i64,
    pub version: i64,
}

/// A change of one inspection, written only if its version is still `seen`.
#[derive(Clone, Debug, PartialEq)]
pub struct InspectionWrite {
    pub id: i64,
    pub seen: i64,
    pub stage: Stage,
    pub scheduled_at: Option<i64>,
    pub return_reason: String,
    pub approved_by: String,
    pub approved_at: Option<i64>,
    /// Give the inspection the next notice number of this year.
    pub notice_year: Option<i32>,
    pub noticed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub add: Vec<PlannedItem>,
    pub remove: Vec<i64>,
    /// Items whose result, requirement, rectification or re-check changed.
    pub items: Vec<ItemView>,
    /// What happened, for the log.
    pub what: String,
    pub by: String,
    pub now: i64,
}

impl InspectionWrite {
    /// A write that changes nothing yet of `s`.
    pub fn of(s: &InspectionStored, what: String, by: &str, now: i64) -> Self {
        InspectionWrite {
            id: s.id,
            seen: s.version,
            stage: s.stage,
            scheduled_at: s.scheduled_at,
            return_reason: s.return_reason.clone(),
            approved_by: s.approved_by.clone(),
            approved_at: s.approved_at,
            notice_year: None,
            noticed_at: s.noticed_at,
            closed_at: s.closed_at,
            add: Vec::new(),
            remove: Vec::new(),
            items: Vec::new(),
            what,
            by: by.to_string(),
            now,
        }
    }
}

/// A draw's targets as stored: business, grade, inspectors' names.
pub type DrawTargetRow = (i64, CreditRating, Vec<String>);

/// A draw's row: id, year, seed, rates, cap, by, at.
pub type DrawRow = (i64, i32, u64, [f64; 4], u32, String, i64);

/// Enterprise supervision, as every engine stores it.
#[async_trait]
pub trait SupervisionStore {
    /// The number every supervision write increases.
    async fn supervision_version(&self) -> super::Result<i64>;

    /// Every business (or one), in id order.
    async fn enterprise_records(&self, id: Option<i64>) -> super::Result<Vec<EnterpriseStored>>;

    /// Per business: cases since `since_90d`; failed inspections and visits within `year`
    /// (start, end) — inspections under way or done, or else this year's draws that picked it;
    /// rectification items overdue at `now`. Businesses with nothing are left out.
    async fn enterprise_counts(&self, since_90d: i64, year: (i64, i64), now: i64) -> super::Result<HashMap<i64, Counts>>;

    /// Licences (of one business, or all), with their business.
    async fn licences(&self, enterprise_id: Option<i64>) -> super::Result<Vec<(i64, Licence)>>;

    /// Stores licences `(business, kind, number, expiry)` in one transaction.
    async fn add_licences(&self, licences: &[(i64, String, String, Option<i64>)]) -> super::Result<()>;

    /// Records a licence, replacing the business's licence of the same kind.
    async fn save_licence(&self, enterprise_id: i64, kind: &str, number: &str, expires_at: Option<i64>) -> super::Result<()>;

    /// A business's grade history, oldest first.
    async fn grade_history(&self, enterprise_id: i64) -> super::Result<Vec<GradeEntry>>;

    /// When each business's grade last changed, and why.
    async fn last_grades(&self) -> super::Result<HashMap<i64, (i64, String)>>;

    /// Changes a grade if it is still `from` (else `false`, nothing written), and records it.
    async fn regrade(&self, enterprise_id: i64, from: CreditRating, c: &GradeChange, by: &str, now: i64) -> super::Result<bool>;

    /// Help given (to one business, or all), newest first.
    async fn help_entries(&self, enterprise_id: Option<i64>) -> super::Result<Vec<(i64, HelpEntry)>>;

    async fn add_help(&self, enterprise_id: i64, kind: HelpKind, note: &str, by: &str, now: i64) -> super::Result<()>;

    /// The cases linked to a business, newest first.
    async fn linked_cases(&self, enterprise_id: i64) -> super::Result<Vec<LinkedCase>>;

    /// Links a case to a business (or unlinks it); `false` if there is no such case.
    async fn link_case(&self, case_id: i64, enterprise_id: Option<i64>) -> super::Result<bool>;

    /// Links the case numbered `number` to a business; the case's id, `None` if there is none.
    async fn link_case_number(&self, number: &str, enterprise_id: i64) -> super::Result<Option<i64>>;

    /// Inspections of one business, or those not closed; newest first.
    async fn inspections(&self, enterprise_id: Option<i64>) -> super::Result<Vec<InspectionStored>>;

    async fn inspection(&self, id: i64) -> super::Result<Option<InspectionStored>>;

    /// An inspection's items, in the order they were added.
    async fn inspection_items(&self, id: i64) -> super::Result<Vec<ItemView>>;

    /// Every item of unclosed inspections with a deadline and no rectification: `(inspection, item)`.
    async fn open_rectifications(&self) -> super::Result<Vec<(i64, ItemView)>>;

    /// An inspection's log: `(at, by, what)`.
    async fn inspection_log(&self, id: i64) -> super::Result<Vec<(i64, String, String)>>;

    /// Files an inspection (with its first items); its id.
    async fn file_inspection(&self, enterprise_id: i64, joint: bool, lead_post_id: i64, scheduled_at: Option<i64>, items: &[PlannedItem], by: &str, now: i64) -> super::Result<i64>;

    /// Writes a change; [`Error::Stale`](super::Error::Stale) if the inspection changed since it
    /// was read, [`Error::Conflict`](super::Error::Conflict) for an item already there.
    async fn write_inspection(&self, w: &InspectionWrite) -> super::Result<()>;

    /// Stores a draw with its targets; its id.
    async fn store_draw(&self, year: i32, seed: u64, rates: [f64; 4], cap: u32, targets: &[DrawTargetRow], by: &str, now: i64) -> super::Result<i64>;

    /// Every draw, newest first.
    async fn draws(&self) -> super::Result<Vec<DrawRow>>;

    async fn draw_targets(&self, id: i64) -> super::Result<Vec<DrawTargetRow>>;
}

pub(super) type EnterpriseRow = (i64, String, String, String, String, String, String, String, i64, String, i64, String);

pub(super) fn enterprise(r: EnterpriseRow) -> super::Result<EnterpriseStored> {
    let (id, name, sector, credit_code, grade, legal_rep, phone, address, building_id, footprint, grid_id, grid) = r;
    let c = super::portable::parse_polygon("buildings", building_id, &footprint)?.centroid();
    Ok(EnterpriseStored {
        id,
        name,
        sector,
        credit_code,
        grade: super::portable::parse_code("enterprises", id, &grade, CreditRating::from_letter)?,
        legal_rep,
        phone,
        address,
        building_id,
        grid_id,
        grid,
        lon: c[0],
        lat: c[1],
    })
}

/// An inspection's columns (more than a tuple row holds), by name.
#[derive(sqlx::FromRow)]
pub(super) struct InspectionRow {
    id: i64,
    enterprise_id: i64,
    enterprise: String,
    joint: i64,
    stage: String,
    lead_post_id: i64,
    lead_post: String,
    scheduled_at: Option<i64>,
    return_reason: String,
    approved_by: String,
    approved_at: Option<i64>,
    notice_no: String,
    noticed_at: Option<i64>,
    closed_at: Option<i64>,
    created_by: String,
    created_at: i64,
    version: i64,
}

pub(super) fn inspection(r: InspectionRow) -> super::Result<InspectionStored> {
    let InspectionRow { id, enterprise_id, enterprise, joint, stage, lead_post_id, lead_post, scheduled_at, return_reason, approved_by, approved_at, notice_no, noticed_at, closed_at, created_by, created_at, version } = r;
    Ok(InspectionStored {
        id,
        enterprise_id,
        enterprise,
        joint: joint != 0,
        stage: super::portable::parse_code("inspections", id, &stage, Stage::from_code)?,
        lead_post_id,
        lead_post,
        scheduled_at,
        return_reason,
        approved_by,
        approved_at,
        notice_no,
        noticed_at,
        closed_at,
        created_by,
        created_at,
        version,
    })
}

pub(super) type ItemRow = (i64, String, String, String, String, String, Option<i64>, String, Option<i64>, Option<i64>, String, String);

pub(super) fn item(r: ItemRow) -> super::Result<ItemView> {
    let (id, post, item, outcome, finding, checked_by, checked_at, requirement, deadline, rectified_at, evidence, recheck) = r;
    Ok(ItemView {
        id,
        post,
        item,
        outcome: super::portable::parse_code("inspection_items", id, &outcome, Outcome::from_code)?,
        finding,
        checked_by,
        checked_at,
        requirement,
        deadline,
        rectified_at,
        evidence,
        recheck: super::portable::parse_code("inspection_items", id, &recheck, Outcome::from_code)?,
        overdue: false,
    })
}

pub(super) fn grade_letter(table: &'static str, id: i64, s: &str) -> super::Result<CreditRating> {
    super::portable::parse_code(table, id, s, CreditRating::from_letter)
}

mod sql;
pub(super) use sql::portable_supervision;
