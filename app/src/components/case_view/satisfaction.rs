//! The satisfaction of a closed case on its detail: the rating (the resident's, or a
//! callback's) with the review a low one opened; command staff record a callback's result
//! (回访) and conclude a review (复核) here.

use crate::api::error_text;
use crate::api::follow::{conclude_review, record_callback};
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::follow::{NewRating, Rating, ReviewDone};
use zhizhi_shared::case::view::CaseDetail;
use zhizhi_shared::case::CaseState;
use zhizhi_shared::time::beijing_datetime;

/// 「★★☆☆☆」 for a score of 2.
pub fn stars(score: u8) -> String {
    (1..=5).map(|i| if i <= score { '★' } else { '☆' }).collect()
}

/// The rating box of a closed case (nothing for other cases, and nothing for a closed case
/// without a rating unless the viewer may record a callback).
pub(super) fn satisfaction(me: &Principal, detail: &CaseDetail, on_changed: Callback<CaseDetail>) -> Option<AnyView> {
    let case = &detail.case;
    let command = me.has(Role::Command);
    if case.state != CaseState::Closed || case.drill || (detail.rating.is_none() && !command) {
        return None;
    }
    let id = case.id;
    let body = match detail.rating.clone() {
        Some(r) => rated(r, command, id, on_changed),
        None => view! { <CallbackForm id on_changed/> }.into_any(),
    };
    Some(view! {
        <section class="satisfaction" data-testid="satisfaction">
            <h3>{bi("群众满意度", "Satisfaction")}</h3>
            {body}
        </section>
    }
    .into_any())
}

fn rated(r: Rating, command: bool, id: i64, on_changed: Callback<CaseDetail>) -> AnyView {
    let (zh, en) = r.channel.name();
    let review = r.review.clone().map(|rv| match rv.done_at {
        Some(at) => view! {
            <p class="review done" data-testid="review-done">{bi("已复核", "Reviewed")}" · "{rv.by}" · "{beijing_datetime(at)}{bi("：", ": ")}{rv.note}</p>
        }
        .into_any(),
        None if command => view! { <ReviewForm id on_changed/> }.into_any(),
        None => view! { <p class="review open" data-testid="review-open">{bi("差评待指挥中心复核", "Low rating: the command centre reviews it")}</p> }.into_any(),
    });
    view! {
        <p class=if r.satisfied() { "rating good" } else { "rating low" } data-testid="rating" data-score=r.score.to_string()>
            <span class="stars" aria-label=format!("{} / 5", r.score)>{stars(r.score)}</span>
            " "<strong>{pick(zh, en).to_string()}</strong>" · "{beijing_datetime(r.at)}
        </p>
        {(!r.comment.is_empty()).then(|| view! { <blockquote class="rating-comment" data-testid="rating-comment">{r.comment.clone()}</blockquote> })}
        {review}
    }
    .into_any()
}

/// Command staff record how the callback went: the reporter's rating, and what they said.
#[component]
fn CallbackForm(id: i64, on_changed: Callback<CaseDetail>) -> impl IntoView {
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let (busy, error) = (RwSignal::new(false), RwSignal::new(None::<String>));
    let send = move |_| {
        busy.set(true);
        error.set(None);
        let rating = NewRating { score: score.get_untracked(), comment: comment.get_untracked() };
        spawn_local(async move {
            match record_callback(id, rating).await {
                Ok(d) => on_changed.run(d),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="callback-form" data-testid="callback-form">
            <p class="dim">{bi("尚无评价。电话回访后记录报告人的评价：", "Not rated yet. After calling the reporter back, record their rating:")}</p>
            <StarPicker score/>
            <textarea rows="2" data-testid="callback-comment" placeholder=bi("回访情况（可不填）", "What they said (optional)")
                prop:value=move || comment.get() on:input=move |e| comment.set(event_target_value(&e))></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="callback-error">{e}</p> })}
            <button class="act primary" data-testid="callback-save" disabled=move || busy.get() || score.get() == 0 on:click=send>
                {bi("记录回访结果", "Record the callback")}
            </button>
        </div>
    }
}

/// Command staff conclude the review of a low rating.
#[component]
fn ReviewForm(id: i64, on_changed: Callback<CaseDetail>) -> impl IntoView {
    let note = RwSignal::new(String::new());
    let (busy, error) = (RwSignal::new(false), RwSignal::new(None::<String>));
    let send = move |_| {
        busy.set(true);
        error.set(None);
        let review = ReviewDone { note: note.get_untracked() };
        spawn_local(async move {
            match conclude_review(id, review).await {
                Ok(d) => on_changed.run(d),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="review-form" data-testid="review-form">
            <p class="review open">{bi("差评待复核：联系报告人，核实办理情况，写明复核结果。", "Low rating to review: call the reporter, check the handling, write what you found.")}</p>
            <textarea rows="2" data-testid="review-note" placeholder=bi("复核情况，例如：已回访，重新清掏并向居民说明", "What you found and did")
                prop:value=move || note.get() on:input=move |e| note.set(event_target_value(&e))></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="review-error">{e}</p> })}
            <button class="act primary" data-testid="review-save" disabled=move || busy.get() on:click=send>{bi("复核完成", "Review done")}</button>
        </div>
    }
}

/// Five large star buttons (one hand, outdoors): the score chosen.
#[component]
pub fn StarPicker(score: RwSignal<u8>) -> impl IntoView {
    view! {
        <div class="star-picker" role="radiogroup" aria-label=bi("评分", "Rating") data-testid="stars">
            {(1..=5u8).map(|i| view! {
                <button type="button" class="star" class:on={move || score.get() >= i} role="radio"
                    aria-checked=move || (score.get() == i).to_string() aria-label=format!("{i} / 5")
                    data-testid=format!("star-{i}") on:click=move |_| score.set(i)>
                    {move || if score.get() >= i { "★" } else { "☆" }}
                </button>
            }).collect_view()}
            <span class="star-words" data-testid="star-words">{move || words(score.get())}</span>
        </div>
    }
}

fn words(score: u8) -> String {
    let (zh, en) = match score {
        5 => ("非常满意", "Very satisfied"),
        4 => ("满意", "Satisfied"),
        3 => ("基本满意", "Fairly satisfied"),
        2 => ("不满意", "Dissatisfied"),
        1 => ("很不满意", "Very dissatisfied"),
        _ => ("请点星星评分", "Tap a star"),
    };
    pick(zh, en).to_string()
}
