//! Enterprise supervision (企业信用监管): the street's businesses with their credit grades, the
//! analysis that flags those whose grade may need a look, the C/D businesses with the help they
//! were given, grade changes with reason and evidence, the yearly random draw of inspection
//! targets (双随机、一公开) and — in [`inspect`] — the joint inspection 综合查一次. Every write
//! bumps the supervision version, which open streams carry as a `supervision` event (this server
//! copy at once; others within [`POLL`]).

pub mod inspect;

use crate::error::{ServiceError, ServiceResult};
use crate::storage::supervision::{Counts, EnterpriseStored};
use crate::storage::Store;
use std::collections::HashMap;
use std::sync::Arc;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::enterprise::view::{DrawBrief, DrawTarget, DrawView, EnterpriseDetail, EnterpriseQuery, EnterpriseRow, HelpKind, Licence, NewLicence, SupervisionBoard, WatchRow};
use zhizhi_shared::enterprise::{self, Candidate, DrawRules, Facts, GradeChange};
use zhizhi_shared::people::CreditRating;
use zhizhi_shared::{mask, time};

/// How often one task per server copy reads the supervision version.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// The most businesses one list shows.
pub const LIST_LIMIT: usize = 200;

const DAY: i64 = 86_400_000;

/// The post whose members grade businesses and run the draw.
pub const MARKET_POST: &str = "市场监管";

/// Enterprise supervision over a store.
#[derive(Clone)]
pub struct Supervision {
    pub store: Arc<dyn Store>,
    /// The supervision version: changes whenever a supervision screen would.
    pub changed: Arc<tokio::sync::watch::Sender<i64>>,
}

fn staff(me: &Principal) -> ServiceResult<()> {
    if me.roles.is_empty() {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

/// The start of the Beijing year `now` falls in, and the year.
pub fn year_start(now: i64) -> (i64, i32) {
    let (_, (y, _, _)) = time::beijing_day_start(now);
    (time::beijing_midnight(y, 1, 1), y as i32)
}

/// The Beijing year `now` falls in: its start and the start of the next.
pub fn year_bounds(now: i64) -> (i64, i64) {
    let (_, (y, _, _)) = time::beijing_day_start(now);
    (time::beijing_midnight(y, 1, 1), time::beijing_midnight(y + 1, 1, 1))
}

/// Whether `me` may see the businesses of `grid_id`: grid workers only their own grids, a
/// street's staff only their street's.
pub(crate) fn may_see(me: &Principal, grid_id: i64) -> bool {
    me.in_my_street(grid_id) && (!me.has(Role::GridWorker) || me.roles.len() > 1 || me.grid_ids.contains(&grid_id))
}

impl Supervision {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Supervision { store, changed: Arc::new(tokio::sync::watch::channel(0).0) }
    }

    /// Follows the supervision version (other server copies' writes arrive so).
    pub fn watch(&self) {
        let store = self.store.clone();
        crate::live::poll(self.changed.clone(), POLL, move || {
            let store = store.clone();
            async move { store.supervision_version().await.ok() }
        });
    }

    /// Tells this copy's streams at once after a write.
    pub(crate) async fn touch(&self) {
        if let Ok(v) = self.store.supervision_version().await {
            crate::live::moved(&self.changed, v);
        }
    }

    /// Whether `me` grades businesses and runs the draw: command staff and market supervision.
    async fn grader(&self, me: &Principal) -> ServiceResult<()> {
        if me.has(Role::Command) || self.post_name(me).await?.as_deref() == Some(MARKET_POST) {
            Ok(())
        } else {
            Err(ServiceError::Denied("只有指挥中心和市场监管岗可以调整信用等级或抽取检查对象".into()))
        }
    }

    /// The name of `me`'s post.
    pub(crate) async fn post_name(&self, me: &Principal) -> ServiceResult<Option<String>> {
        let Some(id) = me.post_id else { return Ok(None) };
        Ok(self.store.boards().await?.into_iter().flat_map(|b| b.posts).find(|p| p.id == id).map(|p| p.name))
    }

    /// Every business as rows (masked), with flags and visits.
    async fn rows(&self, id: Option<i64>, now: i64) -> ServiceResult<Vec<EnterpriseRow>> {
        let records = self.store.enterprise_records(id).await?;
        let counts = self.store.enterprise_counts(now - 90 * DAY, year_bounds(now), now).await?;
        let mut licences: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
        for (e, l) in self.store.licences(id).await? {
            licences.entry(e).or_default().push(l.expires_at);
        }
        let none = Counts::default();
        Ok(records
            .into_iter()
            .map(|e| {
                let id = e.id;
                row(e, counts.get(&id).unwrap_or(&none), licences.remove(&id).unwrap_or_default(), now)
            })
            .collect())
    }

    fn visible(me: &Principal, r: &EnterpriseRow) -> bool {
        may_see(me, r.grid_id.unwrap_or(-1))
    }

    /// Whether `me` grades businesses (see [`Supervision::grader`]), as the screens ask.
    async fn grades(&self, me: &Principal) -> ServiceResult<bool> {
        Ok(self.grader(me).await.is_ok())
    }

    /// Businesses matching `q` (at most [`LIST_LIMIT`]), grid workers' own grids only.
    pub async fn list(&self, me: &Principal, q: &EnterpriseQuery, now: i64) -> ServiceResult<Vec<EnterpriseRow>> {
        let mut rows = self.matching(me, q, now).await?;
        rows.truncate(LIST_LIMIT);
        Ok(rows)
    }

    /// Every business matching `q` that `me` may see.
    async fn matching(&self, me: &Principal, q: &EnterpriseQuery, now: i64) -> ServiceResult<Vec<EnterpriseRow>> {
        staff(me)?;
        let words = q.q.trim().to_lowercase();
        Ok(self
            .rows(None, now)
            .await?
            .into_iter()
            .filter(|r| Self::visible(me, r))
            .filter(|r| q.grid_id.is_none() || r.grid_id == q.grid_id)
            .filter(|r| q.grade.is_none_or(|g| r.grade == g))
            .filter(|r| q.sector.trim().is_empty() || r.sector == q.sector.trim())
            .filter(|r| !q.flagged || !r.flags.is_empty())
            .filter(|r| words.is_empty() || r.name.to_lowercase().contains(&words) || r.credit_code.to_lowercase().contains(&words) || r.address.contains(&words))
            .collect())
    }

    /// Every business matching `q` that `me` may see, as an Excel workbook: legal
    /// representatives and phones masked as on the screens, or — for a stated reason (at least
    /// four characters), by command staff and market supervision — in full. One audit entry
    /// with the count and the reason (a refused one too).
    pub async fn export(&self, me: &Principal, q: &EnterpriseQuery, reason: Option<&str>, now: i64) -> ServiceResult<(String, Vec<u8>)> {
        use crate::xlsx::{Cell, Sheet};
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        let mut found = self.matching(me, q, now).await?;
        if let Some(r) = reason {
            if r.chars().count() < 4 {
                return Err(ServiceError::invalid("reason", "明文导出请说明原因（至少 4 个字）"));
            }
            if let Err(e) = self.grader(me).await {
                self.store.append_audit(now, &me.username, "export_refused", "enterprises", r).await?;
                return Err(e);
            }
            let full: HashMap<i64, (String, String)> = self.store.enterprise_records(None).await?.into_iter().map(|e| (e.id, (e.legal_rep, e.phone))).collect();
            for row in &mut found {
                if let Some((rep, phone)) = full.get(&row.id) {
                    (row.legal_rep, row.phone) = (rep.clone(), phone.clone());
                }
            }
        }
        let header = ["企业名称", "行业", "统一社会信用代码", "信用等级", "法定代表人", "联系电话", "地址", "网格", "需关注", "本年检查"];
        let mut rows = vec![header.map(Cell::from).to_vec()];
        for r in &found {
            let flags: Vec<&str> = r.flags.iter().map(|f| f.text_zh.as_str()).collect();
            rows.push(vec![
                r.name.clone().into(),
                r.sector.clone().into(),
                r.credit_code.clone().into(),
                r.grade.letter().into(),
                r.legal_rep.clone().into(),
                r.phone.clone().into(),
                r.address.clone().into(),
                r.grid.clone().into(),
                flags.join("；").into(),
                i64::from(r.visits_year).into(),
            ]);
        }
        let mut what: Vec<String> = Vec::new();
        if !q.q.trim().is_empty() {
            what.push(format!("「{}」", q.q.trim()));
        }
        if !q.sector.trim().is_empty() {
            what.push(q.sector.trim().to_string());
        }
        if let Some(g) = q.grade {
            what.push(format!("{} 级", g.letter()));
        }
        if q.flagged {
            what.push("需关注".into());
        }
        let filter = if what.is_empty() { String::new() } else { format!("（{}）", what.join("，")) };
        let detail = match reason {
            None => format!("导出企业商户 {} 条{filter}", found.len()),
            Some(r) => format!("导出企业商户 {} 条{filter}，明文；原因：{r}", found.len()),
        };
        self.store.append_audit(now, &me.username, "export_enterprises", "enterprises", &detail).await?;
        let when = zhizhi_shared::time::beijing_stamp(now);
        let plain = if reason.is_some() { "（明文）" } else { "" };
        Ok((format!("企业商户{filter}{plain}-{when}.xlsx"), crate::xlsx::workbook(&[Sheet { name: "企业商户".into(), rows }])))
    }

    /// One business whole. The read is audited (it names its legal representative, masked).
    pub async fn detail(&self, me: &Principal, id: i64, now: i64) -> ServiceResult<EnterpriseDetail> {
        staff(me)?;
        let version = self.store.supervision_version().await?;
        let row = self.rows(Some(id), now).await?.pop().ok_or(ServiceError::NotFound("没有这家企业"))?;
        if !Self::visible(me, &row) {
            return Err(ServiceError::Denied("这家企业不在您的网格内".into()));
        }
        let (year, next) = year_bounds(now);
        let licences = self.store.licences(Some(id)).await?.into_iter().map(|(_, l)| Licence { expired: l.expires_at.is_some_and(|e| e < now), ..l }).collect();
        let inspections = self.store.inspections(Some(id)).await?;
        let joint_year = inspections
            .iter()
            .filter(|i| i.joint && (year..next).contains(&i.scheduled_at.unwrap_or(i.created_at)) && inspect::counts_as_visit(i.stage))
            .count() as u32;
        let may_grade = self.grades(me).await?;
        // The cases linked: for those who may see every case (command staff, the district) and
        // the graders, who link them.
        let mut cases = if may_grade || me.has(Role::District) { self.store.linked_cases(id).await? } else { Vec::new() };
        // A street's staff: the linked cases they may see.
        if me.street_id.is_some() && !cases.is_empty() {
            let ids = cases.iter().map(|c| c.id).collect();
            let seen = self.store.cases(&crate::storage::CaseFilter { ids, limit: 10_000, ..Default::default() }).await?;
            cases.retain(|c| seen.iter().any(|s| s.id == c.id && me.may_see_case(&s.visibility())));
        }
        let mut briefs = Vec::new();
        for i in &inspections {
            briefs.push(inspect::brief(&*self.store, i, now).await?);
        }
        self.store.append_audit(now, &me.username, "enterprise_read", &format!("enterprise:{id}"), "").await?;
        Ok(EnterpriseDetail {
            row,
            licences,
            grades: self.store.grade_history(id).await?,
            help: self.store.help_entries(Some(id)).await?.into_iter().map(|(_, h)| h).collect(),
            inspections: briefs,
            joint_year,
            cases,
            may_grade,
            version,
        })
    }

    /// The supervision board: grades, the C/D businesses with their help, the analysis's
    /// suggested re-grades, inspections under way, overdue rectifications, the newest draw.
    pub async fn board(&self, me: &Principal, now: i64) -> ServiceResult<SupervisionBoard> {
        staff(me)?;
        let version = self.store.supervision_version().await?;
        let rows: Vec<EnterpriseRow> = self.rows(None, now).await?.into_iter().filter(|r| Self::visible(me, r)).collect();
        let mut grades = [0u32; 4];
        for r in &rows {
            grades[grade_index(r.grade)] += 1;
        }
        let mut help: HashMap<i64, Vec<_>> = HashMap::new();
        for (e, h) in self.store.help_entries(None).await? {
            help.entry(e).or_default().push(h);
        }
        let graded = self.store.last_grades().await?;
        // The C/D businesses the street is helping come first, then those graded most recently,
        // then the flagged.
        let mut watch: Vec<WatchRow> = rows
            .iter()
            .filter(|r| r.grade >= CreditRating::C)
            .map(|r| {
                let (since, reason) = graded.get(&r.id).cloned().unzip();
                WatchRow { row: r.clone(), help: help.remove(&r.id).unwrap_or_default(), since, reason: reason.unwrap_or_default() }
            })
            .collect();
        watch.sort_by_key(|w| (w.help.is_empty(), std::cmp::Reverse(w.since), w.row.flags.is_empty(), std::cmp::Reverse(w.row.grade), w.row.id));
        let watch_total = watch.len() as u32;
        watch.truncate(zhizhi_shared::enterprise::view::WATCH_SHOWN);
        let mut flagged: Vec<EnterpriseRow> = rows.iter().filter(|r| !r.flags.is_empty()).cloned().collect();
        flagged.sort_by_key(|r| (std::cmp::Reverse(r.flags.len()), r.id));
        flagged.truncate(LIST_LIMIT);
        let (mut open, mut overdue) = inspect::open_and_overdue(&*self.store, now).await?;
        // A grid worker sees the inspections of their grids' businesses only.
        let seen: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
        open.retain(|i| seen.contains(&i.enterprise_id));
        overdue.retain(|o| open.iter().any(|i| i.id == o.inspection_id));
        let dots = rows.iter().map(|r| (r.id, r.lon, r.lat, r.grade)).collect();
        let mut sectors: HashMap<&str, u32> = HashMap::new();
        for r in &rows {
            *sectors.entry(r.sector.as_str()).or_default() += 1;
        }
        let mut sectors: Vec<(String, u32)> = sectors.into_iter().map(|(s, n)| (s.to_string(), n)).collect();
        sectors.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let may_grade = self.grades(me).await?;
        let draw = self.draw_briefs().await?.into_iter().next();
        Ok(SupervisionBoard { grades, watch, watch_total, flagged, open, overdue, draw, dots, sectors, may_grade, version })
    }

    /// Changes a business's grade with reason and evidence.
    pub async fn regrade(&self, me: &Principal, id: i64, c: &GradeChange, now: i64) -> ServiceResult<()> {
        self.grader(me).await?;
        let e = self.store.enterprise_records(Some(id)).await?.pop().ok_or(ServiceError::NotFound("没有这家企业"))?;
        enterprise::check_grade_change(e.grade, c).map_err(|(f, m)| ServiceError::invalid(f, m))?;
        if !self.store.regrade(id, e.grade, c, &me.display_name, now).await? {
            return Err(ServiceError::Conflict("该企业的信用等级刚被他人调整，请刷新后再试".into()));
        }
        self.store.append_audit(now, &me.username, "enterprise_grade", &format!("enterprise:{id}"), &format!("{}→{}", e.grade.letter(), c.to.letter())).await?;
        self.touch().await;
        Ok(())
    }

    /// Records a licence renewed or added (command staff and market supervision); it replaces
    /// the business's licence of the same kind.
    pub async fn save_licence(&self, me: &Principal, id: i64, l: &NewLicence, now: i64) -> ServiceResult<()> {
        self.grader(me).await?;
        zhizhi_shared::enterprise::view::check_licence(l).map_err(|(f, m)| ServiceError::invalid(f, m))?;
        if self.store.enterprise_records(Some(id)).await?.is_empty() {
            return Err(ServiceError::NotFound("没有这家企业"));
        }
        self.store.save_licence(id, l.kind.trim(), l.number.trim(), l.expires_at).await?;
        self.store.append_audit(now, &me.username, "enterprise_licence", &format!("enterprise:{id}"), l.kind.trim()).await?;
        self.touch().await;
        Ok(())
    }

    /// Records help given to a business (any staff; grid workers in their own grids).
    pub async fn add_help(&self, me: &Principal, id: i64, kind: HelpKind, note: &str, now: i64) -> ServiceResult<()> {
        staff(me)?;
        if me.has(Role::Admin) && me.roles.len() == 1 {
            return Err(ServiceError::Denied("系统管理员不登记帮扶记录".into()));
        }
        let row = self.rows(Some(id), now).await?.pop().ok_or(ServiceError::NotFound("没有这家企业"))?;
        if !Self::visible(me, &row) {
            return Err(ServiceError::Denied("这家企业不在您的网格内".into()));
        }
        zhizhi_shared::enterprise::view::check_help(note).map_err(|(f, m)| ServiceError::invalid(f, m))?;
        self.store.add_help(id, kind, note, &me.display_name, now).await?;
        self.touch().await;
        Ok(())
    }

    /// Links a case to a business (command staff and market supervision), so the analysis
    /// counts it. Audited.
    pub async fn link_case(&self, me: &Principal, case_id: i64, enterprise_id: Option<i64>, now: i64) -> ServiceResult<()> {
        self.grader(me).await?;
        if let Some(e) = enterprise_id
            && self.store.enterprise_records(Some(e)).await?.is_empty()
        {
            return Err(ServiceError::invalid("enterprise_id", "没有这家企业"));
        }
        // A case the user may not see (another street's) does not exist for them.
        if !self.store.case(case_id).await?.is_some_and(|c| me.may_see_case(&c.visibility())) || !self.store.link_case(case_id, enterprise_id).await? {
            return Err(ServiceError::NotFound("没有这个事件"));
        }
        let to = enterprise_id.map(|e| format!("enterprise:{e}")).unwrap_or_default();
        self.store.append_audit(now, &me.username, "case_enterprise", &format!("case:{case_id}"), &to).await?;
        self.touch().await;
        Ok(())
    }

    /// Links the case numbered `number` (as the case page shows it) to a business.
    pub async fn link_case_number(&self, me: &Principal, enterprise_id: i64, number: &str, now: i64) -> ServiceResult<()> {
        self.grader(me).await?;
        if self.store.enterprise_records(Some(enterprise_id)).await?.is_empty() {
            return Err(ServiceError::NotFound("没有这家企业"));
        }
        let number = number.trim().to_uppercase();
        let Some(case_id) = self.store.link_case_number(&number, enterprise_id).await? else {
            return Err(ServiceError::invalid("number", format!("没有编号为「{number}」的事件")));
        };
        self.store.append_audit(now, &me.username, "case_enterprise", &format!("case:{case_id}"), &format!("enterprise:{enterprise_id}")).await?;
        self.touch().await;
        Ok(())
    }

    /// Draws this year's inspection targets from `seed` under the default rules, and assigns
    /// each two inspectors at random from the members of the inspecting agencies. Audited; the
    /// same businesses, visits and seed always give the same draw.
    pub async fn draw(&self, me: &Principal, year: i32, seed: u64, now: i64) -> ServiceResult<DrawView> {
        self.grader(me).await?;
        let (_, this_year) = year_start(now);
        if year != this_year {
            return Err(ServiceError::invalid("year", format!("只能抽取本年度（{this_year} 年）的检查对象")));
        }
        if let Some(d) = self.store.draws().await?.into_iter().find(|d| d.1 == year) {
            return Err(ServiceError::Conflict(format!("{year} 年度已抽取（种子 {}），每年只抽取一次", d.2)));
        }
        let rules = DrawRules::default();
        let counts = self.store.enterprise_counts(now - 90 * DAY, year_bounds(now), now).await?;
        let candidates: Vec<Candidate> = self
            .store
            .enterprise_records(None)
            .await?
            .iter()
            .map(|e| Candidate { id: e.id, grade: e.grade, visits: counts.get(&e.id).map(|c| c.visits_year).unwrap_or(0) })
            .collect();
        let targets = enterprise::draw(&candidates, &rules, seed);
        let agencies: Vec<i64> = self
            .store
            .boards()
            .await?
            .into_iter()
            .flat_map(|b| b.posts)
            .filter(|p| !zhizhi_shared::enterprise::inspection::items_of(&p.name).is_empty())
            .map(|p| p.id)
            .collect();
        let users = self.store.users().await?;
        let pool: Vec<i64> = users.iter().filter(|u| u.disabled_at.is_none() && u.post_id.is_some_and(|p| agencies.contains(&p))).map(|u| u.id).collect();
        let teams = enterprise::assign(&targets, &pool, 2, seed).map_err(|m| ServiceError::invalid("inspectors", m))?;
        let name = |id: &i64| users.iter().find(|u| u.id == *id).map(|u| u.display_name.clone()).unwrap_or_default();
        let grade: HashMap<i64, CreditRating> = candidates.iter().map(|c| (c.id, c.grade)).collect();
        let rows: Vec<_> = targets.iter().map(|t| (*t, grade[t], teams[t].iter().map(name).collect())).collect();
        let id = self.store.store_draw(year, seed, rules.rates, rules.yearly_cap, &rows, &me.display_name, now).await?;
        self.store.append_audit(now, &me.username, "inspection_draw", &format!("draw:{id}"), &format!("year={year} seed={seed} targets={}", rows.len())).await?;
        self.touch().await;
        self.draw_view(id).await
    }

    async fn draw_briefs(&self) -> ServiceResult<Vec<DrawBrief>> {
        let mut out = Vec::new();
        for (id, year, seed, _, _, by, at) in self.store.draws().await? {
            out.push(self.brief_of(id, year, seed, by, at).await?.0);
        }
        Ok(out)
    }

    async fn brief_of(&self, id: i64, year: i32, seed: u64, drawn_by: String, drawn_at: i64) -> ServiceResult<(DrawBrief, Vec<crate::storage::supervision::DrawTargetRow>)> {
        let targets = self.store.draw_targets(id).await?;
        let mut by_grade = [(0u32, 0u32); 4];
        for e in self.store.enterprise_records(None).await? {
            by_grade[grade_index(e.grade)].0 += 1;
        }
        for (_, g, _) in &targets {
            by_grade[grade_index(*g)].1 += 1;
        }
        Ok((DrawBrief { id, year, seed, drawn_by, drawn_at, targets: targets.len() as u32, by_grade }, targets))
    }

    /// One draw whole.
    async fn draw_view(&self, id: i64) -> ServiceResult<DrawView> {
        let (_, year, seed, rates, cap, by, at) = self.store.draws().await?.into_iter().find(|d| d.0 == id).ok_or(ServiceError::NotFound("没有这次抽取"))?;
        let (brief, targets) = self.brief_of(id, year, seed, by, at).await?;
        let records: HashMap<i64, EnterpriseStored> = self.store.enterprise_records(None).await?.into_iter().map(|e| (e.id, e)).collect();
        let targets = targets
            .into_iter()
            .filter_map(|(e, grade, inspectors)| {
                let r = records.get(&e)?;
                Some(DrawTarget { enterprise_id: e, name: r.name.clone(), credit_code: r.credit_code.clone(), grade: Some(grade), address: r.address.clone(), inspectors })
            })
            .collect();
        Ok(DrawView { brief, rates, yearly_cap: cap, targets })
    }

    /// The draws as the public page shows them (公示): no business's grade, no sign-in needed.
    pub async fn public_draws(&self) -> ServiceResult<Vec<DrawView>> {
        let mut out = Vec::new();
        for (id, ..) in self.store.draws().await? {
            let mut v = self.draw_view(id).await?;
            for t in &mut v.targets {
                t.grade = None;
            }
            // How many of each grade were drawn would tell the grades of small groups.
            v.brief.by_grade = [(0, 0); 4];
            out.push(v);
        }
        Ok(out)
    }

    /// One draw for staff.
    pub async fn draw_of(&self, me: &Principal, id: i64) -> ServiceResult<DrawView> {
        staff(me)?;
        self.draw_view(id).await
    }
}

pub(crate) fn grade_index(g: CreditRating) -> usize {
    match g {
        CreditRating::A => 0,
        CreditRating::B => 1,
        CreditRating::C => 2,
        CreditRating::D => 3,
    }
}

/// A stored business as a list row: masked, with its flags.
fn row(e: EnterpriseStored, c: &Counts, licence_expiries: Vec<Option<i64>>, now: i64) -> EnterpriseRow {
    let facts = Facts { grade: e.grade, cases_90d: c.cases_90d, licence_expiries, failed_inspections: c.failed_year, overdue_rectifications: c.overdue };
    EnterpriseRow {
        flags: enterprise::flags(&facts, now),
        visits_year: c.visits_year,
        legal_rep: mask::name(&e.legal_rep),
        phone: mask::phone(&e.phone),
        id: e.id,
        name: e.name,
        sector: e.sector,
        credit_code: e.credit_code,
        grade: e.grade,
        address: e.address,
        building_id: e.building_id,
        grid_id: Some(e.grid_id),
        grid: e.grid,
        lon: e.lon,
        lat: e.lat,
    }
}
