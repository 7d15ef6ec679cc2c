//! The server's implementation of the UI's [`Backend`].

use crate::storage::Store;
use std::sync::Arc;
use http::request::Parts;
use zhizhi_app::api::{BoardView, GridMap, MapArea, NewAccount, Overview, ResidentRow, StreetName};
use zhizhi_shared::audit::AuditEntry;
use zhizhi_shared::auth::{AuditVerdict, CreateUser, Role, UserView};
use zhizhi_shared::auth::Principal;
use zhizhi_app::backend::Backend;
use zhizhi_shared::case::view::{BuildingRef, CaseDetail, CaseList, CaseQuery, NewCase, PostRef};
use zhizhi_shared::case::Action;
use zhizhi_shared::iot::{AlarmView, DeviceList, DevicePage, DeviceQuery, Health, NewDevice};

/// Serves the UI's server functions from the store.
pub struct StoreBackend {
    pub store: Arc<dyn Store>,
    pub auth: Arc<crate::auth::AuthConfig>,
    pub cases: Arc<crate::cases::Cases>,
    pub devices: Arc<crate::devices::Devices>,
}

/// Logs a storage error in full and gives the user a short Chinese message.
fn internal(e: crate::storage::Error) -> String {
    tracing::error!(error = %e, "storage error in a server function");
    "数据库暂时无法访问，请稍后重试".to_string()
}

#[async_trait::async_trait]
impl Backend for StoreBackend {
    async fn devices(&self, me: &Principal, query: DeviceQuery) -> Result<DeviceList, String> {
        self.devices.list(me, &query, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn device(&self, me: &Principal, id: i64) -> Result<DevicePage, String> {
        self.devices.page(me, id, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn save_device(&self, me: &Principal, device: NewDevice) -> Result<i64, String> {
        let ids = self.devices.save(me, std::slice::from_ref(&device), crate::auth::now_ms()).await.map_err(|e| e.user_message())?;
        Ok(ids[0])
    }

    async fn import_devices(&self, me: &Principal, csv: String) -> Result<usize, String> {
        Ok(self.devices.import_csv(me, &csv, crate::auth::now_ms()).await.map_err(|e| e.user_message())?.len())
    }

    async fn retire_device(&self, me: &Principal, id: i64, retired: bool) -> Result<(), String> {
        self.devices.retire(me, id, retired, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn device_secret(&self, me: &Principal, id: i64) -> Result<String, String> {
        self.devices.new_secret(me, id, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn set_absence_hours(&self, me: &Principal, resident_id: i64, hours: Option<i64>) -> Result<(), String> {
        self.devices.set_absence_hours(me, resident_id, hours, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn alarms(&self, me: &Principal, open_only: bool) -> Result<Vec<AlarmView>, String> {
        self.devices.alarms(me, open_only, None).await.map_err(|e| e.user_message())
    }

    async fn iot_health(&self, me: &Principal) -> Result<Health, String> {
        self.devices.health(me, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn cases(&self, me: &Principal, query: CaseQuery) -> Result<CaseList, String> {
        self.cases.list(me, &query, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn case(&self, me: &Principal, id: i64) -> Result<CaseDetail, String> {
        self.cases.detail(me, id).await.map_err(|e| e.user_message())
    }

    async fn case_action(&self, me: &Principal, id: i64, action: Action, version: Option<i64>) -> Result<CaseDetail, String> {
        self.cases.act(me, id, &action, version, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn report_case(&self, me: &Principal, new: NewCase) -> Result<CaseDetail, String> {
        self.cases.report(me, new, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn posts(&self) -> Result<Vec<PostRef>, String> {
        let boards = self.store.boards().await.map_err(internal)?;
        Ok(boards
            .into_iter()
            .flat_map(|b| {
                let (board, code) = (b.board.name.clone(), b.board.kind.code().to_string());
                b.posts.into_iter().map(move |p| PostRef { id: p.id, name: p.name, board: board.clone(), board_code: code.clone() })
            })
            .collect())
    }

    async fn public_report(&self, new: NewCase, request: &Parts) -> Result<String, String> {
        let address = crate::auth::client_address(&request.extensions);
        self.cases.report_public(new, &address, crate::auth::now_ms()).await.map_err(|e| e.user_message())
    }

    async fn public_buildings(&self, query: String) -> Result<Vec<BuildingRef>, String> {
        let q = query.trim();
        if q.chars().count() < 2 {
            return Ok(vec![]);
        }
        self.store.search_buildings(q, &[], 10).await.map_err(internal)
    }

    async fn buildings(&self, me: &Principal, query: String, mine: bool) -> Result<Vec<BuildingRef>, String> {
        let grids = if mine { me.grid_ids.clone() } else { vec![] };
        if mine && grids.is_empty() {
            return Ok(vec![]);
        }
        self.store.search_buildings(query.trim(), &grids, 300).await.map_err(internal)
    }

    async fn overview(&self) -> Result<Overview, String> {
        let summary = self.store.summary().await.map_err(internal)?;
        let boards = self.store.boards().await.map_err(internal)?;
        let street = self.store.street().await.map_err(internal)?;
        let grid_map = self.grid_map().await?;
        Ok(Overview {
            grid_map,
            street: street.map(|s| StreetName { street: s.name, district: s.district }),
            summary,
            boards: boards
                .into_iter()
                .map(|b| BoardView { code: b.board.kind.code().into(), name: b.board.name, posts: b.posts.into_iter().map(|p| p.name).collect() })
                .collect(),
        })
    }


    async fn login(&self, username: &str, password: &str, request: &Parts) -> Result<String, String> {
        let address = crate::auth::client_address(&request.extensions);
        let done = crate::auth::login(self.store.as_ref(), &self.auth, username, password, &address).await.map_err(|e| e.to_string())?;
        Ok(self.auth.session_cookie(&done.token))
    }

    async fn logout(&self, request: &Parts) -> Result<String, String> {
        if let Some(token) = crate::auth::session_token(&request.headers, self.auth.cookie_name()) {
            self.store.end_session(&crate::auth::token_hash(&token)).await.map_err(internal)?;
            if let Some(p) = request.extensions.get::<Principal>() {
                self.store.append_audit(crate::auth::now_ms(), &p.username, "logout", "session", "").await.map_err(internal)?;
            }
        }
        Ok(self.auth.clear_cookie())
    }

    async fn my_grid_residents(&self, me: &Principal) -> Result<Vec<ResidentRow>, String> {
        let mut rows = Vec::new();
        for &grid in &me.grid_ids {
            if !me.may_list_residents_of(grid) {
                continue;
            }
            let page = self.store.residents_in_grid(grid, 500, 0).await.map_err(internal)?;
            let detail = format!("脱敏列表 {} 条", page.len());
            self.store.append_audit(crate::auth::now_ms(), &me.username, "list_residents", &format!("grid:{grid}"), &detail).await.map_err(internal)?;
            rows.extend(page.into_iter().map(|r| {
                // The API's masking, so both ways out of the server hide the same things.
                let v = crate::api::residents::ResidentView::new(r, true);
                ResidentRow { id: v.id, name: v.name, birth_year: v.birth_year, phone: v.phone, care_tags: v.care_tags, address: v.address, unit: v.unit }
            }));
        }
        Ok(rows)
    }

    async fn change_password(&self, me: &Principal, current: &str, new: &str) -> Result<String, String> {
        crate::api::session::set_own_password(self.store.as_ref(), &self.auth, me, current, new).await.map_err(|e| e.user_message())?;
        Ok(self.auth.clear_cookie())
    }

    async fn users(&self, me: &Principal) -> Result<Vec<UserView>, String> {
        crate::api::admin::list_users(self.store.as_ref(), me).await.map_err(|e| e.user_message())
    }

    async fn create_user(&self, me: &Principal, form: NewAccount) -> Result<UserView, String> {
        let role = Role::from_code(&form.role).ok_or("角色：请选择一个角色")?;
        let post_id = if form.post.trim().is_empty() {
            None
        } else {
            let boards = self.store.boards().await.map_err(internal)?;
            let post = boards.iter().flat_map(|b| &b.posts).find(|p| p.name == form.post.trim());
            Some(post.ok_or_else(|| format!("岗位：没有名为「{}」的岗位", form.post.trim()))?.id)
        };
        let grids = self.store.grids().await.map_err(internal)?;
        let mut grid_ids = Vec::new();
        for code in form.grids.split([',', '，', ' ']).map(str::trim).filter(|c| !c.is_empty()) {
            let g = grids.iter().find(|g| g.code.eq_ignore_ascii_case(code)).ok_or_else(|| format!("网格：没有编号为 {code} 的网格"))?;
            grid_ids.push(g.id);
        }
        let body = CreateUser { username: form.username, display_name: form.display_name, password: form.password, roles: vec![role], post_id, grid_ids };
        crate::api::admin::add_user(self.store.as_ref(), &self.auth, me, body).await.map_err(|e| e.user_message())
    }

    async fn set_user_disabled(&self, me: &Principal, id: i64, disabled: bool) -> Result<UserView, String> {
        crate::api::admin::disable_user(self.store.as_ref(), me, id, disabled).await.map_err(|e| e.user_message())
    }

    async fn audit(&self, me: &Principal, actor: String, action: String) -> Result<Vec<AuditEntry>, String> {
        let params = crate::api::admin::AuditParams { actor: Some(actor), action: Some(action), since_ms: None, limit: Some(500) };
        crate::api::admin::search_audit(self.store.as_ref(), me, params).await.map_err(|e| e.user_message())
    }

    async fn verify_audit(&self, me: &Principal) -> Result<AuditVerdict, String> {
        crate::api::admin::verify_audit(self.store.as_ref(), me).await.map_err(|e| e.user_message())
    }
}

impl StoreBackend {
    /// Outlines of the communities, grids and micro-grids.
    async fn grid_map(&self) -> Result<GridMap, String> {
        let communities = self.store.communities().await.map_err(internal)?;
        let grids = self.store.grids().await.map_err(internal)?;
        let micro_grids = self.store.micro_grids().await.map_err(internal)?;
        Ok(GridMap {
            communities: communities.into_iter().map(|c| MapArea { name: c.name, ring: c.boundary.0 }).collect(),
            grids: grids.into_iter().map(|g| MapArea { name: g.name, ring: g.boundary.0 }).collect(),
            micro_grids: micro_grids.into_iter().map(|m| m.boundary.0).collect(),
        })
    }
}
