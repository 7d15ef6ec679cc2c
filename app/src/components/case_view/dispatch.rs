//! The dispatch dialog: the suggested post is already chosen, so dispatching it is one click.

use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::case::view::{CaseSummary, PostRef};
use zhizhi_shared::case::Holder;

/// The dispatch dialog: the suggested post is already chosen, so dispatching it is one click.
#[component]
pub(super) fn DispatchDialog(
    case: CaseSummary,
    posts: Vec<PostRef>,
    suggested: Option<i64>,
    busy: RwSignal<bool>,
    on_cancel: Callback<()>,
    on_dispatch: Callback<(Vec<Holder>, String)>,
) -> impl IntoView {
    let chosen = RwSignal::new(suggested.map(Holder::Post).into_iter().collect::<Vec<_>>());
    let note = RwSignal::new(String::new());
    let busy_holders: Vec<Holder> = case.tasks.iter().filter(|t| t.state.is_open()).map(|t| t.holder).collect();
    let toggle = move |h: Holder| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == h) { c.remove(i); } else { c.push(h); });
    let mut boards: Vec<(String, String, Vec<PostRef>)> = Vec::new();
    for p in posts {
        match boards.iter_mut().find(|b| b.0 == p.board) {
            Some(b) => b.2.push(p),
            None => boards.push((p.board.clone(), p.board_code.clone(), vec![p])),
        }
    }
    let chip = move |h: Holder, label: String, is_suggested: bool, taken: bool| {
        view! {
            <button type="button" class="post-chip" class:suggested=is_suggested class:chosen=move || chosen.get().contains(&h)
                disabled=taken aria-pressed=move || chosen.get().contains(&h).to_string()
                data-testid="post-chip" data-name=label.clone() on:click=move |_| toggle(h)>
                {label.clone()}
                {is_suggested.then(|| view! { <small>{bi("建议", "suggested")}</small> })}
            </button>
        }
    };
    let grid_chip = case.grid_id.map(|g| {
        let taken = busy_holders.contains(&Holder::Grid(g));
        let name = pick(&format!("网格员 {}", case.grid_worker), &format!("Grid worker {}", case.grid_worker)).to_string();
        chip(Holder::Grid(g), name, false, taken)
    });
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dispatch-title" data-testid="dispatch-dialog"
                on:click=|e| e.stop_propagation()>
                <h3 id="dispatch-title">{bi("派遣", "Dispatch")}" · "{case.number.clone()}</h3>
                <p class="note">
                    {bi(
                        "可同时选择多个岗位，各岗位并行处置，全部反馈后进入核查。",
                        "Choose one or more posts; they work in parallel, and the case goes to verification when all have reported back.",
                    )}
                </p>
                {boards.into_iter().map(|(name, code, posts)| view! {
                    <fieldset class=format!("board-group board-{code}")>
                        <legend>{name}</legend>
                        {posts.into_iter().map(|p| {
                            let h = Holder::Post(p.id);
                            chip(h, p.name.clone(), Some(p.id) == suggested, busy_holders.contains(&h))
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
                {grid_chip.map(|c| view! { <fieldset class="board-group"><legend>{bi("网格", "Grid")}</legend>{c}</fieldset> })}
                <label class="dispatch-note">{bi("派遣意见（可选）", "Instruction (optional)")}
                    <input type="text" data-testid="dispatch-note" prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e))/>
                </label>
                <div class="actions">
                    <button class="act primary" data-testid="dispatch-confirm" disabled=move || busy.get() || chosen.get().is_empty()
                        on:click=move |_| on_dispatch.run((chosen.get_untracked(), note.get_untracked()))>
                        {move || {
                            let n = chosen.get().len();
                            pick(&format!("确认派遣（{n}）"), &format!("Dispatch ({n})")).to_string()
                        }}
                    </button>
                    <button class="act" on:click=move |_| on_cancel.run(())>{bi("取消", "Cancel")}</button>
                </div>
            </div>
        </div>
    }
}

