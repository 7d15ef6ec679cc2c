//! One joint inspection (`/inspections/{id}`), usable on an inspector's phone: the items each
//! agency checks (added while it is drafted; none twice), the time, the district's approval or
//! return, the visit with each agency's checklist (合格 / 不合格 with what was found), the combined
//! result notice (组团式执法结果告知单, printable) with rectification requirements and deadlines,
//! rectification item by item with its evidence, the re-inspection, and the log of every step.

use super::stage_chip;
use crate::api::error_text;
use crate::api::supervision::{get_inspection, supervise};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::short_time;
use crate::components::nav::BottomNav;
use crate::components::user_menu::UserMenu;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::enterprise::inspection::{ItemCheck, Outcome, Requirement, Stage, CATALOGUE};
use zhizhi_shared::enterprise::view::{InspectionView, ItemView, SupervisionAction};

const DAY: i64 = 86_400_000;

/// The page at `/inspections/{id}`.
#[component]
pub fn InspectionPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Screen me/> }/> }
}

#[component]
fn Screen(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, get_inspection);
    let me2 = me.clone();
    view! {
        <div class="screen page">
            <header class="phone-top no-print">
                <a class="back" href="/enterprises" data-testid="back">{bi("‹ 企业监管", "‹ Enterprises")}</a>
                <h1>{bi("综合查一次", "Joint inspection")}</h1>
                <UserMenu me/>
            </header>
            <main class="page-main insp-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(v) => view! { <Live me=me2.clone() view=v/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
            <BottomNav/>
        </div>
    }
}

/// The inspection as it stands, and a way to act on it.
#[derive(Clone, Copy)]
struct Insp {
    v: RwSignal<InspectionView>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Insp {
    fn reload(self) {
        let id = self.v.with_untracked(|v| v.brief.id);
        spawn_local(async move {
            // Reads may answer out of order (an action's and a live event's): never go back.
            if let Ok(x) = get_inspection(id).await
                && x.version >= self.v.with_untracked(|v| v.version)
            {
                self.v.set(x);
            }
        });
    }

    fn act(self, a: SupervisionAction, done: impl FnOnce() + 'static) {
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            match supervise(a).await {
                Ok(_) => {
                    done();
                    self.reload();
                }
                Err(e) => self.error.set(Some(error_text(&e))),
            }
            self.busy.set(false);
        });
    }

    fn id(self) -> i64 {
        self.v.with_untracked(|v| v.brief.id)
    }
}

/// `YYYY-MM-DDTHH:MM` in Beijing time as epoch ms.
fn parse_local(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, dd) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|x| x.parse::<i64>().ok());
    let (h, min) = (t.next()??, t.next()??);
    Some(zhizhi_shared::time::beijing_midnight(y, m as u32, dd as u32) + h * 3_600_000 + min * 60_000)
}

#[component]
fn Live(me: Principal, view: InspectionView) -> impl IntoView {
    let f = Insp { v: RwSignal::new(view), error: RwSignal::new(None), busy: RwSignal::new(false) };
    let connected = RwSignal::new(false);
    browser::follow_topic("supervision", connected, move || f.reload());
    let district = me.has(Role::Approver);
    let stage = move || f.v.with(|v| v.brief.stage);
    view! {
        <section class="insp" data-testid="inspection" data-live=move || connected.get().then_some("1")>
            {move || head(&f.v.get())}
            {move || f.error.get().map(|e| view! { <p class="form-error no-print" role="alert" data-testid="insp-error">{e}</p> })}
            {move || stage().editable().then(|| view! { <Plan f/> })}
            {move || (stage() == Stage::Submitted && district).then(|| view! { <Approval f/> })}
            {move || (stage() == Stage::Approved).then(|| view! {
                <div class="panel no-print">
                    <button class="btn primary big" data-testid="insp-start" disabled=move || f.busy.get()
                        on:click=move |_| f.act(SupervisionAction::Start { inspection_id: f.id() }, || ())>{bi("进门检查（各部门同时开始）", "Enter: all agencies start together")}</button>
                </div>
            })}
            <Items f/>
            {move || (stage() == Stage::Inspecting).then(|| view! { <NoticeForm f/> })}
            {move || f.v.get().noticed_at.map(|_| notice(&f.v.get()))}
            <div class="panel no-print">
                <h3>{bi("办理记录", "Log")}</h3>
                <ol class="insp-log" data-testid="insp-log">
                    {move || f.v.get().log.into_iter().map(|(at, by, what)| view! { <li><small>{short_time(at)}" · "{by}</small>" "{what}</li> }).collect_view()}
                </ol>
            </div>
        </section>
    }
}

fn head(v: &InspectionView) -> impl IntoView + use<> {
    let b = &v.brief;
    view! {
        <div class="panel insp-head no-print">
            <h2><a href=format!("/enterprises/{}", b.enterprise_id) data-testid="insp-enterprise">{b.enterprise.clone()}</a>" "{stage_chip(b.stage)}</h2>
            <p>{bi("牵头部门：", "Lead: ")}{b.lead_post.clone()}" · "{bi("参加部门：", "Agencies: ")}<span data-testid="insp-posts">{b.posts.join(pick("、", ", "))}</span></p>
            <p data-testid="insp-time">{bi("检查时间：", "Time: ")}{b.scheduled_at.map(short_time).unwrap_or_else(|| pick("未定", "Not set").to_string())}</p>
            {(!v.approved_by.is_empty()).then(|| view! { <p data-testid="insp-approved">{bi("审批：", "Approved: ")}{v.approved_by.clone()}" · "{v.approved_at.map(short_time)}</p> })}
            {(!v.return_reason.is_empty() && b.stage == Stage::Returned).then(|| view! { <p class="form-error" data-testid="insp-returned">{bi("退回理由：", "Returned: ")}{v.return_reason.clone()}</p> })}
        </div>
    }
}

/// Drafting: items per agency, the time, sending for approval.
#[component]
fn Plan(f: Insp) -> impl IntoView {
    let post = RwSignal::new(CATALOGUE[0].0.to_string());
    let item = RwSignal::new(String::new());
    let at = RwSignal::new(String::new());
    let add = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        f.act(SupervisionAction::AddItem { inspection_id: f.id(), post: post.get_untracked(), item: item.get_untracked() }, move || item.set(String::new()));
    };
    let schedule = move |_| match parse_local(&at.get_untracked()) {
        Some(t) => f.act(SupervisionAction::Schedule { inspection_id: f.id(), scheduled_at: t }, || ()),
        None => f.error.set(Some(pick("请选择检查的日期和时间", "Choose the date and time").to_string())),
    };
    view! {
        <div class="panel no-print" data-testid="insp-plan">
            <h3>{bi("检查事项（同一事项只由一个部门检查）", "Items (each checked by one agency only)")}</h3>
            <form class="row-actions" on:submit=add>
                <select data-testid="item-post" on:change=move |e| post.set(event_target_value(&e))>
                    {CATALOGUE.iter().map(|(p, _)| view! { <option value=*p>{*p}</option> }).collect_view()}
                </select>
                <input type="text" list="catalogue" maxlength="60" data-testid="item-text" placeholder=bi("从清单选择或填写", "Pick from the list or type")
                    prop:value=move || item.get() on:input=move |e| item.set(event_target_value(&e))/>
                <datalist id="catalogue">
                    {move || {
                        let p = post.get();
                        zhizhi_shared::enterprise::inspection::items_of(&p).iter().map(|i| view! { <option value=*i/> }).collect_view()
                    }}
                </datalist>
                <button class="btn" type="submit" data-testid="item-add" disabled=move || f.busy.get()>{bi("添加", "Add")}</button>
            </form>
            <div class="row-actions">
                <input type="datetime-local" data-testid="insp-at" prop:value=move || at.get() on:input=move |e| at.set(event_target_value(&e))/>
                <button class="btn" data-testid="insp-schedule" disabled=move || f.busy.get() on:click=schedule>{bi("确定检查时间", "Set the time")}</button>
                <button class="btn primary" data-testid="insp-submit" disabled=move || f.busy.get()
                    on:click=move |_| f.act(SupervisionAction::Submit { inspection_id: f.id() }, || ())>{bi("报区司法局审批", "Send for district approval")}</button>
            </div>
        </div>
    }
}

/// The district's approval or return.
#[component]
fn Approval(f: Insp) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    view! {
        <div class="panel no-print" data-testid="insp-approval">
            <h3>{bi("区司法局审批", "District approval")}</h3>
            <div class="row-actions">
                <button class="btn primary" data-testid="insp-approve" disabled=move || f.busy.get()
                    on:click=move |_| f.act(SupervisionAction::Approve { inspection_id: f.id() }, || ())>{bi("批准", "Approve")}</button>
                <input type="text" maxlength="200" data-testid="insp-return-reason" placeholder=bi("退回理由", "Reason to return")
                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                <button class="btn" data-testid="insp-return" disabled=move || f.busy.get()
                    on:click=move |_| f.act(SupervisionAction::Return { inspection_id: f.id(), reason: reason.get_untracked() }, move || reason.set(String::new()))>{bi("退回", "Return")}</button>
            </div>
        </div>
    }
}

/// The items, grouped by agency, with what each stage asks of them.
#[component]
fn Items(f: Insp) -> impl IntoView {
    view! {
        <div class="panel no-print" data-testid="insp-items">
            <h3>{bi("检查清单", "Checklist")}</h3>
            {move || {
                let v = f.v.get();
                if v.items.is_empty() {
                    return view! { <p class="empty">{bi("还没有检查事项：各部门从清单中添加本部门要查的事项。", "No items yet: each agency adds what it will check.")}</p> }.into_any();
                }
                let mut posts: Vec<String> = Vec::new();
                for t in &v.items {
                    if !posts.contains(&t.post) {
                        posts.push(t.post.clone());
                    }
                }
                posts.into_iter().map(|p| {
                    let items: Vec<ItemView> = v.items.iter().filter(|t| t.post == p).cloned().collect();
                    let stage = v.brief.stage;
                    view! {
                        <div class="insp-post">
                            <h4>{p.clone()}</h4>
                            {items.into_iter().map(|t| view! { <ItemCard f t stage/> }).collect_view()}
                        </div>
                    }
                }).collect_view().into_any()
            }}
        </div>
    }
}

#[component]
fn ItemCard(f: Insp, t: ItemView, stage: Stage) -> impl IntoView {
    let finding = RwSignal::new(t.finding.clone());
    let evidence = RwSignal::new(String::new());
    let id = t.id;
    let result = match t.outcome {
        Outcome::Pending => None,
        Outcome::Pass => Some(("pass", pick("合格", "Pass").to_string())),
        Outcome::Fail => Some(("fail", pick("不合格", "Fail").to_string())),
    };
    let check = move |outcome: Outcome| f.act(SupervisionAction::Check { inspection_id: f.id(), check: ItemCheck { item_id: id, outcome, finding: finding.get_untracked() } }, || ());
    let rectified = t.rectified_at;
    view! {
        <div class=format!("insp-item{}", if t.overdue { " overdue" } else { "" }) data-testid="insp-item" data-item=t.item.clone()>
            <div class="insp-item-head">
                <strong>{t.item.clone()}</strong>
                {result.map(|(c, txt)| view! { <span class=format!("chip res-{c}") data-testid="item-result">{txt}</span> })}
                {t.overdue.then(|| view! { <span class="chip sev-red" data-testid="item-overdue">{bi("整改逾期", "Overdue")}</span> })}
                {stage.editable().then(|| view! {
                    <button class="btn small" data-testid="item-remove" on:click=move |_| f.act(SupervisionAction::RemoveItem { inspection_id: f.id(), item_id: id }, || ())>{bi("删除", "Remove")}</button>
                })}
            </div>
            {(!t.finding.is_empty()).then(|| view! { <p class="finding">{bi("发现问题：", "Found: ")}{t.finding.clone()}</p> })}
            {(stage == Stage::Inspecting).then(|| view! {
                <div class="check-row">
                    <input type="text" maxlength="500" data-testid="item-finding" placeholder=bi("不合格时写明发现的问题", "What was found (for a failure)")
                        prop:value=move || finding.get() on:input=move |e| finding.set(event_target_value(&e))/>
                    <button class="btn big pass" data-testid="item-pass" disabled=move || f.busy.get() on:click=move |_| check(Outcome::Pass)>{bi("合格", "Pass")}</button>
                    <button class="btn big fail" data-testid="item-fail" disabled=move || f.busy.get() on:click=move |_| check(Outcome::Fail)>{bi("不合格", "Fail")}</button>
                </div>
            })}
            {t.deadline.map(|d| view! {
                <p class="requirement">{bi("整改要求：", "Rectify: ")}{t.requirement.clone()}" · "{bi("期限 ", "due ")}<span data-testid="item-deadline">{short_time(d)}</span></p>
            })}
            {rectified.map(|at| view! { <p class="rectified" data-testid="item-rectified">{bi("已整改：", "Rectified: ")}{t.evidence.clone()}" · "{short_time(at)}</p> })}
            {(t.recheck == Outcome::Pass).then(|| view! { <p class="rectified" data-testid="item-recheck">{bi("复查：整改到位", "Re-inspected: rectified")}</p> })}
            {(stage == Stage::Rectifying && t.deadline.is_some() && rectified.is_none()).then(|| view! {
                <div class="check-row">
                    <input type="text" maxlength="500" data-testid="item-evidence" placeholder=bi("整改情况或佐证材料", "What was done, with evidence")
                        prop:value=move || evidence.get() on:input=move |e| evidence.set(event_target_value(&e))/>
                    <button class="btn big" data-testid="item-rectify" disabled=move || f.busy.get()
                        on:click=move |_| f.act(SupervisionAction::Rectify { inspection_id: f.id(), item_id: id, evidence: evidence.get_untracked() }, || ())>{bi("登记整改", "Record rectification")}</button>
                </div>
            })}
            {(stage == Stage::Rectifying && rectified.is_some() && t.recheck != Outcome::Pass).then(|| view! {
                <div class="check-row">
                    <button class="btn big pass" data-testid="item-recheck-pass" disabled=move || f.busy.get()
                        on:click=move |_| f.act(SupervisionAction::Recheck { inspection_id: f.id(), item_id: id, passed: true }, || ())>{bi("复查合格", "Re-inspection: pass")}</button>
                    <button class="btn big fail" data-testid="item-recheck-fail" disabled=move || f.busy.get()
                        on:click=move |_| f.act(SupervisionAction::Recheck { inspection_id: f.id(), item_id: id, passed: false }, || ())>{bi("未整改到位", "Not rectified")}</button>
                </div>
            })}
        </div>
    }
}

/// The notice's requirements: one per failed item, prefilled from what was found, 7 days.
#[component]
fn NoticeForm(f: Insp) -> impl IntoView {
    // Drafts per failed item, kept across live refreshes: item id → (requirement, days).
    let drafts: RwSignal<Vec<(i64, RwSignal<String>, RwSignal<String>)>> = RwSignal::new(Vec::new());
    let failed = move || f.v.with(|v| v.items.iter().filter(|t| t.outcome == Outcome::Fail).map(|t| (t.id, t.item.clone(), t.finding.clone())).collect::<Vec<_>>());
    let all_checked = move || f.v.with(|v| !v.items.is_empty() && v.items.iter().all(|t| t.outcome != Outcome::Pending));
    let draft = move |id: i64, finding: &str| {
        if let Some(d) = drafts.with_untracked(|d| d.iter().find(|x| x.0 == id).map(|x| (x.1, x.2))) {
            return d;
        }
        let d = (RwSignal::new(pick(&format!("整改：{finding}"), &format!("Rectify: {finding}")).to_string()), RwSignal::new("7".to_string()));
        drafts.update_untracked(|v| v.push((id, d.0, d.1)));
        d
    };
    let issue = move |_| {
        let now = crate::components::clock::js_now();
        let mut reqs = Vec::new();
        for (id, _, _) in failed() {
            let Some((r, days)) = drafts.with_untracked(|d| d.iter().find(|x| x.0 == id).map(|x| (x.1, x.2))) else { continue };
            let days: i64 = days.get_untracked().trim().parse().unwrap_or(7);
            reqs.push(Requirement { item_id: id, requirement: r.get_untracked(), deadline: now + days * DAY });
        }
        f.act(SupervisionAction::Notice { inspection_id: f.id(), requirements: reqs }, || ());
    };
    view! {
        <div class="panel no-print" data-testid="notice-form">
            <h3>{bi("出具组团式执法结果告知单", "Issue the combined result notice")}</h3>
            {move || if all_checked() {
                view! {
                    <For each=failed key=|x| x.0 let:x>
                        {
                            let (r, days) = draft(x.0, &x.2);
                            view! {
                                <div class="check-row" data-testid="notice-req">
                                    <strong>{x.1.clone()}</strong>
                                    <input type="text" maxlength="500" data-testid="req-text" prop:value=move || r.get() on:input=move |e| r.set(event_target_value(&e))/>
                                    <label>{bi("期限（天）", "Days")}<input type="number" min="1" max="90" class="days" data-testid="req-days" prop:value=move || days.get() on:input=move |e| days.set(event_target_value(&e))/></label>
                                </div>
                            }
                        }
                    </For>
                    <button class="btn primary" data-testid="notice-issue" disabled=move || f.busy.get() on:click=issue>{bi("出具告知单", "Issue the notice")}</button>
                }.into_any()
            } else {
                view! { <p class="empty">{bi("各部门登记完全部检查结果后出具告知单。", "Issue the notice once every item has a result.")}</p> }.into_any()
            }}
        </div>
    }
}

/// The printable notice.
fn notice(v: &InspectionView) -> impl IntoView + use<> {
    let b = &v.brief;
    let failed: Vec<&ItemView> = v.items.iter().filter(|t| t.outcome == Outcome::Fail).collect();
    // The visit and the notice are the same day.
    let day = v.noticed_at.map(zhizhi_shared::time::beijing_date).unwrap_or_default();
    view! {
        <div class="panel notice" data-testid="notice">
            <div class="row-actions no-print"><button class="btn" data-testid="notice-print" on:click=move |_| browser::print_page()>{bi("打印告知单", "Print the notice")}</button></div>
            <h2 class="notice-title">{bi("组团式执法结果告知单", "Combined inspection result notice")}</h2>
            <p class="notice-no" data-testid="notice-no">{b.notice_no.clone()}</p>
            <p>{b.enterprise.clone()}{bi("（统一社会信用代码 ", " (credit code ")}{v.credit_code.clone()}{bi("）：", "):")}</p>
            <p>
                {pick(&format!("{}，{}联合对你单位（{}）开展了“综合查一次”检查，共检查 {} 项，其中 {} 项不符合要求。现将结果一并告知如下：",
                    day, b.posts.join(pick("、", ", ")), v.address, v.items.len(), failed.len()),
                    &format!("On {}, {} inspected your business ({}) together: {} items, {} not in order. The results:",
                    day, b.posts.join(", "), v.address, v.items.len(), failed.len())).to_string()}
            </p>
            <table class="data notice-table">
                <thead><tr><th>{bi("部门", "Agency")}</th><th>{bi("检查事项", "Item")}</th><th>{bi("结果", "Result")}</th><th>{bi("整改要求", "To rectify")}</th><th>{bi("整改期限", "Deadline")}</th></tr></thead>
                <tbody>
                    {v.items.iter().map(|t| view! {
                        <tr>
                            <td>{t.post.clone()}</td><td>{t.item.clone()}</td>
                            <td>{if t.outcome == Outcome::Fail { format!("{}{}{}", pick("不合格", "Fail"), pick("：", ": "), t.finding) } else { pick("合格", "Pass").to_string() }}</td>
                            <td>{t.requirement.clone()}</td>
                            <td>{t.deadline.map(short_time).unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p>{bi("请于期限内一次性完成全部整改，并将整改情况报牵头部门；逾期未整改的，依法处理并纳入信用评价。", "Rectify everything by the deadlines and report to the lead agency; what is overdue is dealt with by law and counts in the credit grade.")}</p>
            <p class="notice-sign">{bi("牵头部门：", "Lead: ")}{b.lead_post.clone()}" · "{day.clone()}</p>
        </div>
    }
}
