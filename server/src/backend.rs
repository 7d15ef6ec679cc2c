//! The server's implementation of the UI's [`Backend`]: each server function's call goes to
//! the same service the JSON API uses, and a [`ServiceError`](crate::error::ServiceError)
//! becomes a [`Problem`] (message and field).

use crate::accounts::{Accounts, AuditParams};
use crate::auth::{client_address, now_ms, session_token, token_hash};
use crate::cases::Cases;
use crate::devices::Devices;
use crate::directory::Directory;
use crate::map::MapService;
use crate::plans::Plans;
use crate::residents::Residents;
use http::request::Parts;
use std::sync::Arc;
use zhizhi_app::backend::Backend;
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
use zhizhi_shared::plan::{ActivationBrief, ActivationChange, ActivationView, CheckItem, NewActivation, PlanSave, PlanView};
use zhizhi_shared::kpi::{KpiQuery, KpiReport};
use zhizhi_shared::problem::Problem;

/// Serves the UI's server functions from the services.
pub struct StoreBackend {
    pub accounts: Arc<Accounts>,
    pub residents: Arc<Residents>,
    pub directory: Arc<Directory>,
    pub cases: Arc<Cases>,
    pub devices: Arc<Devices>,
    pub map: Arc<MapService>,
    pub plans: Arc<Plans>,
    pub kpis: Arc<crate::kpis::Kpis>,
    pub flood: Arc<crate::flood::Flood>,
    pub supervision: Arc<crate::supervision::Supervision>,
    pub imports: Arc<crate::imports::Imports>,
    pub calls: Arc<crate::calls::Calls>,
}

/// The most buildings a search on the pages lists.
const BUILDING_SEARCH_LIMIT: i64 = 300;

#[async_trait::async_trait]
impl Backend for StoreBackend {
    async fn reveal_resident(&self, me: &Principal, id: i64, reason: String) -> Result<zhizhi_shared::people::ResidentView, Problem> {
        Ok(self.residents.reveal(me, id, &reason).await?)
    }

    async fn resident_page(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::people::ResidentPage, Problem> {
        Ok(self.residents.page(me, id, now_ms()).await?)
    }

    async fn people(&self, me: &Principal, query: zhizhi_shared::people::PeopleQuery) -> Result<zhizhi_shared::people::PeopleFound, Problem> {
        Ok(self.residents.search(me, &query, &self.supervision, now_ms()).await?)
    }

    async fn import_jobs(&self, me: &Principal) -> Result<Vec<zhizhi_shared::import::ImportJob>, Problem> {
        Ok(self.imports.jobs(me)?)
    }

    async fn import_job(&self, me: &Principal, id: String) -> Result<zhizhi_shared::import::ImportJob, Problem> {
        Ok(self.imports.job(me, &id)?)
    }

    async fn confirm_import(&self, me: &Principal, id: String) -> Result<zhizhi_shared::import::ImportJob, Problem> {
        Ok(self.imports.confirm(me, &id, now_ms())?)
    }

    async fn flood_board(&self, me: &Principal, level_m: Option<f64>) -> Result<zhizhi_shared::flood::view::FloodBoard, Problem> {
        Ok(self.flood.board(me, level_m, now_ms()).await?)
    }

    async fn flood_act(&self, me: &Principal, action: zhizhi_shared::flood::view::FloodAction) -> Result<zhizhi_shared::flood::view::FloodBoard, Problem> {
        use zhizhi_shared::flood::view::FloodAction as A;
        let now = now_ms();
        let f = &self.flood;
        match action {
            A::Confirm { level, reason } => drop(f.confirm(me, level, &reason, now).await?),
            A::StandDown { reason } => drop(f.stand_down(me, &reason, now).await?),
            A::DrawList { level_m } => drop(f.draw_list(me, level_m, now).await?),
            A::Update(u) => drop(f.update(me, &u, now).await?),
            A::Forecast { device_id, peak_m, peak_at } => f.forecast(me, device_id, Some(&zhizhi_shared::flood::ForecastInput { peak_m, peak_at }), now).await?,
            A::Checkpoint { name } => drop(f.add_checkpoint(me, &name, now).await?),
            A::TurnAway { checkpoint, people } => f.turn_away(me, checkpoint, people, now).await?,
            A::ImportZones { geojson, replace } => {
                let fc: serde_json::Value = serde_json::from_str(&geojson).map_err(|e| crate::error::ServiceError::invalid("features", format!("文件不是有效的 JSON：{e}")))?;
                f.import_zones(me, &fc, replace, now).await?;
            }
            A::AddShelter(s) => drop(f.add_shelter(me, &s).await?),
        }
        Ok(f.board(me, None, now).await?)
    }

    async fn supervision_board(&self, me: &Principal) -> Result<zhizhi_shared::enterprise::view::SupervisionBoard, Problem> {
        Ok(self.supervision.board(me, now_ms()).await?)
    }

    async fn enterprises(&self, me: &Principal, query: zhizhi_shared::enterprise::view::EnterpriseQuery) -> Result<Vec<zhizhi_shared::enterprise::view::EnterpriseRow>, Problem> {
        Ok(self.supervision.list(me, &query, now_ms()).await?)
    }

    async fn enterprise(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::EnterpriseDetail, Problem> {
        Ok(self.supervision.detail(me, id, now_ms()).await?)
    }

    async fn inspection(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::InspectionView, Problem> {
        Ok(self.supervision.inspection(me, id, now_ms()).await?)
    }

    async fn supervise(&self, me: &Principal, action: zhizhi_shared::enterprise::view::SupervisionAction) -> Result<Option<i64>, Problem> {
        use crate::supervision::inspect::Step;
        use zhizhi_shared::enterprise::view::SupervisionAction as A;
        let now = now_ms();
        let s = &self.supervision;
        let step = |id: i64, step: Step| async move { s.step(me, id, step, now).await.map(|()| Some(id)) };
        Ok(match action {
            A::Regrade { enterprise_id, change } => s.regrade(me, enterprise_id, &change, now).await.map(|()| None)?,
            A::Licence { enterprise_id, licence } => s.save_licence(me, enterprise_id, &licence, now).await.map(|()| None)?,
            A::LinkCase { enterprise_id, number } => s.link_case_number(me, enterprise_id, &number, now).await.map(|()| None)?,
            A::Help { enterprise_id, kind, note } => s.add_help(me, enterprise_id, kind, &note, now).await.map(|()| None)?,
            A::File { enterprise_id, scheduled_at } => Some(s.file(me, enterprise_id, scheduled_at, now).await?),
            A::AddItem { inspection_id, post, item } => step(inspection_id, Step::AddItem { post, item }).await?,
            A::RemoveItem { inspection_id, item_id } => step(inspection_id, Step::RemoveItem { item_id }).await?,
            A::Schedule { inspection_id, scheduled_at } => step(inspection_id, Step::Schedule { at: scheduled_at }).await?,
            A::Submit { inspection_id } => step(inspection_id, Step::Submit).await?,
            A::Approve { inspection_id } => step(inspection_id, Step::Approve).await?,
            A::Return { inspection_id, reason } => step(inspection_id, Step::Return { reason }).await?,
            A::Start { inspection_id } => step(inspection_id, Step::Start).await?,
            A::Check { inspection_id, check } => step(inspection_id, Step::Check { item_id: check.item_id, outcome: check.outcome, finding: check.finding }).await?,
            A::Notice { inspection_id, requirements } => step(inspection_id, Step::Notice { requirements }).await?,
            A::Rectify { inspection_id, item_id, evidence } => step(inspection_id, Step::Rectify { item_id, evidence }).await?,
            A::Recheck { inspection_id, item_id, passed } => step(inspection_id, Step::Recheck { item_id, passed }).await?,
            A::Draw { year, seed } => Some(s.draw(me, year, seed, now).await?.brief.id),
        })
    }

    async fn draw(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::enterprise::view::DrawView, Problem> {
        Ok(self.supervision.draw_of(me, id).await?)
    }

    async fn public_draws(&self) -> Result<Vec<zhizhi_shared::enterprise::view::DrawView>, Problem> {
        Ok(self.supervision.public_draws().await?)
    }

    async fn plans(&self, me: &Principal) -> Result<Vec<PlanView>, Problem> {
        Ok(self.plans.list(me).await?)
    }

    async fn activate_plan(&self, me: &Principal, plan_id: i64, new: NewActivation) -> Result<ActivationView, Problem> {
        Ok(self.plans.activate(me, plan_id, &new, now_ms()).await?)
    }

    async fn activations(&self, me: &Principal, running_only: bool) -> Result<Vec<ActivationBrief>, Problem> {
        Ok(self.plans.activations(me, running_only).await?)
    }

    async fn activation(&self, me: &Principal, id: i64) -> Result<ActivationView, Problem> {
        Ok(self.plans.view(me, id).await?)
    }

    async fn change_activation(&self, me: &Principal, id: i64, change: ActivationChange) -> Result<ActivationView, Problem> {
        Ok(self.plans.change(me, id, &change, now_ms()).await?)
    }

    async fn kpis(&self, me: &Principal, query: KpiQuery) -> Result<KpiReport, Problem> {
        Ok(self.kpis.report(me, &query, now_ms()).await?)
    }

    async fn kpi_cases(&self, me: &Principal, query: KpiQuery, indicator: String, key: String) -> Result<Vec<zhizhi_shared::case::view::CaseSummary>, Problem> {
        Ok(self.kpis.cases(me, &query, &indicator, &key, now_ms()).await?)
    }

    async fn set_kpi_weights(&self, me: &Principal, weights: Vec<zhizhi_shared::kpi::IndicatorWeight>) -> Result<Vec<zhizhi_shared::kpi::IndicatorWeight>, Problem> {
        Ok(self.kpis.set_weights(me, &weights, now_ms()).await?)
    }

    async fn kpi_points(&self, me: &Principal, query: KpiQuery, group: Option<String>) -> Result<Vec<zhizhi_shared::geo::LonLat>, Problem> {
        Ok(self.kpis.points(me, &query, group.as_deref(), now_ms()).await?)
    }

    async fn check_item(&self, me: &Principal, id: i64, check: CheckItem) -> Result<ActivationView, Problem> {
        Ok(self.plans.check(me, id, &check, now_ms()).await?)
    }

    async fn save_plan(&self, me: &Principal, id: Option<i64>, seen: Option<i64>, save: PlanSave) -> Result<PlanView, Problem> {
        Ok(self.plans.save(me, id, seen, &save, now_ms()).await?)
    }

    async fn devices(&self, me: &Principal, query: DeviceQuery) -> Result<DeviceList, Problem> {
        Ok(self.devices.list(me, &query, now_ms()).await?)
    }

    async fn device(&self, me: &Principal, id: i64) -> Result<DevicePage, Problem> {
        Ok(self.devices.page(me, id, now_ms()).await?)
    }

    async fn save_device(&self, me: &Principal, device: NewDevice) -> Result<i64, Problem> {
        let ids = self.devices.save(me, std::slice::from_ref(&device), now_ms()).await?;
        Ok(ids[0])
    }

    async fn import_devices(&self, me: &Principal, csv: String) -> Result<usize, Problem> {
        Ok(self.devices.import_csv(me, &csv, now_ms()).await?.len())
    }

    async fn retire_device(&self, me: &Principal, id: i64, retired: bool) -> Result<(), Problem> {
        Ok(self.devices.retire(me, id, retired, now_ms()).await?)
    }

    async fn device_secret(&self, me: &Principal, id: i64) -> Result<String, Problem> {
        Ok(self.devices.new_secret(me, id, now_ms()).await?)
    }

    async fn set_absence_hours(&self, me: &Principal, resident_id: i64, hours: Option<i64>) -> Result<(), Problem> {
        Ok(self.devices.set_absence_hours(me, resident_id, hours, now_ms()).await?)
    }

    async fn building(&self, me: &Principal, id: i64) -> Result<BuildingDetail, Problem> {
        Ok(self.map.building(me, id, now_ms()).await?)
    }

    async fn map_search(&self, me: &Principal, query: String) -> Result<Vec<SearchHit>, Problem> {
        Ok(self.map.search(me, &query).await?)
    }

    async fn grids(&self, me: &Principal) -> Result<Vec<(i64, String, String)>, Problem> {
        Ok(self.map.grids(me).await?)
    }

    async fn division(&self, me: &Principal, grid_id: i64) -> Result<DivisionView, Problem> {
        Ok(self.map.division(me, grid_id).await?)
    }

    async fn save_division(&self, me: &Principal, grid_id: i64, division: SaveDivision) -> Result<SaveAnswer, Problem> {
        Ok(self.map.save_division(me, grid_id, &division, now_ms()).await?)
    }

    async fn set_grid_worker(&self, me: &Principal, grid_id: i64, worker_id: i64) -> Result<(), Problem> {
        Ok(self.map.set_worker(me, grid_id, worker_id, now_ms()).await?)
    }

    async fn alarms(&self, me: &Principal, open_only: bool) -> Result<Vec<AlarmView>, Problem> {
        Ok(self.devices.alarms(me, open_only, None).await?)
    }

    async fn iot_health(&self, me: &Principal) -> Result<Health, Problem> {
        Ok(self.devices.health(me, now_ms()).await?)
    }

    async fn cases(&self, me: &Principal, query: CaseQuery) -> Result<CaseList, Problem> {
        Ok(self.cases.list(me, &query, now_ms()).await?)
    }

    async fn case(&self, me: &Principal, id: i64) -> Result<CaseDetail, Problem> {
        Ok(self.cases.detail(me, id).await?)
    }

    async fn case_action(&self, me: &Principal, id: i64, action: Action, version: Option<i64>, client_id: Option<String>) -> Result<CaseDetail, Problem> {
        Ok(self.cases.act_once(me, id, &action, version, client_id.as_deref(), now_ms()).await?.detail())
    }

    async fn report_case(&self, me: &Principal, new: NewCase) -> Result<CaseDetail, Problem> {
        Ok(self.cases.report(me, new, now_ms()).await?)
    }

    async fn posts(&self) -> Result<Vec<PostRef>, Problem> {
        Ok(self.directory.posts().await?)
    }

    async fn public_report(&self, new: NewCase, request: &Parts) -> Result<Receipt, Problem> {
        Ok(self.cases.report_public(new, &client_address(&request.extensions), now_ms()).await?)
    }

    async fn check_place(&self, lon: f64, lat: f64, category: String) -> Result<PlaceCheck, Problem> {
        Ok(self.cases.check_place(lon, lat, &category, now_ms()).await?)
    }

    async fn contact(&self, me: &Principal, id: i64) -> Result<Option<Contact>, Problem> {
        Ok(self.cases.contact(me, id).await?)
    }

    async fn reveal_contact(&self, me: &Principal, id: i64, reason: String) -> Result<Contact, Problem> {
        Ok(self.cases.reveal_contact(me, id, &reason, now_ms()).await?)
    }

    async fn follow(&self, token: String) -> Result<FollowView, Problem> {
        Ok(self.cases.follow(&token).await?)
    }

    async fn rate(&self, token: String, rating: NewRating) -> Result<FollowView, Problem> {
        Ok(self.cases.rate(&token, rating, now_ms()).await?)
    }

    async fn record_callback(&self, me: &Principal, id: i64, rating: NewRating) -> Result<CaseDetail, Problem> {
        Ok(self.cases.record_callback(me, id, rating, now_ms()).await?)
    }

    async fn case_calls(&self, me: &Principal, case_id: i64) -> Result<zhizhi_shared::call::CaseCalls, Problem> {
        Ok(self.calls.of_case(me, case_id).await?)
    }

    async fn start_call(&self, me: &Principal, case_id: i64, callee_id: i64) -> Result<zhizhi_shared::call::CallView, Problem> {
        Ok(self.calls.start(me, case_id, callee_id).await?)
    }

    async fn answer_call(&self, me: &Principal, id: i64, audio_only: bool) -> Result<zhizhi_shared::call::CallView, Problem> {
        Ok(self.calls.answer(me, id, audio_only).await?)
    }

    async fn hang_up_call(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::call::CallView, Problem> {
        Ok(self.calls.hang_up(me, id).await?)
    }

    async fn join_call(&self, me: &Principal, id: i64) -> Result<zhizhi_shared::call::CallView, Problem> {
        Ok(self.calls.join(me, id).await?)
    }

    async fn my_calls(&self, me: &Principal) -> Result<Vec<zhizhi_shared::call::CallView>, Problem> {
        Ok(self.calls.mine(me).await?)
    }

    async fn conclude_review(&self, me: &Principal, id: i64, review: ReviewDone) -> Result<CaseDetail, Problem> {
        Ok(self.cases.conclude_review(me, id, review, now_ms()).await?)
    }

    async fn reviews(&self, me: &Principal) -> Result<Vec<ReviewItem>, Problem> {
        Ok(self.cases.reviews(me).await?)
    }

    async fn public_buildings(&self, query: String) -> Result<Vec<BuildingRef>, Problem> {
        Ok(self.directory.public_buildings(&query).await?)
    }

    async fn buildings(&self, me: &Principal, query: String, mine: bool) -> Result<Vec<BuildingRef>, Problem> {
        Ok(self.directory.buildings(me, &query, mine, BUILDING_SEARCH_LIMIT).await?)
    }

    async fn overview(&self, me: &Principal) -> Result<Overview, Problem> {
        Ok(self.directory.overview(me).await?)
    }

    async fn streets(&self, me: &Principal) -> Result<Vec<zhizhi_shared::org::StreetLoad>, Problem> {
        Ok(self.directory.streets(me, crate::auth::now_ms()).await?)
    }

    async fn login(&self, username: &str, password: &str, request: &Parts) -> Result<String, Problem> {
        let done = self.accounts.login(username, password, &client_address(&request.extensions)).await?;
        Ok(self.accounts.auth.session_cookie(&done.token))
    }

    async fn logout(&self, request: &Parts) -> Result<String, Problem> {
        if let Some(token) = session_token(&request.headers, self.accounts.auth.cookie_name()) {
            self.accounts.logout(&token_hash(&token), request.extensions.get::<Principal>()).await?;
        }
        Ok(self.accounts.auth.clear_cookie())
    }

    async fn my_grid_residents(&self, me: &Principal) -> Result<Vec<ResidentRow>, Problem> {
        Ok(self.residents.of_my_grids(me).await?.into_iter().map(ResidentRow::from).collect())
    }

    fn password_min_length(&self) -> usize {
        self.accounts.password_min_length()
    }

    async fn change_password(&self, me: &Principal, current: &str, new: &str) -> Result<String, Problem> {
        self.accounts.set_own_password(me, current, new).await?;
        Ok(self.accounts.auth.clear_cookie())
    }

    async fn api_tokens(&self, me: &Principal) -> Result<Vec<zhizhi_shared::auth::ApiToken>, Problem> {
        Ok(self.accounts.tokens(me).await?)
    }

    async fn create_api_token(&self, me: &Principal, name: String, scopes: Vec<String>, days: Option<u32>) -> Result<zhizhi_shared::auth::NewToken, Problem> {
        Ok(self.accounts.create_token(me, &name, &scopes, days).await?)
    }

    async fn revoke_api_token(&self, me: &Principal, id: i64) -> Result<(), Problem> {
        Ok(self.accounts.revoke_token(me, id).await?)
    }

    async fn users(&self, me: &Principal) -> Result<Vec<UserView>, Problem> {
        Ok(self.accounts.list(me).await?)
    }

    async fn create_user(&self, me: &Principal, form: NewAccount) -> Result<UserView, Problem> {
        Ok(self.accounts.create_from_form(me, form).await?)
    }

    async fn set_user_disabled(&self, me: &Principal, id: i64, disabled: bool) -> Result<UserView, Problem> {
        Ok(self.accounts.set_disabled(me, id, disabled).await?)
    }

    async fn audit(&self, me: &Principal, actor: String, action: String) -> Result<Vec<AuditEntry>, Problem> {
        let params = AuditParams { actor: Some(actor), action: Some(action), since_ms: None, limit: Some(500) };
        Ok(self.accounts.audit(me, params).await?)
    }

    async fn verify_audit(&self, me: &Principal) -> Result<AuditVerdict, Problem> {
        Ok(self.accounts.verify_audit(me).await?)
    }
}
