//! The server's side of the server functions: what the UI needs from the rest of the server.
//!
//! The server crate implements [`Backend`] and provides it as context to every server
//! function and server-rendered page; this crate knows nothing of how it is done.

use http::request::Parts;
use leptos::prelude::*;
use std::sync::Arc;
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, NewAccount, Principal, UserView};
use zhizhi_shared::case::view::{BuildingRef, CaseDetail, CaseList, CaseQuery, NewCase, PostRef};
use zhizhi_shared::case::follow::nearby::PlaceCheck;
use zhizhi_shared::case::follow::{Contact, FollowView, NewRating, Receipt, ReviewDone, ReviewItem};
use zhizhi_shared::case::Action;
use zhizhi_shared::iot::{AlarmView, DeviceList, DevicePage, DeviceQuery, Health, NewDevice};
use zhizhi_shared::map::edit::{DivisionView, SaveAnswer, SaveDivision};
use zhizhi_shared::map::{BuildingDetail, SearchHit};
use zhizhi_shared::overview::Overview;
use zhizhi_shared::people::ResidentRow;
use zhizhi_shared::kpi::{KpiQuery, KpiReport};
use zhizhi_shared::plan::{ActivationBrief, ActivationChange, ActivationView, CheckItem, NewActivation, PlanSave, PlanView};
use zhizhi_shared::problem::Problem;

/// Operations the UI's server functions call.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The street's overview for the command centre. Errors are [`Problem`]s: messages safe to
    /// show users, with the form field that is wrong when one is.
    async fn overview(&self, me: &Principal) -> Result<Overview, Problem>;

    /// The streets the user covers (every street for the district's staff), with their open
    /// and overdue cases.
    async fn streets(&self, me: &Principal) -> Result<Vec<zhizhi_shared::org::StreetLoad>, Problem>;

    /// Checks credentials and starts a session: the `Set-Cookie` value, or why not.
    async fn login(&self, username: &str, password: &str, request: &Parts) -> Result<String, Problem>;

    /// Ends the request's session: the `Set-Cookie` value that clears it.
    async fn logout(&self, request: &Parts) -> Result<String, Problem>;

    /// Residents of the signed-in user's grids, masked; the read is audited.
    async fn my_grid_residents(&self, me: &Principal) -> Result<Vec<ResidentRow>, Problem>;

    /// The shortest password the policy accepts.
    fn password_min_length(&self) -> usize;

    /// Changes the user's own password: the `Set-Cookie` value that ends the session.
    async fn change_password(&self, me: &Principal, current: &str, new: &str) -> Result<String, Problem>;

    /// Every account (administrators only).
    async fn users(&self, me: &Principal) -> Result<Vec<UserView>, Problem>;

    /// Every API token, without its secret (administrators).
    async fn api_tokens(&self, me: &Principal) -> Result<Vec<zhizhi_shared::auth::ApiToken>, Problem>;

    /// Issues an API token valid for `days` (`None`: until revoked); the secret is in this
    /// answer only (administrators, audited).
    async fn create_api_token(&self, me: &Principal, name: String, scopes: Vec<String>, days: Option<u32>) -> Result<zhizhi_shared::auth::NewToken, Problem>;

    /// Revokes an API token at once (administrators, audited).
    async fn revoke_api_token(&self, me: &Principal, id: i64) -> Result<(), Problem>;

    /// Creates an account (administrators only); the post is named, grids by code.
    async fn create_user(&self, me: &Principal, form: NewAccount) -> Result<UserView, Problem>;

    /// Disables or re-enables an account (administrators only).
    async fn set_user_disabled(&self, me: &Principal, id: i64, disabled: bool) -> Result<UserView, Problem>;

    /// Audit entries by actor and action, newest first (administrators only).
    async fn audit(&self, me: &Principal, actor: String, action: String) -> Result<Vec<AuditEntry>, Problem>;

    /// Walks the audit chain (administrators only).
    async fn verify_audit(&self, me: &Principal) -> Result<AuditVerdict, Problem>;

    /// The cases the user may see.
    async fn cases(&self, me: &Principal, query: CaseQuery) -> Result<CaseList, Problem>;

    /// One case with its timeline.
    async fn case(&self, me: &Principal, id: i64) -> Result<CaseDetail, Problem>;

    /// Applies an action to a case, decided on `version`.
    async fn case_action(&self, me: &Principal, id: i64, action: Action, version: Option<i64>, client_id: Option<String>) -> Result<CaseDetail, Problem>;

    /// Reports a new case.
    async fn report_case(&self, me: &Principal, new: NewCase) -> Result<CaseDetail, Problem>;

    /// Every post, for the dispatch dialog.
    async fn posts(&self) -> Result<Vec<PostRef>, Problem>;

    /// A resident's report from the public form: the case number and the follow token.
    async fn public_report(&self, new: NewCase, request: &Parts) -> Result<Receipt, Problem>;

    /// Before a public report is sent: whether a point is in the street, its address, and
    /// open reports of the same kind nearby.
    async fn check_place(&self, lon: f64, lat: f64, category: String) -> Result<PlaceCheck, Problem>;

    /// The reporter's contact of a case, masked (staff with the case in their duty).
    async fn contact(&self, me: &Principal, id: i64) -> Result<Option<Contact>, Problem>;

    /// The reporter's contact unmasked, for a stated reason (audited).
    async fn reveal_contact(&self, me: &Principal, id: i64, reason: String) -> Result<Contact, Problem>;

    /// What a resident's follow link shows.
    async fn follow(&self, token: String) -> Result<FollowView, Problem>;

    /// The resident rates the outcome through the follow link.
    async fn rate(&self, token: String, rating: NewRating) -> Result<FollowView, Problem>;

    /// Command staff record a callback's result.
    async fn record_callback(&self, me: &Principal, id: i64, rating: NewRating) -> Result<CaseDetail, Problem>;

    /// A case's video calls and whom `me` could call on it.
    async fn case_calls(&self, me: &Principal, case_id: i64) -> Result<zhizhi_shared::call::CaseCalls, Problem>;

    /// Command staff call a worker on a case.
    async fn start_call(&self, me: &Principal, case_id: i64, callee_id: i64) -> Result<zhizhi_shared::call::CallView, Problem>;

    /// The worker answers a call.
    async fn answer_call(&self, me: &Principal, id: i64, audio_only: bool) -> Result<zhizhi_shared::call::CallView, Problem>;

    /// Ends, declines or cancels a call, or leaves it (a viewer).
    async fn hang_up_call(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::call::CallView, Problem>;

    /// Another person at the centre watches a call.
    async fn join_call(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::call::CallView, Problem>;

    /// The open calls `me` takes part in.
    async fn my_calls(&self, me: &Principal) -> Result<Vec<zhizhi_shared::call::CallView>, Problem>;

    /// Command staff conclude the review of a low rating.
    async fn conclude_review(&self, me: &Principal, id: i64, review: ReviewDone) -> Result<CaseDetail, Problem>;

    /// The low ratings waiting for review.
    async fn reviews(&self, me: &Principal) -> Result<Vec<ReviewItem>, Problem>;

    /// Addresses for the public form.
    async fn public_buildings(&self, query: String) -> Result<Vec<BuildingRef>, Problem>;

    /// Buildings by address; with `mine`, only in the user's grids.
    async fn buildings(&self, me: &Principal, query: String, mine: bool) -> Result<Vec<BuildingRef>, Problem>;

    /// Devices the user may see, filtered.
    async fn devices(&self, me: &Principal, query: DeviceQuery) -> Result<DeviceList, Problem>;

    /// A device's page.
    async fn device(&self, me: &Principal, id: i64) -> Result<DevicePage, Problem>;

    /// Alarms, newest first.
    async fn alarms(&self, me: &Principal, open_only: bool) -> Result<Vec<AlarmView>, Problem>;

    /// The device-health summary.
    async fn iot_health(&self, me: &Principal) -> Result<Health, Problem>;

    /// Registers a device or changes the one with its code (administrators): its id.
    async fn save_device(&self, me: &Principal, device: NewDevice) -> Result<i64, Problem>;

    /// Registers or changes devices from CSV, all or none (administrators): how many.
    async fn import_devices(&self, me: &Principal, csv: String) -> Result<usize, Problem>;

    /// Takes a device out of service, or back in (administrators).
    async fn retire_device(&self, me: &Principal, id: i64, retired: bool) -> Result<(), Problem>;

    /// Issues a device its own secret, shown once (administrators).
    async fn device_secret(&self, me: &Principal, id: i64) -> Result<String, Problem>;

    /// Sets how long a resident in care may go without opening the door (`None`: the default).
    async fn set_absence_hours(&self, me: &Principal, resident_id: i64, hours: Option<i64>) -> Result<(), Problem>;

    /// A building's floors, households, residents (masked; the read is audited), devices and
    /// recent cases: the map's building panel and the device form.
    async fn building(&self, me: &Principal, id: i64) -> Result<BuildingDetail, Problem>;

    /// Buildings, grids and micro-grids to fly to on the map.
    async fn map_search(&self, me: &Principal, query: String) -> Result<Vec<SearchHit>, Problem>;

    /// The grids the grid editor offers (administrators): id, code and name, in code order.
    async fn grids(&self, me: &Principal) -> Result<Vec<(i64, String, String)>, Problem>;

    /// A grid's division for the grid editor (administrators).
    async fn division(&self, me: &Principal, grid_id: i64) -> Result<DivisionView, Problem>;

    /// Checks a grid's new division and, unless a dry run, saves it (administrators). A division
    /// with problems is answered (not refused) with `saved: false` and its report; a division
    /// loaded at an older version is refused.
    async fn save_division(&self, me: &Principal, grid_id: i64, division: SaveDivision) -> Result<SaveAnswer, Problem>;

    /// Assigns a grid's worker (administrators).
    async fn set_grid_worker(&self, me: &Principal, grid_id: i64, worker_id: i64) -> Result<(), Problem>;

    /// Every contingency plan at its current version.
    async fn plans(&self, me: &Principal) -> Result<Vec<PlanView>, Problem>;

    /// Activates a plan (command staff).
    async fn activate_plan(&self, me: &Principal, plan_id: i64, new: NewActivation) -> Result<ActivationView, Problem>;

    /// Activations, newest first.
    async fn activations(&self, me: &Principal, running_only: bool) -> Result<Vec<ActivationBrief>, Problem>;

    /// One activation, for the incident view.
    async fn activation(&self, me: &Principal, id: i64) -> Result<ActivationView, Problem>;

    /// Raises or lowers the level, stands down, or writes the review.
    async fn change_activation(&self, me: &Principal, id: i64, change: ActivationChange) -> Result<ActivationView, Problem>;

    /// The indicators of a period and the one before, by a grouping.
    async fn kpis(&self, me: &Principal, query: KpiQuery) -> Result<KpiReport, Problem>;

    /// The cases behind one figure of a report.
    async fn kpi_cases(&self, me: &Principal, query: KpiQuery, indicator: String, key: String) -> Result<Vec<zhizhi_shared::case::view::CaseSummary>, Problem>;

    /// Sets the indicators' weights in the score (administrators); the weights in force.
    async fn set_kpi_weights(&self, me: &Principal, weights: Vec<zhizhi_shared::kpi::IndicatorWeight>) -> Result<Vec<zhizhi_shared::kpi::IndicatorWeight>, Problem>;

    /// Where a period's cases were (of one category group, or all): the hot-spot map.
    async fn kpi_points(&self, me: &Principal, query: KpiQuery, group: Option<String>) -> Result<Vec<zhizhi_shared::geo::LonLat>, Problem>;

    /// Ticks or unticks a checklist item of a plan task (its holder).
    async fn check_item(&self, me: &Principal, id: i64, check: CheckItem) -> Result<ActivationView, Problem>;

    /// Writes a new plan (`id` `None`) or a new version of plan `id`, edited from version `seen`.
    async fn save_plan(&self, me: &Principal, id: Option<i64>, seen: Option<i64>, save: PlanSave) -> Result<PlanView, Problem>;

    /// The flood board, drawn for `level_m` if given.
    async fn flood_board(&self, me: &Principal, level_m: Option<f64>) -> Result<zhizhi_shared::flood::view::FloodBoard, Problem>;

    /// A flood action; the board as it then stands.
    async fn flood_act(&self, me: &Principal, action: zhizhi_shared::flood::view::FloodAction) -> Result<zhizhi_shared::flood::view::FloodBoard, Problem>;

    /// The enterprise supervision board.
    async fn supervision_board(&self, me: &Principal) -> Result<zhizhi_shared::enterprise::view::SupervisionBoard, Problem>;

    /// Businesses matching a query.
    async fn enterprises(&self, me: &Principal, query: zhizhi_shared::enterprise::view::EnterpriseQuery) -> Result<Vec<zhizhi_shared::enterprise::view::EnterpriseRow>, Problem>;

    /// One business whole (audited).
    async fn enterprise(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::EnterpriseDetail, Problem>;

    /// One inspection whole.
    async fn inspection(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::InspectionView, Problem>;

    /// A supervision action; the id of what it created (an inspection filed, a draw), if any.
    async fn supervise(&self, me: &Principal, action: zhizhi_shared::enterprise::view::SupervisionAction) -> Result<Option<i64>, Problem>;

    /// One draw for staff.
    async fn draw(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::DrawView, Problem>;

    /// The draws as published, for anyone.
    async fn public_draws(&self) -> Result<Vec<zhizhi_shared::enterprise::view::DrawView>, Problem>;

    /// One resident unmasked, for a stated reason (audited).
    async fn reveal_resident(&self, me: &Principal, id: i64, reason: String) -> Result<zhizhi_shared::people::ResidentView, Problem>;

    /// One resident's page, masked; audited.
    async fn resident_page(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::people::ResidentPage, Problem>;

    /// A search of people, houses and enterprises (人房企).
    async fn people(&self, me: &Principal, query: zhizhi_shared::people::PeopleQuery) -> Result<zhizhi_shared::people::PeopleFound, Problem>;

    /// The last day's import jobs (administrators).
    async fn import_jobs(&self, me: &Principal) -> Result<Vec<zhizhi_shared::import::ImportJob>, Problem>;

    /// One import job (administrators).
    async fn import_job(&self, me: &Principal, id: String) -> Result<zhizhi_shared::import::ImportJob, Problem>;

    /// Confirms a checked import (administrators).
    async fn confirm_import(&self, me: &Principal, id: String) -> Result<zhizhi_shared::import::ImportJob, Problem>;
}

/// The signed-in user of the current request, as the server's guard resolved it.
pub fn principal() -> Option<Principal> {
    use_context::<Parts>().and_then(|p| p.extensions.get::<Principal>().cloned())
}

/// The signed-in user, or the error a server function answers to an anonymous caller (or to
/// one whose password has expired).
pub fn require_user() -> Result<Principal, ServerFnError> {
    let me = principal().ok_or_else(|| fail(Problem::new("请先登录").with_status(401)))?;
    if me.password_expired {
        return Err(fail(Problem::new("密码已过期，请先修改密码").with_status(403)));
    }
    Ok(me)
}

/// The backend provided by the server for the current request.
pub fn backend() -> Result<Arc<dyn Backend>, ServerFnError> {
    use_context::<Arc<dyn Backend>>().ok_or_else(|| ServerFnError::new("服务器未配置后端"))
}

/// A backend's problem as a server function's error (the field survives: see
/// [`Problem::to_wire`]; pages read it back with `crate::api::problem_of`).
pub fn fail(p: Problem) -> ServerFnError {
    ServerFnError::ServerError(p.to_wire())
}
