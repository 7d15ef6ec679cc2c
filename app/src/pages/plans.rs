//! Contingency plans (`/plans`): the responses running now, with links to their incident
//! views, and the street's plans with what each level sends where.

use crate::api::cases::find_buildings;
use crate::api::error_text;
use crate::api::plans::{activate_and_open, get_activations, get_plans};
use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::plan::{ActivationBrief, NewActivation, PlanView, Target};
use zhizhi_shared::time::beijing_datetime;

/// The page at `/plans`.
#[component]
pub fn PlansPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <Plans me/> }/> }
}

#[component]
fn Plans(me: Principal) -> impl IntoView {
    let may_see_running = me.has(Role::Command) || me.has(Role::District);
    let command = me.has(Role::Command);
    let admin = me.has(Role::Admin);
    let data = Resource::new(
        || (),
        move |_| async move {
            let running = if may_see_running { get_activations(false).await? } else { vec![] };
            Ok::<_, ServerFnError>((running, get_plans().await?))
        },
    );
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="plans-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok((running, plans)) => view! {
                            <section class="panel" data-testid="activations">
                                <h2>{bi("预案启动记录", "Activations")}</h2>
                                {if running.is_empty() {
                                    view! { <p class="state empty">{bi("目前没有启动的预案。在事件详情中点「启动预案」即可启动。", "No plan has been activated. Open a case and choose “Activate plan”.")}</p> }.into_any()
                                } else {
                                    view! { <ul class="activation-list">{running.into_iter().map(activation_item).collect_view()}</ul> }.into_any()
                                }}
                            </section>
                            <section class="panel" data-testid="plans">
                                <header class="section-head">
                                    <h2>{bi("应急预案", "Contingency plans")}</h2>
                                    {admin.then(|| view! { <a class="act primary" href="/plans/new" data-testid="new-plan">{bi("＋ 新建预案", "+ New plan")}</a> })}
                                </header>
                                <div class="plan-library">{plans.into_iter().map(|p| plan_card(p, command, admin)).collect_view()}</div>
                            </section>
                        }.into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

fn activation_item(a: ActivationBrief) -> impl IntoView {
    let running = a.state == zhizhi_shared::plan::ActivationState::Running;
    view! {
        <li class="activation-item" class:running=running data-testid="activation-item">
            <a href=format!("/activations/{}", a.id)>
                <span class=format!("level-chip lv-{}", a.level.colour())>{pick(a.level.name_zh(), a.level.name_en()).to_string()}</span>
                {a.drill.then(|| view! { <span class="badge drill">{bi("演练", "Drill")}</span> })}
                <strong>{a.plan_name.clone()}</strong>
                <span class="pill">{if running { pick("响应中", "Responding") } else { pick("已终止", "Stood down") }.to_string()}</span>
                <time>{beijing_datetime(a.activated_at)}</time>
            </a>
        </li>
    }
}

fn plan_card(p: PlanView, command: bool, admin: bool) -> impl IntoView {
    let drill = (command && !p.retired).then(|| view! { <DrillStart plan_id=p.id version=p.version/> });
    view! {
        <article class="plan-card" class:retired=p.retired data-testid="plan-card" data-name=p.body.name.clone() id=format!("plan-{}", p.id)>
            <header>
                <h3>{p.body.name.clone()}</h3>
                <span class="plan-kind" data-testid="plan-version">{p.body.kind.clone()}" · "{pick(&format!("第 {} 版", p.version), &format!("version {}", p.version)).to_string()}</span>
                {p.retired.then(|| view! { <span class="pill">{bi("已停用", "Retired")}</span> })}
                {admin.then(|| view! { <a class="act" href=format!("/plans/{}/edit", p.id) data-testid="edit-plan">{bi("编辑", "Edit")}</a> })}
            </header>
            <p class="trigger">{p.body.trigger.clone()}</p>
            {p.body.levels.iter().map(|l| view! {
                <div class="plan-level">
                    <h4><span class=format!("level-chip lv-{}", l.level.colour())>{pick(l.level.name_zh(), l.level.name_en()).to_string()}</span>" "{l.condition.clone()}</h4>
                    <ul>
                        {l.tasks.iter().map(|t| view! {
                            <li><strong>{match &t.target { Target::Post(n) => n.clone(), Target::PlaceGrid => pick("事发网格员", "Grid worker of the place").to_string() }}</strong>
                                {pick("：", ": ").to_string()} {t.instruction.clone()} <small>{pick(&format!("（{} 分钟）", t.due_minutes), &format!(" ({} min)", t.due_minutes)).to_string()}</small></li>
                        }).collect_view()}
                        {l.district.iter().map(|d| view! {
                            <li class="district"><strong>{pick("上报区级", "To the district")}</strong>{pick("：", ": ").to_string()} {d.title.clone()}" — "{d.ask.clone()}</li>
                        }).collect_view()}
                    </ul>
                </div>
            }).collect_view()}
            {drill}
        </article>
    }
}

/// 「开始演练」 on a plan card (command staff): the drill's place is a building of the street,
/// found by its address; the drill gets its own case there and opens on its incident view.
#[component]
fn DrillStart(plan_id: i64, version: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let found = Resource::new(move || query.get(), |q| async move { if q.trim().chars().count() < 2 { Ok(Vec::new()) } else { find_buildings(q, false).await } });
    let start = move |building_id: i64| {
        let new = NewActivation { drill: true, building_id: Some(building_id), version: Some(version), ..Default::default() };
        activate_and_open(plan_id, new, busy, error);
    };
    view! {
        <div class="drill-start">
            {move || if open.get() {
                view! {
                    <input type="search" class="reason" data-testid="drill-place" placeholder=pick("演练地点：输入地址查找楼栋", "Drill place: search a building by address").to_string()
                        prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                    <Suspense fallback=|| ()>
                        {move || found.get().map(|r| match r {
                            Ok(list) => view! {
                                <ul class="drill-places">{list.into_iter().take(8).map(|b| view! {
                                    <li><button class="act" data-testid="drill-building" disabled=move || busy.get() on:click=move |_| start(b.id)>{b.address.clone()}</button></li>
                                }).collect_view()}</ul>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error">{error_text(&e)}</p> }.into_any(),
                        })}
                    </Suspense>
                }.into_any()
            } else {
                view! { <button class="act" data-testid="start-drill" on:click=move |_| open.set(true)>{bi("开始演练", "Start a drill")}</button> }.into_any()
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        </div>
    }
}
