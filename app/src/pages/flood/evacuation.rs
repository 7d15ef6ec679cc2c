//! The evacuation list (the command screen's table, the grid worker's cards), shelters and
//! checkpoints.

use super::Flood;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::flood::view::{FloodAction, HouseholdRow};
use zhizhi_shared::flood::{EvacState, EvacUpdate};

fn state_chip(h: &HouseholdRow) -> impl IntoView + use<> {
    let (code, zh, en) = match &h.evac {
        Some(e) => (e.state.code(), e.state.name_zh(), e.state.name_en()),
        None => ("unlisted", "未列入名单", "Not listed"),
    };
    let shelter = h.evac.as_ref().filter(|e| e.state == EvacState::AtShelter).map(|e| format!(" · {}", e.shelter));
    let moved = h.evac.as_ref().filter(|e| e.state.is_out()).map(|e| pick(&format!(" · {} 人", e.headcount), &format!(" · {}", e.headcount)).to_string());
    view! { <span class=format!("chip ev-{code}") data-testid="evac-state">{pick(zh, en).to_string()}{moved}{shelter}</span> }
}

fn residents(h: &HouseholdRow) -> impl IntoView + use<> {
    h.residents
        .iter()
        .map(|r| {
            let tags: Vec<String> = r.tags.iter().filter(|t| zhizhi_shared::flood::view::vulnerable(**t)).map(|t| pick(t.name_zh(), crate::i18n::care_tag_en(*t)).to_string()).collect();
            view! {
                <span class="resident-chip">
                    {r.name.clone()}" "{pick(&format!("{} 岁", r.age), &format!("{}", r.age)).to_string()}
                    {(!tags.is_empty()).then(|| view! { <span class="tag tag-elderly">{tags.join(pick("、", ", "))}</span> })}
                </span>
            }
        })
        .collect_view()
}

fn floor_text(floor: i32) -> String {
    pick(&format!("{floor} 层"), &format!("floor {floor}")).to_string()
}

/// The command screen's list: every household under water, vulnerable first.
#[component]
pub fn CommandList(f: Flood, command: bool) -> impl IntoView {
    let rows = move || f.board.with(|b| b.households.clone());
    let empty = Memo::new(move |_| f.board.with(|b| b.households.is_empty()));
    view! {
        <div class="panel flood-households">
            <h3>{bi("淹没区住户（脆弱人群优先，低楼层优先）", "Households under water (the vulnerable first, ground floors first)")}</h3>
            {move || {
                // Only whether there are rows redraws the table; the rows follow in <For>.
                if empty.get() {
                    return view! { <p class="state empty" data-testid="no-households">{bi("该水位下淹没区内没有住户。可在地图上选择更高的水位查看。", "No household is under water at this level. Choose a higher level on the map to look ahead.")}</p> }.into_any();
                }
                view! {
                    <div class="table-scroll">
                        <table class="tasks-table" data-testid="flood-households">
                            <thead><tr>
                                <th>{bi("地址", "Address")}</th><th>{bi("楼层", "Floor")}</th><th>{bi("居民", "Residents")}</th>
                                <th>{bi("人数", "People")}</th><th>{bi("网格 / 负责人", "Grid / responsible")}</th><th>{bi("状态", "State")}</th>
                                {command.then(|| view! { <th></th> })}
                            </tr></thead>
                            <tbody>
                                // Keyed by the row's version: a row another change left alone keeps
                                // what the user was choosing in it.
                                <For each=rows key=|h: &HouseholdRow| (h.household_id, h.evac.as_ref().map(|e| e.version)) let:h>
                                    <tr data-testid="flood-household" data-household=h.household_id class:vulnerable=h.vulnerable>
                                        <td>{h.address.clone()}" "{h.unit.clone()}</td>
                                        <td>{floor_text(h.floor)}</td>
                                        <td>{residents(&h)}</td>
                                        <td>{h.members}</td>
                                        <td>{h.grid.clone()}" · "{h.responsible.clone()}</td>
                                        <td>{state_chip(&h)}</td>
                                        {(command && h.evac.is_some()).then(|| view! { <td><HouseholdForm f h=h.clone() compact=true/></td> })}
                                    </tr>
                                </For>
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </div>
    }
}

/// The grid worker's phone: their households on the list, one card each.
#[component]
pub fn PhoneList(f: Flood) -> impl IntoView {
    let listed = move || f.board.with(|b| b.households.iter().filter(|h| h.evac.is_some()).cloned().collect::<Vec<HouseholdRow>>());
    let empty = Memo::new(move |_| f.board.with(|b| b.households.iter().all(|h| h.evac.is_none())));
    view! {
        <div class="flood-cards">
            {move || f.error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="flood-error">{e}</p> })}
            {move || f.queued.get().map(|m| view! { <p class="note queued" role="status" data-testid="flood-queued">{m}</p> })}
            {move || {
                if empty.get() {
                    return view! { <p class="state empty" data-testid="no-households">{bi("您的网格没有需要转移的住户。下达转移名单后会在这里出现。", "No household of your grids is on an evacuation list. They appear here once a list is issued.")}</p> }.into_any();
                }
                view! {
                    <For each=listed key=|h: &HouseholdRow| (h.household_id, h.evac.as_ref().map(|e| e.version)) let:h>
                        <article class="panel flood-card" data-testid="flood-household" data-household=h.household_id class:vulnerable=h.vulnerable>
                            <header>
                                <strong>{h.address.clone()}" "{h.unit.clone()}</strong>
                                <span>{floor_text(h.floor)}" · "{pick(&format!("{} 人", h.members), &format!("{} people", h.members)).to_string()}</span>
                            </header>
                            <div class="resident-list">{residents(&h)}</div>
                            {state_chip(&h)}
                            <HouseholdForm f h=h.clone() compact=false/>
                        </article>
                    </For>
                }
                .into_any()
            }}
        </div>
    }
}

/// The next states of a household, with the head count (the household's size by default), the
/// shelter and the reason where they are needed.
#[component]
fn HouseholdForm(f: Flood, h: HouseholdRow, compact: bool) -> impl IntoView {
    let shelters = f.board.with_untracked(|b| b.shelters.clone());
    let Some(evac) = h.evac.clone() else { return ().into_any() };
    let next: Vec<EvacState> = EvacState::ALL.into_iter().filter(|s| evac.state.may_become(*s)).collect();
    if next.is_empty() {
        return ().into_any();
    }
    let choice = RwSignal::new(next[0]);
    let count = RwSignal::new(h.members.to_string());
    let shelter = RwSignal::new(shelters.iter().find(|s| s.occupancy < s.capacity).or(shelters.first()).map(|s| s.id));
    let reason = RwSignal::new(String::new());
    let over = RwSignal::new(false);
    let household_id = h.household_id;
    let version = evac.version;
    let send = move |_| {
        let state = choice.get_untracked();
        let u = EvacUpdate {
            household_id,
            state,
            headcount: state.is_out().then(|| count.get_untracked().trim().parse().unwrap_or(0)),
            shelter_id: (state == EvacState::AtShelter).then(|| shelter.get_untracked()).flatten(),
            reason: reason.get_untracked(),
            override_full: over.get_untracked(),
            version,
        };
        f.act(FloodAction::Update(u), || ());
    };
    view! {
        <div class=if compact { "evac-form compact" } else { "evac-form" }>
            <div class="evac-choices" role="group">
                {next.into_iter().map(|s| view! {
                    <button type="button" class="btn" class:primary=move || choice.get() == s aria-pressed=move || (choice.get() == s).to_string()
                        data-testid=format!("evac-{}", s.code()) on:click=move |_| choice.set(s)>
                        {pick(s.name_zh(), s.name_en()).to_string()}
                    </button>
                }).collect_view()}
            </div>
            <Show when=move || choice.get().is_out()>
                <label>{bi("转移人数", "People moved")}
                    <input type="number" min="1" data-testid="evac-count" prop:value=move || count.get() on:input=move |e| count.set(event_target_value(&e))/>
                </label>
            </Show>
            <Show when=move || choice.get() == EvacState::AtShelter>
                <label>{bi("安置点", "Shelter")}
                    <select data-testid="evac-shelter" on:change=move |e| shelter.set(event_target_value(&e).parse().ok())>
                        {shelters.iter().map(|s| {
                            let id = s.id;
                            let name = s.name.clone();
                            // The occupancy as it stands now, not when the row was drawn.
                            let label = move || f.board.with(|b| {
                                let (o, c) = b.shelters.iter().find(|x| x.id == id).map(|x| (x.occupancy, x.capacity)).unwrap_or_default();
                                pick(&format!("{name}（{o}/{c}）"), &format!("{name} ({o}/{c})")).to_string()
                            });
                            view! { <option value=id selected=move || shelter.get() == Some(id)>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="check"><input type="checkbox" data-testid="evac-override" prop:checked=move || over.get() on:change=move |e| over.set(event_target_checked(&e))/>
                    {bi("超员入住", "Over capacity")}</label>
            </Show>
            <Show when=move || choice.get() == EvacState::Refused || (choice.get() == EvacState::AtShelter && over.get())>
                <input type="text" maxlength="200" data-testid="evac-reason" placeholder=bi("原因（拒绝转移、超员入住须填写）", "Reason (for a refusal or over capacity)")
                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
            </Show>
            <button class="btn primary" data-testid="evac-submit" disabled=move || f.busy.get() on:click=send>{bi("登记", "Record")}</button>
        </div>
    }
    .into_any()
}

/// Shelters with their occupancy.
#[component]
pub fn Shelters(f: Flood) -> impl IntoView {
    view! {
        <div class="panel flood-shelters">
            <h3>{bi("安置点", "Shelters")}</h3>
            <ul data-testid="shelters">
                {move || f.board.get().shelters.into_iter().map(|s| {
                    let pct = (s.occupancy * 100 / s.capacity.max(1)).min(100);
                    let full = s.occupancy >= s.capacity;
                    view! {
                        <li data-testid="shelter" data-shelter=s.id>
                            <strong>{s.name.clone()}</strong>
                            <span data-testid="shelter-occupancy" class:u-red=full>{pick(&format!("{} / {} 人", s.occupancy, s.capacity), &format!("{} / {}", s.occupancy, s.capacity)).to_string()}</span>
                            <div class="occupancy-bar"><span style=format!("width:{pct}%")></span></div>
                            <small>{s.address.clone()}{(!s.supplies.is_empty()).then(|| format!(" · {}", s.supplies))}</small>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Checkpoints and the people they turned away.
#[component]
pub fn Checkpoints(f: Flood, command: bool) -> impl IntoView {
    let name = RwSignal::new(String::new());
    view! {
        <div class="panel flood-checkpoints">
            <h3>{bi("卡点劝离", "Checkpoints")}</h3>
            {move || {
                let b = f.board.get();
                let running = b.response.as_ref().is_some_and(|r| r.stood_down_at.is_none());
                let total: i64 = b.checkpoints.iter().map(|c| c.turned_away).sum();
                view! {
                    <p data-testid="turned-away-total">{pick(&format!("累计劝离 {total} 人"), &format!("{total} turned away")).to_string()}</p>
                    <ul>
                        {b.checkpoints.into_iter().map(|c| {
                            let id = c.id;
                            view! {
                                <li data-testid="checkpoint">{c.name.clone()}" · "{pick(&format!("{} 人", c.turned_away), &format!("{}", c.turned_away)).to_string()}
                                    {running.then(|| view! {
                                        <button class="btn" data-testid="turn-away-10" on:click=move |_| f.act(FloodAction::TurnAway { checkpoint: id, people: 10 }, || ())>"+10"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(command && running).then(|| view! {
                        <div class="row-actions">
                            <input type="text" maxlength="40" data-testid="checkpoint-name" placeholder=bi("卡点名称，如 磁器口正街口", "Checkpoint, e.g. the old-town gate")
                                prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/>
                            <button class="btn" data-testid="checkpoint-add" on:click=move |_| f.act(FloodAction::Checkpoint { name: name.get_untracked() }, move || name.set(String::new()))>{bi("设立卡点", "Set up")}</button>
                        </div>
                    })}
                }
            }}
            <p class="hint">{bi("水位单位：米（吴淞高程）。", "Levels in metres above the Wusong datum.")}</p>
        </div>
    }
}
