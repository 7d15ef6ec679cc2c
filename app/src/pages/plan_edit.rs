//! The plan editor (`/plans/new`, `/plans/{id}/edit`): an administrator writes a contingency
//! plan as a street office writes it — its name, kind, when to activate it, who is told, and
//! for each response level the tasks (a post or the grid worker of the place, what to do, the
//! time allowed after activation, the checklist) and the items that go up to the district.
//! Saving writes a new version: running activations keep the version they started with.
//! From an after-action review (`?lessons_from=`), the new version records the review it
//! answers.

use crate::api::cases::get_posts;
use crate::api::error_text;
use crate::api::plans::{get_plans, save_plan};
use crate::browser;
use crate::components::auth_gate::AuthGate;
use crate::components::nav::SideNav;
use crate::components::top_bar::TopBar;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::view::PostRef;
use zhizhi_shared::case::{self, GROUPS};
use zhizhi_shared::plan::{DistrictItem, Level, LevelPlan, PlanBody, PlanSave, PlanTask, PlanView, Target};

/// The pages at `/plans/new` and `/plans/{id}/edit`.
#[component]
pub fn PlanEditPage() -> impl IntoView {
    view! { <AuthGate page=|me: Principal| view! { <PlanEdit me/> }/> }
}

#[component]
fn PlanEdit(me: Principal) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let lessons_from = query.with_untracked(|q| q.get("lessons_from").and_then(|v| v.parse::<i64>().ok()));
    let data = Resource::new(
        || (),
        move |_| async move {
            let posts = get_posts().await?;
            let plan = match id {
                Some(id) => get_plans().await?.into_iter().find(|p| p.id == id),
                None => None,
            };
            Ok::<_, ServerFnError>((posts, plan))
        },
    );
    let admin = me.has(Role::Admin);
    view! {
        <div class="screen command">
            <TopBar me=me.clone()/>
            <SideNav/>
            <main class="plans-main">
                {if admin {
                    view! {
                        <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                            {move || data.get().map(|r| match r {
                                Ok((_, None)) if id.is_some() => view! { <p class="state error" role="alert">{bi("没有这个预案。", "There is no such plan.")}</p> }.into_any(),
                                Ok((posts, plan)) => view! { <Editor id plan posts lessons_from/> }.into_any(),
                                Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                            })}
                        </Suspense>
                    }.into_any()
                } else {
                    view! { <p class="state error" role="alert">{bi("只有系统管理员可以编辑预案。", "Only administrators edit plans.")}</p> }.into_any()
                }}
            </main>
        </div>
    }
}

/// A new plan's starting point: one level with one task for the grid worker of the place.
fn blank() -> PlanBody {
    PlanBody {
        name: String::new(),
        kind: String::new(),
        categories: vec![],
        trigger: String::new(),
        levels: vec![LevelPlan { level: Level::Iv, condition: String::new(), tasks: vec![blank_task()], district: vec![] }],
        notify: vec![],
    }
}

fn blank_task() -> PlanTask {
    PlanTask { target: Target::PlaceGrid, instruction: String::new(), due_minutes: 30, checklist: vec![] }
}

/// Splits a list typed in one field at the enumeration comma (U+3001), commas and semicolons
/// (ASCII or full-width) or new lines.
fn split_list(s: &str) -> Vec<String> {
    s.split(['\u{3001}', ',', '\u{ff0c}', ';', '\u{ff1b}', '\n']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

/// The plan as written in the form, tidied for saving: words trimmed, empty checklist lines
/// dropped, levels from the lowest up.
fn tidy(mut b: PlanBody) -> PlanBody {
    b.name = b.name.trim().to_string();
    b.kind = b.kind.trim().to_string();
    b.trigger = b.trigger.trim().to_string();
    b.levels.sort_by_key(|l| l.level);
    for l in &mut b.levels {
        l.condition = l.condition.trim().to_string();
        for t in &mut l.tasks {
            t.instruction = t.instruction.trim().to_string();
            t.checklist.retain(|c| !c.trim().is_empty());
        }
        for d in &mut l.district {
            d.title = d.title.trim().to_string();
            d.ask = d.ask.trim().to_string();
        }
    }
    b
}

/// The form. Its text lives in `body` (no re-render while typing); `shape` changes when rows
/// or levels are added or removed, and only then is the form drawn again.
#[component]
fn Editor(id: Option<i64>, plan: Option<PlanView>, posts: Vec<PostRef>, lessons_from: Option<i64>) -> impl IntoView {
    let seen = plan.as_ref().map(|p| p.version);
    let title = plan.as_ref().map(|p| p.body.name.clone());
    let body = StoredValue::new(plan.as_ref().map(|p| p.body.clone()).unwrap_or_else(blank));
    let retired = RwSignal::new(plan.as_ref().is_some_and(|p| p.retired));
    let shape = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let posts = StoredValue::new(posts);
    let redraw = move || shape.update(|n| *n += 1);
    let save = move |_| {
        busy.set(true);
        error.set(None);
        let save = PlanSave { body: tidy(body.get_value()), retired: retired.get_untracked(), lessons_from };
        spawn_local(async move {
            match save_plan(id, seen, save).await {
                Ok(p) => browser::go(&format!("/plans#plan-{}", p.id)),
                Err(e) => {
                    error.set(Some(error_text(&e)));
                    busy.set(false);
                }
            }
        });
    };
    let add_level = move |_| {
        body.update_value(|b| {
            let next = Level::ALL.into_iter().find(|l| !b.levels.iter().any(|x| x.level == *l));
            if let Some(level) = next {
                b.levels.push(LevelPlan { level, condition: String::new(), tasks: vec![], district: vec![] });
                b.levels.sort_by_key(|l| l.level);
            }
        });
        redraw();
    };
    view! {
        <section class="panel plan-editor" data-testid="plan-editor">
            <header class="editor-head">
                <h2>{match (&title, seen) {
                    (Some(t), Some(v)) => pick(&format!("修订预案：{t}（现行第 {v} 版）"), &format!("Revise plan: {t} (now version {v})")).to_string(),
                    _ => pick("新建应急预案", "New contingency plan").to_string(),
                }}</h2>
                <a class="btn" href="/plans">{bi("返回预案库", "Back to the plans")}</a>
            </header>
            {lessons_from.map(|a| view! {
                <p class="hint" data-testid="lessons-from">{pick(&format!("本次修订依据第 {a} 号启动的复盘，保存后记入新版本。"), &format!("This revision answers the review of activation {a}; the new version records it.")).to_string()}</p>
            })}
            {move || {
                shape.get();
                let b = body.get_value();
                view! {
                    <div class="editor-fields">
                        {head_fields(&b, body)}
                        {b.levels.iter().enumerate().map(|(li, l)| level_form(li, l, body, posts, shape)).collect_view()}
                    </div>
                }
            }}
            <div class="editor-actions">
                <button class="act" data-testid="add-level" on:click=add_level
                    disabled=move || { shape.get(); body.with_value(|b| b.levels.len() >= Level::ALL.len()) }>{bi("＋ 增加响应级别", "+ Add a level")}</button>
                {seen.map(|_| view! {
                    <label class="retire"><input type="checkbox" data-testid="retire-plan" prop:checked=move || retired.get()
                        on:change=move |e| retired.set(event_target_checked(&e))/>{bi("停用此预案（停用后不能启动）", "Retire this plan (it can no longer be activated)")}</label>
                })}
                <button class="act primary" data-testid="save-plan" disabled=move || busy.get() on:click=save>
                    {move || if busy.get() { pick("保存中…", "Saving…") } else if seen.is_some() { pick("保存为新版本", "Save as a new version") } else { pick("保存预案", "Save the plan") }.to_string()}
                </button>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="plan-error">{e}</p> })}
        </section>
    }
}

/// The name, kind, trigger, who is told, and the case categories the board offers it for.
fn head_fields(b: &PlanBody, body: StoredValue<PlanBody>) -> impl IntoView + use<> {
    let notify = b.notify.join(pick("、", ", "));
    // The groups, and any single category the plan names.
    let mut options: Vec<(String, String)> = GROUPS.iter().map(|g| (g.code.to_string(), pick(g.name_zh, g.name_en).to_string())).collect();
    for c in &b.categories {
        if let Some(k) = case::category(c).filter(|_| !options.iter().any(|o| &o.0 == c)) {
            options.push((c.clone(), pick(k.name_zh, k.name_en).to_string()));
        }
    }
    let chosen = b.categories.clone();
    view! {
        <div class="editor-grid">
            <label>{bi("预案名称", "Name")}
                <input data-testid="plan-name" prop:value=b.name.clone() placeholder=pick("如：重大旅游消费纠纷处置预案", "e.g. Major tourism consumer dispute plan").to_string()
                    on:input=move |e| body.update_value(|b| b.name = event_target_value(&e))/></label>
            <label>{bi("预案类型", "Kind")}
                <input data-testid="plan-kind" prop:value=b.kind.clone() placeholder=pick("如：社会安全、自然灾害、事故灾难", "e.g. public safety, natural disaster").to_string()
                    on:input=move |e| body.update_value(|b| b.kind = event_target_value(&e))/></label>
            <label class="wide">{bi("启动条件", "When to activate")}
                <textarea data-testid="plan-trigger" prop:value=b.trigger.clone() placeholder=pick("什么情况下启动本预案", "When this plan is activated").to_string()
                    on:input=move |e| body.update_value(|b| b.trigger = event_target_value(&e))></textarea></label>
            <label class="wide">{bi("启动时通知", "Notified on activation")}
                <input data-testid="plan-notify" prop:value=notify placeholder=pick("如：街道党工委书记、派出所所长（用顿号分隔）", "e.g. the party secretary, the police chief (comma-separated)").to_string()
                    on:input=move |e| body.update_value(|b| b.notify = split_list(&event_target_value(&e)))/></label>
            <fieldset class="wide categories">
                <legend>{bi("适用事件类别（看板据此推荐本预案）", "Case categories (the board offers the plan for them)")}</legend>
                {options.into_iter().map(|(code, name)| {
                    let on = chosen.contains(&code);
                    let c2 = code.clone();
                    view! {
                        <label class="chip-check"><input type="checkbox" prop:checked=on data-testid="plan-category" data-code=code.clone()
                            on:change=move |e| {
                                let on = event_target_checked(&e);
                                let c = c2.clone();
                                body.update_value(|b| {
                                    b.categories.retain(|x| *x != c);
                                    if on {
                                        b.categories.push(c);
                                    }
                                });
                            }/>{name}</label>
                    }
                }).collect_view()}
            </fieldset>
        </div>
    }
}

/// One level: when it applies, its tasks and its district items, with buttons to add and
/// remove rows.
fn level_form(li: usize, l: &LevelPlan, body: StoredValue<PlanBody>, posts: StoredValue<Vec<PostRef>>, shape: RwSignal<u32>) -> impl IntoView + use<> {
    let redraw = move || shape.update(|n| *n += 1);
    let level = l.level;
    let taken: Vec<Level> = body.with_value(|b| b.levels.iter().map(|x| x.level).collect());
    view! {
        <section class=format!("level-edit lv-{}", level.colour()) data-testid="level-edit" data-level=level.code()>
            <header>
                <select data-testid="level-select" aria-label=pick("响应级别", "Response level").to_string()
                    on:change=move |e| {
                        if let Some(v) = Level::from_code(&event_target_value(&e)) {
                            body.update_value(|b| b.levels[li].level = v);
                            redraw();
                        }
                    }>
                    {Level::ALL.into_iter().filter(|x| *x == level || !taken.contains(x)).map(|x| view! {
                        <option value=x.code() selected=x == level>{pick(x.name_zh(), x.name_en()).to_string()}</option>
                    }).collect_view()}
                </select>
                <input class="grow" data-testid="level-condition" prop:value=l.condition.clone()
                    placeholder=pick("本级别的启动情形，如：聚集 50 人以上", "When this level applies, e.g. 50 people or more").to_string()
                    on:input=move |e| body.update_value(|b| b.levels[li].condition = event_target_value(&e))/>
                <button class="act danger" data-testid="remove-level" disabled=body.with_value(|b| b.levels.len() <= 1)
                    on:click=move |_| { body.update_value(|b| { b.levels.remove(li); }); redraw(); }>{bi("删除本级别", "Remove level")}</button>
            </header>
            <h4>{bi("处置任务", "Tasks")}</h4>
            <ol class="task-edits">
                {l.tasks.iter().enumerate().map(|(ti, t)| task_form(li, ti, t, body, posts, shape)).collect_view()}
            </ol>
            <h4>{bi("上报区级事项", "Items for the district")}</h4>
            <ol class="task-edits">
                {l.district.iter().enumerate().map(|(di, d)| district_form(li, di, d, body, shape)).collect_view()}
            </ol>
            <div class="row-actions">
                <button class="act" data-testid="add-task" on:click=move |_| { body.update_value(|b| b.levels[li].tasks.push(blank_task())); redraw(); }>{bi("＋ 任务", "+ Task")}</button>
                <button class="act" data-testid="add-district-item" on:click=move |_| {
                    body.update_value(|b| b.levels[li].district.push(DistrictItem { title: String::new(), ask: String::new(), due_minutes: 60 }));
                    redraw();
                }>{bi("＋ 上报区级事项", "+ Item for the district")}</button>
            </div>
        </section>
    }
}

fn task_form(li: usize, ti: usize, t: &PlanTask, body: StoredValue<PlanBody>, posts: StoredValue<Vec<PostRef>>, shape: RwSignal<u32>) -> impl IntoView + use<> {
    let current = match &t.target {
        Target::Post(p) => p.clone(),
        Target::PlaceGrid => String::new(),
    };
    let checklist = t.checklist.join("\n");
    let set = move |f: Box<dyn FnOnce(&mut PlanTask)>| body.update_value(|b| f(&mut b.levels[li].tasks[ti]));
    view! {
        <li class="task-edit" data-testid="task-edit" data-target=current.clone()>
            <div class="task-edit-row">
                <select data-testid="task-target" aria-label=pick("承办", "Holder").to_string()
                    on:change=move |e| {
                        let v = event_target_value(&e);
                        set(Box::new(move |t| t.target = if v.is_empty() { Target::PlaceGrid } else { Target::Post(v) }));
                    }>
                    <option value="" selected=current.is_empty()>{pick("事发网格员", "Grid worker of the place").to_string()}</option>
                    {posts.with_value(|ps| ps.iter().map(|p| {
                        let chosen = p.name == current;
                        view! { <option value=p.name.clone() selected=chosen>{format!("{} · {}", p.board, p.name)}</option> }
                    }).collect_view())}
                </select>
                {minutes_field("task-due", t.due_minutes, move |v| set(Box::new(move |t| t.due_minutes = v)))}
                <button class="act danger small" data-testid="remove-task" aria-label=pick("删除任务", "Remove task").to_string()
                    on:click=move |_| { body.update_value(|b| { b.levels[li].tasks.remove(ti); }); shape.update(|n| *n += 1); }>{bi("删除", "Remove")}</button>
            </div>
            <textarea data-testid="task-instruction" prop:value=t.instruction.clone() placeholder=pick("任务要求，如：立即疏散围观人员，维持通道畅通", "What to do, e.g. disperse the onlookers").to_string()
                on:input=move |e| { let v = event_target_value(&e); set(Box::new(move |t| t.instruction = v)); }></textarea>
            <small class="field-note">{bi("检查项（每行一条，可不填）", "Checklist (one item per line, optional)")}</small>
            <textarea class="checklist-edit" data-testid="task-checklist" prop:value=checklist placeholder=pick("检查项：每行一条（可不填）", "Checklist: one item per line (optional)").to_string()
                on:input=move |e| { let v = event_target_value(&e); set(Box::new(move |t| t.checklist = v.lines().map(str::to_string).collect())); }></textarea>
        </li>
    }
}

/// 「时限 [  ] 分钟」: the time allowed after activation. What is not a number is kept as 0,
/// which the server's check refuses by name.
fn minutes_field(testid: &'static str, value: i64, set: impl Fn(i64) + 'static) -> impl IntoView {
    view! {
        <label class="minutes">{bi("时限", "Due in")}
            <input type="number" min="1" max="10080" data-testid=testid prop:value=value.to_string()
                on:input=move |e| set(event_target_value(&e).trim().parse::<i64>().unwrap_or(0))/>{bi("分钟", "min")}</label>
    }
}

fn district_form(li: usize, di: usize, d: &DistrictItem, body: StoredValue<PlanBody>, shape: RwSignal<u32>) -> impl IntoView + use<> {
    let set = move |f: Box<dyn FnOnce(&mut DistrictItem)>| body.update_value(|b| f(&mut b.levels[li].district[di]));
    view! {
        <li class="task-edit district" data-testid="district-edit">
            <div class="task-edit-row">
                <input class="grow" data-testid="district-title" prop:value=d.title.clone() placeholder=pick("事项，如：食品质量检测", "Item, e.g. food quality testing").to_string()
                    on:input=move |e| { let v = event_target_value(&e); set(Box::new(move |d| d.title = v)); }/>
                {minutes_field("district-due", d.due_minutes, move |v| set(Box::new(move |d| d.due_minutes = v)))}
                <button class="act danger small" data-testid="remove-district-item" aria-label=pick("删除事项", "Remove item").to_string()
                    on:click=move |_| { body.update_value(|b| { b.levels[li].district.remove(di); }); shape.update(|n| *n += 1); }>{bi("删除", "Remove")}</button>
            </div>
            <input data-testid="district-ask" prop:value=d.ask.clone() placeholder=pick("请求区级做什么，如：请区市场监管局抽检涉事商户食品", "What the district is asked to do").to_string()
                on:input=move |e| { let v = event_target_value(&e); set(Box::new(move |d| d.ask = v)); }/>
        </li>
    }
}
