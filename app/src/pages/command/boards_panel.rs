//! The "141" system's four boards and their posts.

use zhizhi_shared::overview::BoardView;
use crate::i18n::{board_en, pick, tr, use_lang, Msg};
use leptos::prelude::*;

/// Each board with its posts, in the board's colour.
#[component]
pub fn BoardsPanel(boards: Vec<BoardView>) -> impl IntoView {
    let lang = use_lang();
    let name = move |b: &BoardView| {
        let (zh, en) = (b.name.clone(), board_en(&b.code).map(str::to_string).unwrap_or_else(|| b.name.clone()));
        move || {
            lang.track();
            pick(&zh, &en).to_string()
        }
    };
    view! {
        <section class="panel boards-panel" aria-label=tr(Msg::BoardsAndPosts)>
            <h2>{tr(Msg::BoardsAndPosts)}</h2>
            <ul class="boards">
                {boards.into_iter().map(|b| view! {
                    <li class=format!("board board-{}", b.code)>
                        <div class="board-head">
                            <span class="board-name">{name(&b)}</span>
                            <span class="board-count">{b.posts.len()}" "{tr(Msg::Posts)}</span>
                        </div>
                        <ul class="posts">
                            {b.posts.into_iter().map(|p| view! { <li class="post">{p}</li> }).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
