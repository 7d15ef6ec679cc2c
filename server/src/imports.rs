//! The import service: a street's own data in from a spreadsheet, as a job an administrator
//! follows. Upload → the file is read and every row checked against the rules and the
//! database (a preview: new, updated, unchanged, refused with the reason in words) → the
//! administrator confirms → one transaction writes it, with an audit entry per updated record
//! and one for the import. Nothing is written while any row is refused; a second import of the
//! same file finds everything unchanged and writes nothing.
//!
//! Jobs live in this server copy's memory for a day (a page left and opened again finds its
//! job by id); the data they write is in the database like everything else.

pub mod read;

use crate::auth::new_token;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::people::ImportAudit;
use crate::storage::Store;
use crate::xlsx::{Cell, Sheet};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::import::{enterprises, households, match_headers, residents, staff, ImportJob, ImportKind, Preview, Refusal, Stage};

/// The largest file accepted.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 200_000;
/// How long a job is kept.
const KEEP_MS: i64 = 24 * 3600 * 1000;

struct Job {
    view: Mutex<ImportJob>,
    /// Rows handled in the current stage (the writer counts here too).
    done: AtomicUsize,
    /// The checked rows, kept for the write.
    rows: Mutex<Option<Arc<Rows>>>,
}

/// The checked rows of a file, of its kind.
enum Rows {
    Residents(Vec<Result<residents::Row, Refusal>>),
    Enterprises(Vec<Result<enterprises::Row, Refusal>>),
    Households(Vec<Result<households::Row, Refusal>>),
    Staff(Vec<Result<staff::Row, Refusal>>),
}

/// What a checked file writes.
enum Planned {
    Residents(residents::Write),
    Enterprises(enterprises::Write),
    Households(households::Write),
    Staff(staff::Write),
}

impl Planned {
    fn is_empty(&self) -> bool {
        match self {
            Planned::Residents(w) => w.inserts.is_empty() && w.updates.is_empty(),
            Planned::Enterprises(w) => w.inserts.is_empty() && w.updates.is_empty(),
            Planned::Households(w) => w.inserts.is_empty() && w.updates.is_empty(),
            Planned::Staff(w) => w.inserts.is_empty() && w.updates.is_empty(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Planned::Residents(w) => w.inserts.len() + w.updates.len(),
            Planned::Enterprises(w) => w.inserts.len() + w.updates.len(),
            Planned::Households(w) => w.inserts.len() + w.updates.len(),
            Planned::Staff(w) => w.inserts.len() + w.updates.len(),
        }
    }
}

/// Runs a plan on a blocking thread, its progress counted as the second half of the job's
/// checking stage.
async fn off_thread<T: Send + 'static>(job: &Arc<Job>, total: usize, plan: impl FnOnce(&dyn Fn(usize)) -> T + Send + 'static) -> Result<T, tokio::task::JoinError> {
    let job = job.clone();
    let half = total / 2;
    tokio::task::spawn_blocking(move || plan(&|n| job.done.store(half + n / 2, Ordering::Relaxed))).await
}

/// Checks every row of a table with `check`, counting into the job.
fn check_all<R>(
    worker: &Job,
    table: read::Table,
    columns: &[zhizhi_shared::import::Column],
    check: fn(usize, &[Option<String>]) -> Result<R, Refusal>,
) -> Result<Vec<Result<R, Refusal>>, String> {
    let positions = match_headers(columns, &table.headers)?;
    worker.stage(Stage::Checking, table.rows.len());
    let mut rows = Vec::with_capacity(table.rows.len());
    for (i, (line, cells)) in table.rows.into_iter().enumerate() {
        let cells: Vec<Option<String>> = positions.iter().map(|p| p.map(|p| cells.get(p).cloned().unwrap_or_default())).collect();
        rows.push(check(line, &cells));
        if i % 500 == 0 {
            worker.done.store(i / 2, Ordering::Relaxed);
        }
    }
    Ok(rows)
}

impl Job {
    fn snapshot(&self) -> ImportJob {
        let mut v = self.view.lock().expect("import job lock").clone();
        if v.stage.busy() {
            v.done = self.done.load(Ordering::Relaxed).min(v.total);
        }
        v
    }

    fn set(&self, f: impl FnOnce(&mut ImportJob)) {
        f(&mut self.view.lock().expect("import job lock"));
    }

    fn stage(&self, stage: Stage, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.set(|v| {
            v.stage = stage;
            v.total = total;
            v.done = 0;
        });
    }

    fn fail(&self, error: String) {
        self.set(|v| {
            v.stage = Stage::Failed;
            v.error = Some(error);
        });
    }
}

/// Imports over a store.
pub struct Imports {
    store: Arc<dyn Store>,
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    /// One write at a time in this server copy.
    writing: tokio::sync::Mutex<()>,
}

fn require_admin(me: &Principal) -> ServiceResult<()> {
    if me.may_administer() { Ok(()) } else { Err(ServiceError::Forbidden) }
}

impl Imports {
    pub fn new(store: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Imports { store, jobs: Mutex::default(), writing: tokio::sync::Mutex::new(()) })
    }

    fn get(&self, id: &str) -> ServiceResult<Arc<Job>> {
        self.jobs.lock().expect("import jobs lock").get(id).cloned().ok_or(ServiceError::NotFound("没有这个导入任务（任务保留 24 小时）"))
    }

    /// Starts an import of `bytes` (administrators): the job, reading and checking in the
    /// background.
    pub fn start(self: &Arc<Self>, me: &Principal, kind: ImportKind, file_name: &str, bytes: Vec<u8>, now: i64) -> ServiceResult<ImportJob> {
        require_admin(me)?;
        if bytes.is_empty() {
            return Err(ServiceError::invalid("file", "没有收到文件，请选择要导入的表格"));
        }
        if bytes.len() > MAX_BYTES {
            return Err(ServiceError::TooLarge(format!("文件超过 {} MB，请分成几个文件导入", MAX_BYTES >> 20)));
        }
        let file_name: String = file_name.trim().chars().filter(|c| !c.is_control()).take(100).collect();
        let view = ImportJob {
            id: new_token()[..24].to_string(),
            kind,
            file_name: if file_name.is_empty() { "未命名文件".into() } else { file_name },
            by: me.username.clone(),
            created_at_ms: now,
            stage: Stage::Reading,
            done: 0,
            total: 1,
            preview: None,
            error: None,
            finished_at_ms: None,
        };
        let job = Arc::new(Job { view: Mutex::new(view.clone()), done: AtomicUsize::new(0), rows: Mutex::new(None) });
        {
            let mut jobs = self.jobs.lock().expect("import jobs lock");
            jobs.retain(|_, j| j.snapshot().created_at_ms > now - KEEP_MS);
            jobs.insert(view.id.clone(), job.clone());
        }
        let this = self.clone();
        tokio::spawn(async move { this.check(job, bytes).await });
        Ok(view)
    }

    async fn check(&self, job: Arc<Job>, bytes: Vec<u8>) {
        let worker = job.clone();
        let kind = job.view.lock().expect("import job lock").kind;
        let checked = tokio::task::spawn_blocking(move || -> Result<Rows, String> {
            let table = read::read(&bytes)?;
            if table.rows.len() > MAX_ROWS {
                return Err(format!("文件有 {} 行，一次最多导入 {MAX_ROWS} 行，请分成几个文件", table.rows.len()));
            }
            Ok(match kind {
                ImportKind::Residents => Rows::Residents(check_all(&worker, table, &residents::COLUMNS, residents::check_row)?),
                ImportKind::Enterprises => Rows::Enterprises(check_all(&worker, table, &enterprises::COLUMNS, enterprises::check_row)?),
                ImportKind::Households => Rows::Households(check_all(&worker, table, &households::COLUMNS, households::check_row)?),
                ImportKind::Staff => Rows::Staff(check_all(&worker, table, &staff::COLUMNS, staff::check_row)?),
            })
        })
        .await
        .unwrap_or_else(|e| Err(format!("检查中断：{e}")));
        let rows = match checked {
            Ok(rows) => Arc::new(rows),
            Err(e) => return job.fail(e),
        };
        match self.plan(&job, &rows).await {
            Ok((preview, _)) => {
                // A file with refused rows can never be confirmed: its rows are not kept.
                if preview.refused.is_empty() {
                    *job.rows.lock().expect("import rows lock") = Some(rows);
                }
                job.set(|v| {
                    v.stage = Stage::Ready;
                    v.done = v.total;
                    v.preview = Some(preview);
                });
            }
            Err(e) => job.fail(format!("读取库中数据失败，请稍后重试：{e}")),
        }
    }

    /// Compares the checked rows with the database as it is now.
    async fn plan(&self, job: &Arc<Job>, rows: &Arc<Rows>) -> ServiceResult<(Preview, Planned)> {
        let planned = match &**rows {
            Rows::Residents(rows) => {
                let (stored, rows) = (self.store.people_snapshot().await?, rows.clone());
                off_thread(job, rows.len(), move |progress| residents::plan(rows, &stored, progress)).await.map(|(p, w)| (p, Planned::Residents(w)))
            }
            Rows::Enterprises(rows) => {
                let (stored, rows) = (self.store.enterprises_snapshot().await?, rows.clone());
                off_thread(job, rows.len(), move |progress| enterprises::plan(rows, &stored, progress)).await.map(|(p, w)| (p, Planned::Enterprises(w)))
            }
            Rows::Households(rows) => {
                let (stored, rows) = (self.store.people_snapshot().await?, rows.clone());
                off_thread(job, rows.len(), move |progress| households::plan(rows, &stored.buildings, &stored.households, progress)).await.map(|(p, w)| (p, Planned::Households(w)))
            }
            // A street's staff are a few hundred: planned here.
            Rows::Staff(rows) => Ok(staff::plan(rows.clone(), &self.store.staff_snapshot().await?)).map(|(p, w)| (p, Planned::Staff(w))),
        };
        planned.map_err(|e| ServiceError::Unavailable(format!("导入检查中断：{e}")))
    }

    /// One job (administrators).
    pub fn job(&self, me: &Principal, id: &str) -> ServiceResult<ImportJob> {
        require_admin(me)?;
        Ok(self.get(id)?.snapshot())
    }

    /// The jobs of the last day, newest first (administrators).
    pub fn jobs(&self, me: &Principal) -> ServiceResult<Vec<ImportJob>> {
        require_admin(me)?;
        let mut all: Vec<ImportJob> = self.jobs.lock().expect("import jobs lock").values().map(|j| j.snapshot()).collect();
        all.sort_by(|a, b| b.created_at_ms.cmp(&a.created_at_ms).then_with(|| b.id.cmp(&a.id)));
        Ok(all)
    }

    /// Confirms a checked import (administrators): the write starts. Refused while any row is
    /// refused, or when the job is not waiting for confirmation.
    pub fn confirm(self: &Arc<Self>, me: &Principal, id: &str, now: i64) -> ServiceResult<ImportJob> {
        require_admin(me)?;
        let job = self.get(id)?;
        {
            let mut v = job.view.lock().expect("import job lock");
            if v.stage != Stage::Ready {
                return Err(ServiceError::Conflict(format!("这个导入任务{}，不能确认", v.stage.name().0)));
            }
            let refused = v.preview.as_ref().map_or(0, |p| p.refused.len());
            if refused > 0 {
                return Err(ServiceError::Conflict(format!("有 {refused} 行未通过检查，请改正后重新上传；没有写入任何数据")));
            }
            v.stage = Stage::Writing;
            v.error = None;
        }
        let (this, by, worker) = (self.clone(), (me.username.clone(), me.display_name.clone()), job.clone());
        tokio::spawn(async move { this.write(worker, by, now).await });
        Ok(job.snapshot())
    }

    async fn write(&self, job: Arc<Job>, (by, display): (String, String), now: i64) {
        let _one = self.writing.lock().await;
        let Some(rows) = job.rows.lock().expect("import rows lock").clone() else { return job.fail("任务已没有待写入的数据".into()) };
        let (preview, write) = match self.plan(&job, &rows).await {
            Ok(p) => p,
            Err(e) => return job.fail(format!("读取库中数据失败，没有写入任何数据：{e}")),
        };
        let before = job.snapshot().preview;
        if before.as_ref() != Some(&preview) {
            // Someone changed the data since the preview: show what the import would do now.
            let refused = !preview.refused.is_empty();
            return job.set(|v| {
                v.stage = Stage::Ready;
                v.preview = Some(preview);
                v.error = Some(if refused { "确认前库中数据已有变化，现有行未通过检查；没有写入任何数据".into() } else { "确认前库中数据已有变化，预览已按最新数据更新，请核对后再次确认".into() });
            });
        }
        let (file, job_id, kind) = job.view.lock().map(|v| (v.file_name.clone(), v.id.clone(), v.kind)).expect("import job lock");
        job.stage(Stage::Writing, write.len());
        let mut summary = format!("导入{}《{file}》：{} 行，新增 {}，更新 {}，未变 {}", kind.name().0, preview.rows, preview.new, preview.updated, preview.unchanged);
        if kind == ImportKind::Residents {
            summary += &format!("，新建住户 {}", preview.new_households);
        }
        if kind == ImportKind::Staff {
            summary += &format!("，新建岗位 {}", preview.new_posts);
        }
        let audit = ImportAudit { actor: by, target: format!("import:{job_id}"), summary, file: format!("《{file}》"), display, now };
        let result = match write {
            _ if write.is_empty() => {
                let action = format!("import_{}", kind.code());
                self.store.append_audit(now, &audit.actor, &action, &audit.target, &audit.summary).await.map(|_| ())
            }
            Planned::Residents(w) => self.store.write_residents(&w, &audit, &job.done).await,
            Planned::Enterprises(w) => self.store.write_enterprises(&w, &audit, &job.done).await,
            Planned::Households(w) => self.store.write_households(&w, &audit, &job.done).await,
            Planned::Staff(w) => self.store.write_staff(&w, &audit, &job.done).await,
        };
        match result {
            Ok(()) => {
                *job.rows.lock().expect("import rows lock") = None;
                job.set(|v| {
                    v.stage = Stage::Done;
                    v.done = v.total;
                    v.finished_at_ms = Some(crate::auth::now_ms());
                });
            }
            Err(e) => job.fail(format!("写入失败，没有写入任何数据：{e}")),
        }
    }

    /// The template of `kind`: the headers (required ones starred), one example row (with a
    /// building of this street as its address) and a sheet of notes. Its file name.
    pub async fn template(&self, me: &Principal, kind: ImportKind) -> ServiceResult<(String, Vec<u8>)> {
        require_admin(me)?;
        let columns = kind.columns();
        let address = self.store.people_snapshot().await?.buildings.into_iter().min_by_key(|b| b.id).map(|b| b.address);
        let (zh, _) = kind.name();
        let book = template_book(zh, columns, |c| match (c.zh, &address) {
            ("地址", Some(a)) => Some(a.clone()),
            _ => None,
        });
        Ok((format!("{zh}导入模板.xlsx"), book))
    }
}

/// A template workbook: the headers (required ones starred), one example row (`example` may
/// put a value of this street in a column) and a sheet of notes.
pub fn template_book(name: &str, columns: &[zhizhi_shared::import::Column], example: impl Fn(&zhizhi_shared::import::Column) -> Option<String>) -> Vec<u8> {
    let header: Vec<Cell> = columns.iter().map(|c| Cell::from(if c.required { format!("{}*", c.zh) } else { c.zh.to_string() })).collect();
    let row: Vec<Cell> = columns.iter().map(|c| example(c).map(Cell::from).unwrap_or_else(|| Cell::from(c.example))).collect();
    let mut notes = vec![vec![Cell::from("列名"), Cell::from("英文列名"), Cell::from("必填"), Cell::from("说明")]];
    notes.push(vec!["第 2 行是示例，请删除或改写；带 * 的列必填；列的顺序可以调整，列名中文、英文都认".into(), "".into(), "".into(), "".into()]);
    for c in columns {
        notes.push(vec![c.zh.into(), c.en.into(), if c.required { "是" } else { "否" }.into(), c.hint.into()]);
    }
    crate::xlsx::workbook(&[Sheet { name: name.to_string(), rows: vec![header, row] }, Sheet { name: "填写说明".into(), rows: notes }])
}
