//! Data import (`/admin/import`): an administrator downloads the template, uploads the filled
//! spreadsheet, follows the progress bar while every row is read and checked, reads the preview
//! (new, updated, unchanged, and every refused row with its reason), and confirms; the write is
//! one transaction with its own progress. The job's id is in the address (`?job=`), so the page
//! can be left and opened again; the last day's jobs are listed below.

use super::AdminFrame;
use crate::api::error_text;
use crate::api::imports::{confirm_import, get_import_job, get_import_jobs};
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use zhizhi_shared::import::{ImportJob, ImportKind, Preview, Stage};
use zhizhi_shared::time::beijing_datetime;

/// `/admin/import`
#[component]
pub fn ImportPage() -> impl IntoView {
    view! { <AdminFrame tab="import" body=Import/> }
}

/// The file input's id.
const FILE_INPUT: &str = "import-file";

#[component]
fn Import() -> impl IntoView {
    let query = use_query_map();
    let job_id = RwSignal::new(query.get_untracked().get("job"));
    let kind = RwSignal::new(query.get_untracked().get("kind").and_then(|k| ImportKind::from_code(&k)).unwrap_or(ImportKind::Residents));
    let tick = RwSignal::new(0u32);
    let error = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let job = Resource::new(move || (job_id.get(), tick.get()), |(id, _)| async move {
        match id {
            Some(id) => get_import_job(id).await.map(Some),
            None => Ok(None),
        }
    });
    let jobs = Resource::new(move || (job_id.get(), tick.get() / 10), |_| get_import_jobs());
    // While the job works on its own, read it again shortly.
    Effect::new(move |_| {
        if let Some(Ok(Some(j))) = job.get() {
            if j.stage.busy() {
                #[cfg(feature = "hydrate")]
                crate::browser::after(400, move || tick.update(|t| *t += 1));
            } else if j.stage != Stage::Failed {
                // Finished stages change the list too.
                jobs.refetch();
            }
        }
    });
    let follow = move |id: String| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("/admin/import?job={id}")));
            }
        }
        job_id.set(Some(id));
    };
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        uploading.set(true);
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/imports?kind={}", kind.get_untracked().code());
            match crate::browser::upload_file(&url, FILE_INPUT).await {
                Ok(Some(text)) => match serde_json::from_str::<ImportJob>(&text) {
                    Ok(j) => follow(j.id),
                    Err(e) => error.set(Some(e.to_string())),
                },
                Ok(None) => error.set(Some(pick("请先选择要导入的文件", "Choose a file first").to_string())),
                Err(e) => error.set(Some(e)),
            }
            uploading.set(false);
        });
    };
    let confirm = move |id: String| {
        leptos::task::spawn_local(async move {
            match confirm_import(id).await {
                Ok(_) => tick.update(|t| *t += 1),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    view! {
        <section class="panel import">
            <h2>{bi("数据导入", "Import data")}</h2>
            <div class="chips" role="radiogroup" aria-label=bi("导入什么", "What to import")>
                {ImportKind::ALL.into_iter().map(|k| {
                    let (zh, en) = k.name();
                    view! { <button type="button" class="chip" role="radio" data-testid=format!("import-kind-{}", k.code()) class:active=move || kind.get() == k
                        aria-checked=move || if kind.get() == k { "true" } else { "false" }
                        on:click=move |_| kind.set(k)>{bi(zh, en)}</button> }
                }).collect_view()}
            </div>
            <p class="note">{move || match kind.get() {
                ImportKind::Residents => bi(
                    "从 Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或 CSV 导入居民及其住户，以身份证号识别同一人：库中已有的按文件更新，没有的新增。先逐行检查并给出预览，确认后一次写入；有任何一行未通过检查，都不会写入。",
                    "Residents and their households from Excel (.xlsx, .xls), .ods or CSV, matched by identity number: those already stored are updated from the file, the others added. Every row is checked first and previewed; confirming writes all in one transaction, and nothing is written while any row is refused."),
                ImportKind::Households => bi(
                    "从 Excel、.ods 或 CSV 导入本街道楼栋中的住户（房屋），以楼栋和房号识别同一户：库中已有的按文件更新楼层和房屋性质（自有、租住），没有的新增。先逐行检查并给出预览，确认后一次写入；有任何一行未通过检查，都不会写入。",
                    "Homes in the street's buildings from Excel, .ods or CSV, matched by building and room number: those already stored get the file's floor and tenure (owned, rented), the others are added. Every row is checked first and previewed; confirming writes all in one transaction, and nothing is written while any row is refused."),
                ImportKind::Staff => bi(
                    "从 Excel、.ods 或 CSV 导入工作人员及其岗位，以手机号识别同一人：库中已有的按文件更新姓名、岗位和职责，没有的新增；没有的岗位按所填板块新建。账号在「账号管理」中另行开通。有任何一行未通过检查，都不会写入。",
                    "Staff and their posts from Excel, .ods or CSV, matched by mobile: those already stored get the file's name, post and duty, the others are added; a post the street lacks is created on the board the row names. Accounts are opened under Accounts. Nothing is written while any row is refused."),
                ImportKind::Enterprises => bi(
                    "从 Excel、.ods 或 CSV 导入企业商户，以统一社会信用代码识别同一家：库中已有的按文件更新（信用等级的调整记入该企业的等级记录），没有的新增；许可证按名称新增或更新。先逐行检查并给出预览，确认后一次写入；有任何一行未通过检查，都不会写入。",
                    "Businesses from Excel, .ods or CSV, matched by unified social credit code: those already stored are updated from the file (a grade change goes into the business's grade history), the others added; licences are added or renewed by name. Every row is checked first and previewed; confirming writes all in one transaction, and nothing is written while any row is refused."),
            }}</p>
            <form class="grid-form import-form" on:submit=upload data-testid="import-form" data-ready=move || ready.get().then_some("1")>
                <a class="act" href=move || format!("/api/v1/import-templates/{}", kind.get().code()) download data-testid="import-template">
                    {move || { let (zh, en) = kind.get().name(); pick(&format!("下载{zh}模板"), &format!("Download the {en} template")).to_string() }}</a>
                <label><span>{bi("选择文件", "File")}</span>
                    <input type="file" id=FILE_INPUT data-testid="import-file" accept=".xlsx,.xls,.ods,.csv"/></label>
                <button type="submit" class="act primary" data-testid="import-upload" disabled=move || uploading.get()>
                    {move || if uploading.get() { bi("上传中…", "Uploading…") } else { bi("上传并检查", "Upload and check") }}</button>
            </form>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="import-error">{e}</p> })}
        </section>
        <Transition fallback=|| ()>
            {move || job.get().map(|r| match r {
                Ok(Some(j)) => job_panel(j, confirm).into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <p class="form-error" role="alert">{error_text(&e)}</p> }.into_any(),
            })}
        </Transition>
        <section class="panel">
            <h2>{bi("近 24 小时的导入", "Imports of the last day")}</h2>
            <Transition fallback=|| ()>
                {move || jobs.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{bi("还没有导入。下载模板，填好后上传。", "No imports yet. Download the template, fill it in and upload it.")}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="data" data-testid="import-jobs">
                            <thead><tr><th>{bi("时间", "When")}</th><th>{bi("类型", "Kind")}</th><th>{bi("文件", "File")}</th><th>{bi("操作人", "By")}</th><th>{bi("状态", "Status")}</th></tr></thead>
                            <tbody>{list.into_iter().map(|j| {
                                let (zh, en) = j.stage.name();
                                let refused = j.preview.as_ref().map_or(0, |p| p.refused.len());
                                let status = if j.stage == Stage::Ready && refused > 0 {
                                    pick(&format!("{refused} 行未通过，未写入"), &format!("{refused} rows refused, nothing written")).to_string()
                                } else {
                                    pick(zh, en).to_string()
                                };
                                let href = format!("/admin/import?job={}", j.id);
                                let id = j.id.clone();
                                view! { <tr>
                                    <td>{beijing_datetime(j.created_at_ms)}</td>
                                    <td>{{ let (zh, en) = j.kind.name(); bi(zh, en) }}</td>
                                    <td><a href=href on:click=move |ev| { ev.prevent_default(); follow(id.clone()); }>{j.file_name}</a></td>
                                    <td>{j.by}</td>
                                    <td>{status}</td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// A job: its progress, then its preview and the confirmation, then its result.
fn job_panel(job: ImportJob, confirm: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let (zh, en) = job.stage.name();
    let percent = job.percent();
    let busy = job.stage.busy();
    let counted = if busy { format!("{} / {}", job.done, job.total) } else { String::new() };
    let id = job.id.clone();
    let stage = match job.stage {
        Stage::Reading => "reading",
        Stage::Checking => "checking",
        Stage::Ready => "ready",
        Stage::Writing => "writing",
        Stage::Done => "done",
        Stage::Failed => "failed",
    };
    let preview = job.preview.clone();
    let kind = job.kind;
    let finished = job.stage == Stage::Done;
    let can_confirm = job.stage == Stage::Ready && preview.as_ref().is_some_and(|p| p.refused.is_empty() && p.new + p.updated > 0);
    let nothing = job.stage == Stage::Ready && preview.as_ref().is_some_and(|p| p.refused.is_empty() && p.new + p.updated == 0);
    view! {
        <section class="panel import-job" data-testid="import-job" data-stage=stage>
            <h2>{job.file_name.clone()} <small class="note">{beijing_datetime(job.created_at_ms)}{" · "}{job.by.clone()}</small></h2>
            <div class="import-progress">
                <progress max="100" value=percent data-testid="import-progress" aria-label=bi("导入进度", "Import progress")></progress>
                <span data-testid="import-stage">{bi(zh, en)}{" "}{percent}{"%"}{" "}{counted}</span>
            </div>
            {job.error.clone().map(|e| view! { <p class="form-error" role="alert" data-testid="import-job-error">{e}</p> })}
            {preview.map(|p| preview_view(p, kind, finished))}
            {can_confirm.then(|| {
                let id = id.clone();
                view! { <button type="button" class="act primary" data-testid="import-confirm" on:click=move |_| confirm(id.clone())>
                    {bi("确认导入", "Confirm the import")}</button> }
            })}
            {nothing.then(|| view! { <p class="form-ok" role="status" data-testid="import-nothing">
                {bi("文件与库中数据一致，没有需要写入的内容。", "The file matches what is stored: nothing to write.")}</p> })}
            {finished.then(|| view! { <p class="form-ok" role="status" data-testid="import-done">
                {match kind {
                    ImportKind::Residents => bi("已导入，一次写入完成；每位被更新的居民都记入了审计日志。", "Imported in one transaction; every updated resident is in the audit log."),
                    ImportKind::Enterprises => bi("已导入，一次写入完成；每家被更新的企业都记入了审计日志，等级调整记入了等级记录。", "Imported in one transaction; every updated business is in the audit log and every grade change in its history."),
                    ImportKind::Households => bi("已导入，一次写入完成；每户被更新的住户都记入了审计日志。", "Imported in one transaction; every updated household is in the audit log."),
                    ImportKind::Staff => bi("已导入，一次写入完成；每位被更新的工作人员都记入了审计日志。", "Imported in one transaction; every updated member of staff is in the audit log."),
                }}</p> })}
        </section>
    }
}

fn preview_view(p: Preview, kind: ImportKind, done: bool) -> impl IntoView {
    let refused = p.refused.len();
    let (unit, who) = match kind {
        ImportKind::Residents => (("人", "residents"), ("居民", "Resident")),
        ImportKind::Enterprises => (("家", "businesses"), ("企业", "Business")),
        ImportKind::Households => (("户", "households"), ("住户", "Household")),
        ImportKind::Staff => (("人", "staff"), ("人员", "Person")),
    };
    let posts = (kind == ImportKind::Staff).then_some(p.new_posts);
    let households = kind == ImportKind::Residents;
    let bad = refused > 0;
    let count = |n: usize, unit: (&'static str, &'static str)| format!("{n} {}", pick(unit.0, unit.1));
    let heads = if done { ("已新增", "Added") } else { ("将新增", "To add") };
    let updates = if done { ("已更新", "Updated") } else { ("将更新", "To update") };
    view! {
        <dl class="import-counts" data-testid="import-preview">
            <div><dt>{bi("读取", "Rows")}</dt><dd data-testid="preview-rows">{count(p.rows, ("行", "rows"))}</dd></div>
            <div><dt>{bi(heads.0, heads.1)}</dt><dd data-testid="preview-new">{count(p.new, unit)}</dd></div>
            <div><dt>{bi(updates.0, updates.1)}</dt><dd data-testid="preview-updated">{count(p.updated, unit)}</dd></div>
            <div><dt>{bi("未变", "Unchanged")}</dt><dd data-testid="preview-unchanged">{count(p.unchanged, unit)}</dd></div>
            {households.then(|| view! { <div><dt>{bi("新建住户", "New households")}</dt><dd>{count(p.new_households, ("户", "households"))}</dd></div> })}
            {posts.map(|n| view! { <div><dt>{bi("新建岗位", "New posts")}</dt><dd data-testid="preview-posts">{count(n, ("个", "posts"))}</dd></div> })}
            <div class:bad=bad><dt>{bi("未通过", "Refused")}</dt><dd data-testid="preview-refused">{count(refused, ("行", "rows"))}</dd></div>
        </dl>
        {bad.then(|| view! {
            <p class="form-error" role="alert">{pick(
                &format!("有 {refused} 行未通过检查，没有写入任何数据。请按下面的原因改正文件后重新上传。"),
                &format!("{refused} rows were refused and nothing was written. Correct the file as listed below and upload it again.")).to_string()}</p>
            <ol class="import-refusals" data-testid="import-refusals">
                {p.refused.iter().map(|r| view! { <li>{r.words()}</li> }).collect_view()}
            </ol>
        })}
        {(!p.changes.is_empty()).then(|| view! {
            <table class="data import-changes" data-testid="import-changes">
                <thead><tr><th>{bi("行", "Row")}</th><th>{bi(who.0, who.1)}</th><th>{bi("变更", "Changes")}</th></tr></thead>
                <tbody>{p.changes.iter().map(|c| view! { <tr><td>{c.line}</td><td>{c.who.clone()}</td><td>{c.fields.join(pick("、", ", "))}</td></tr> }).collect_view()}</tbody>
            </table>
        })}
    }
}
