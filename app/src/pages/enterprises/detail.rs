//! One business (`/enterprises/{id}`): its record (the legal representative masked), licences
//! with expiry, the credit grade with its history (who, when, why, on what evidence) and the form
//! to change it, the help the street gave it, this year's visits ("进一次门，查多件事"), its
//! inspections and the cases linked to it, and the button that files a joint inspection.

use super::{grade_chip, grade_colour, stage_chip};
use crate::api::error_text;
use crate::api::supervision::{get_enterprise, supervise};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::case_view::short_time;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::enterprise::view::{EnterpriseDetail, HelpKind, NewLicence, SupervisionAction};
use zhizhi_shared::enterprise::GradeChange;
use zhizhi_shared::people::CreditRating;

/// The page at `/enterprises/{id}`.
#[component]
pub fn EnterprisePage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Screen me/> }/> }
}

#[component]
fn Screen(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(id, get_enterprise);
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="ent-main">
                <a class="back" href="/enterprises">{bi("‹ 企业监管", "‹ Enterprises")}</a>
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(d) => view! { <Live me=me.clone() detail=d/> }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Live(me: Principal, detail: EnterpriseDetail) -> impl IntoView {
    let id = detail.row.id;
    let d = RwSignal::new(detail);
    let connected = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            // Reads may answer out of order (an action's and a live event's): never go back.
            if let Ok(x) = get_enterprise(id).await
                && x.version >= d.with_untracked(|v| v.version)
            {
                d.set(x);
            }
        })
    };
    browser::follow_topic("supervision", connected, reload);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let act = move |a: SupervisionAction, done: Box<dyn FnOnce(Option<i64>)>| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match supervise(a).await {
                Ok(created) => {
                    done(created);
                    reload();
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let may_file = me.post_id.is_some() && (me.has(Role::Post) || me.has(Role::Command));
    let may_grade = d.with_untracked(|x| x.may_grade);
    let may_help = !(me.has(Role::Admin) && me.roles.len() == 1);
    let file = move |_| {
        act(
            SupervisionAction::File { enterprise_id: id, scheduled_at: None },
            Box::new(|created| {
                if let Some(i) = created {
                    browser::go(&format!("/inspections/{i}"));
                }
            }),
        )
    };
    view! {
        <section class="ent-detail" data-testid="enterprise" data-live=move || connected.get().then_some("1")>
            {move || {
                let r = d.get().row;
                view! {
                    <div class=format!("panel ent-head sv-{}", grade_colour(r.grade))>
                        <h2 data-testid="ent-name">{r.name.clone()}" "{grade_chip(r.grade)}</h2>
                        <dl class="kv">
                            <dt>{bi("统一社会信用代码", "Credit code")}</dt><dd>{r.credit_code.clone()}</dd>
                            <dt>{bi("法定代表人/经营者", "Legal representative")}</dt><dd>{r.legal_rep.clone()}" · "{r.phone.clone()}</dd>
                            <dt>{bi("行业", "Sector")}</dt><dd>{r.sector.clone()}</dd>
                            <dt>{bi("地址", "Address")}</dt><dd>{r.address.clone()}" · "{r.grid.clone()}</dd>
                            <dt>{bi("今年检查", "Visits this year")}</dt>
                            <dd data-testid="visits">{pick(&format!("进门 {} 次，其中联合检查 {} 次", r.visits_year, d.get().joint_year), &format!("{} visit(s), {} joint", r.visits_year, d.get().joint_year)).to_string()}</dd>
                        </dl>
                        {(!r.flags.is_empty()).then(|| view! {
                            <p class="watch-flags" data-testid="ent-flags">{bi("分析提示：", "Analysis: ")}{r.flags.iter().map(|f| pick(&f.text_zh, &f.text_en).to_string()).collect::<Vec<_>>().join(pick("；", "; "))}</p>
                        })}
                    </div>
                }
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="ent-error">{e}</p> })}
            <div class="ent-grid two">
                <div class="panel">
                    <h3>{bi("信用等级变化", "Grade history")}</h3>
                    {move || {
                        let g = d.get().grades;
                        if g.is_empty() {
                            view! { <p class="empty">{bi("等级自建档以来未调整", "Unchanged since the record was made")}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="grade-history" data-testid="grade-history">
                                    {g.into_iter().map(|e| view! {
                                        <li data-testid="grade-entry">
                                            <div class="grade-move">{e.from.map(|f| view! { {grade_chip(f)}" → " })}{grade_chip(e.to)}</div>
                                            <span>{e.reason}</span>
                                            <small>{bi("依据：", "Evidence: ")}{e.evidence}" · "{e.by}" · "{short_time(e.at)}</small>
                                        </li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }
                    }}
                    {may_grade.then(|| view! { <RegradeForm id busy act/> })}
                </div>
                <div class="panel">
                    <h3>{bi("帮扶记录", "Help given")}</h3>
                    {move || {
                        let h = d.get().help;
                        if h.is_empty() {
                            view! { <p class="empty">{bi("还没有帮扶记录。走访、调解、融资、宣传推广后在下方登记。", "No help recorded. Record visits, mediation, financing or promotion below.")}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="help-list" data-testid="help-list">
                                    {h.into_iter().map(|e| view! {
                                        <li data-testid="help-entry"><strong>{pick(e.kind.name_zh(), e.kind.name_en()).to_string()}</strong>" "{e.note}<small>{e.by}" · "{short_time(e.at)}</small></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                    }}
                    {may_help.then(|| view! { <HelpForm id busy act/> })}
                </div>
                <div class="panel">
                    <h3>{bi("证照", "Licences")}</h3>
                    <table class="data small">
                        <tbody>
                            {move || d.get().licences.into_iter().map(|l| view! {
                                <tr class:expired=l.expired data-testid="licence">
                                    <td>{l.kind}</td><td>{l.number}</td>
                                    <td>{match (l.expires_at, l.expired) {
                                        (None, _) => pick("长期", "No expiry").to_string(),
                                        (Some(t), true) => pick(&format!("已于 {} 过期", short_time(t)), &format!("Expired {}", short_time(t))).to_string(),
                                        (Some(t), false) => pick(&format!("有效期至 {}", short_time(t)), &format!("Valid until {}", short_time(t))).to_string(),
                                    }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {may_grade.then(|| {
                        // The form starts on the licence that ran out, if one did.
                        let kind = d.with_untracked(|x| x.licences.iter().find(|l| l.expired).map(|l| l.kind.clone()).unwrap_or_default());
                        view! { <LicenceForm id kind busy act/> }
                    })}
                </div>
                <div class="panel">
                    <h3>{bi("检查记录", "Inspections")}</h3>
                    {may_file.then(|| view! {
                        <button class="btn primary" data-testid="file-inspection" disabled=move || busy.get() on:click=file>{bi("发起联合检查（综合查一次）", "File a joint inspection")}</button>
                    })}
                    {move || {
                        let list = d.get().inspections;
                        if list.is_empty() {
                            view! { <p class="empty">{bi("暂无检查记录", "No inspections yet")}</p> }.into_any()
                        } else {
                            list.into_iter().map(|i| view! {
                                <a class="insp-row" href=format!("/inspections/{}", i.id)>
                                    <strong>{if i.joint { pick("联合检查", "Joint") } else { pick("检查", "Inspection") }.to_string()}</strong>
                                    {stage_chip(i.stage)}<small>{i.posts.join(pick("、", ", "))}</small>
                                    <small>{i.notice_no.clone()}</small>
                                </a>
                            }).collect_view().into_any()
                        }
                    }}
                    <h3>{bi("关联事件", "Linked cases")}</h3>
                    {may_grade.then(|| view! { <LinkCaseForm id busy act/> })}
                    {move || {
                        let c = d.get().cases;
                        if c.is_empty() {
                            view! { <p class="empty">{bi("没有关联的事件", "No linked cases")}</p> }.into_any()
                        } else {
                            c.into_iter().map(|c| view! {
                                <a class="insp-row" href=format!("/cases/{}", c.id) data-testid="linked-case">
                                    <strong>{c.number}</strong><small>{zhizhi_shared::case::category::category(&c.category).map(|x| pick(x.name_zh, x.name_en).to_string()).unwrap_or(c.category)}</small><small>{short_time(c.created_at)}</small>
                                </a>
                            }).collect_view().into_any()
                        }
                    }}
                </div>
            </div>
        </section>
    }
}

#[component]
fn RegradeForm(id: i64, busy: RwSignal<bool>, act: impl Fn(SupervisionAction, Box<dyn FnOnce(Option<i64>)>) + Copy + 'static) -> impl IntoView {
    let to = RwSignal::new(String::from("A"));
    let reason = RwSignal::new(String::new());
    let evidence = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let change = GradeChange { to: CreditRating::from_letter(&to.get_untracked()).unwrap_or(CreditRating::A), reason: reason.get_untracked(), evidence: evidence.get_untracked() };
        act(SupervisionAction::Regrade { enterprise_id: id, change }, Box::new(move |_| {
            reason.set(String::new());
            evidence.set(String::new());
        }));
    };
    view! {
        <form class="stack" data-testid="regrade-form" on:submit=submit>
            <h4>{bi("调整信用等级", "Change the grade")}</h4>
            <label>{bi("调整为", "New grade")}
                <select data-testid="regrade-to" on:change=move |e| to.set(event_target_value(&e))>
                    <option value="A">"A"</option><option value="B">"B"</option><option value="C">"C"</option><option value="D">"D"</option>
                </select>
            </label>
            <label>{bi("理由", "Reason")}
                <input type="text" maxlength="500" data-testid="regrade-reason" placeholder=bi("如：纠纷调解成功，整改到位", "e.g. dispute settled, rectified")
                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
            </label>
            <label>{bi("依据", "Evidence")}
                <input type="text" maxlength="500" data-testid="regrade-evidence" placeholder=bi("检查记录、事件编号或文书", "Inspection, case number or document")
                    prop:value=move || evidence.get() on:input=move |e| evidence.set(event_target_value(&e))/>
            </label>
            <button class="btn primary" type="submit" data-testid="regrade-save" disabled=move || busy.get()>{bi("确认调整", "Change grade")}</button>
        </form>
    }
}

#[component]
fn HelpForm(id: i64, busy: RwSignal<bool>, act: impl Fn(SupervisionAction, Box<dyn FnOnce(Option<i64>)>) + Copy + 'static) -> impl IntoView {
    let kind = RwSignal::new(HelpKind::Visit);
    let note = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        act(SupervisionAction::Help { enterprise_id: id, kind: kind.get_untracked(), note: note.get_untracked() }, Box::new(move |_| note.set(String::new())));
    };
    view! {
        <form class="stack" data-testid="help-form" on:submit=submit>
            <div class="chips">
                {HelpKind::ALL.into_iter().map(|k| view! {
                    <button type="button" class="chip" class:active=move || kind.get() == k data-testid=format!("help-{}", k.code()) on:click=move |_| kind.set(k)>
                        {pick(k.name_zh(), k.name_en()).to_string()}
                    </button>
                }).collect_view()}
            </div>
            <input type="text" maxlength="500" data-testid="help-note" placeholder=bi("做了什么、结果如何", "What was done, and what came of it")
                prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e))/>
            <button class="btn primary" type="submit" data-testid="help-save" disabled=move || busy.get()>{bi("登记帮扶", "Record help")}</button>
        </form>
    }
}

/// `YYYY-MM-DD` as the last millisecond of that Beijing day.
fn end_of_day(s: &str) -> Option<i64> {
    let mut d = s.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, dd) = (d.next()??, d.next()??, d.next()??);
    Some(zhizhi_shared::time::beijing_midnight(y, m as u32, dd as u32) + 86_400_000 - 1)
}

#[component]
fn LicenceForm(id: i64, kind: String, busy: RwSignal<bool>, act: impl Fn(SupervisionAction, Box<dyn FnOnce(Option<i64>)>) + Copy + 'static) -> impl IntoView {
    let kind = RwSignal::new(kind);
    let number = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        let licence = NewLicence { kind: kind.get_untracked(), number: number.get_untracked(), expires_at: end_of_day(&until.get_untracked()) };
        act(SupervisionAction::Licence { enterprise_id: id, licence }, Box::new(move |_| {
            number.set(String::new());
            until.set(String::new());
        }));
    };
    view! {
        <form class="row-actions licence-form" data-testid="licence-form" on:submit=submit>
            <input type="text" maxlength="40" data-testid="licence-kind" placeholder=bi("证照名称", "Licence")
                prop:value=move || kind.get() on:input=move |e| kind.set(event_target_value(&e))/>
            <input type="text" maxlength="60" data-testid="licence-number" placeholder=bi("新证编号", "New number")
                prop:value=move || number.get() on:input=move |e| number.set(event_target_value(&e))/>
            <input type="date" data-testid="licence-until" aria-label=bi("有效期至（长期有效不填）", "Valid until (empty: no expiry)")
                prop:value=move || until.get() on:input=move |e| until.set(event_target_value(&e))/>
            <button class="btn" type="submit" data-testid="licence-save" disabled=move || busy.get()>{bi("登记换证", "Record renewal")}</button>
        </form>
    }
}

#[component]
fn LinkCaseForm(id: i64, busy: RwSignal<bool>, act: impl Fn(SupervisionAction, Box<dyn FnOnce(Option<i64>)>) + Copy + 'static) -> impl IntoView {
    let number = RwSignal::new(String::new());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        act(SupervisionAction::LinkCase { enterprise_id: id, number: number.get_untracked() }, Box::new(move |_| number.set(String::new())));
    };
    view! {
        <form class="row-actions" data-testid="link-case-form" on:submit=submit>
            <input type="text" maxlength="40" data-testid="link-case-number" placeholder=bi("事件编号，投诉该企业的事件", "Number of a case about this business")
                prop:value=move || number.get() on:input=move |e| number.set(event_target_value(&e))/>
            <button class="btn" type="submit" data-testid="link-case-save" disabled=move || busy.get()>{bi("关联", "Link")}</button>
        </form>
    }
}
