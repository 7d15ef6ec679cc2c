//! The resident's follow page (`/f/{token}`, no account): where their report stands in plain
//! words, who handles it and by when, the result with its photos when done, and the rating.
//! The token in the link is the key; the page shows no staff names and nobody's data.

use crate::api::error_text;
use crate::api::follow::{get_follow, rate_outcome};
use crate::components::case_view::{stars, StarPicker};
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use zhizhi_shared::case::follow::{FollowView, NewRating};
use zhizhi_shared::time::beijing_datetime;

/// The page at `/f/{token}`.
#[component]
pub fn FollowPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let data = Resource::new(token, get_follow);
    // A rating answers the page as it now stands.
    let rated = RwSignal::new(None::<FollowView>);
    view! {
        <div class="screen phone public">
            <header class="phone-top">
                <h1>{bi("智治 · 办理进度", "Zhizhi · Your report")}</h1>
            </header>
            <main class="phone-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match (rated.get(), r) {
                        (Some(v), _) | (None, Ok(v)) => view! { <Progress v token=token() rated/> }.into_any(),
                        (None, Err(e)) => view! {
                            <section class="panel" data-testid="follow-error">
                                <p class="state error" role="alert">{error_text(&e)}</p>
                                <a class="act" href="/r">{bi("报告新问题", "Report a problem")}</a>
                            </section>
                        }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

#[component]
fn Progress(v: FollowView, token: String, rated: RwSignal<Option<FollowView>>) -> impl IntoView {
    let photos = v.result_photos.iter().map(|p| {
        let (href, src) = (format!("/api/v1/public/follow/{token}/photos/{p}"), format!("/api/v1/public/follow/{token}/photos/{p}"));
        view! { <a href=href target="_blank"><img src=src alt=bi("办理结果照片", "Photo of the result") loading="lazy"/></a> }
    }).collect_view();
    let own = (!v.own_photos.is_empty()).then(|| {
        let imgs = v.own_photos.iter().map(|p| {
            let (href, src) = (format!("/api/v1/public/follow/{token}/photos/{p}"), format!("/api/v1/public/follow/{token}/photos/{p}"));
            view! { <a href=href target="_blank"><img src=src alt=bi("您上传的照片", "Your photo") loading="lazy"/></a> }
        }).collect_view();
        view! {
            <section class="panel">
                <h3>{bi("您上传的照片", "Your photos")}</h3>
                <div class="photos" data-testid="own-photos">{imgs}</div>
            </section>
        }
    });
    let result = v.result.clone().map(|text| view! {
        <section class="panel follow-result" data-testid="follow-result">
            <h3>{bi("办理结果", "Result")}</h3>
            <p>{text}</p>
            <div class="photos" data-testid="result-photos">{photos}</div>
        </section>
    });
    let rating = match (&v.rating, v.may_rate) {
        (Some((score, comment)), _) => Some(view! {
            <section class="panel" data-testid="follow-rated">
                <h3>{bi("您的评价", "Your rating")}</h3>
                <p class="stars" data-score=score.to_string()>{stars(*score)}</p>
                {(!comment.is_empty()).then(|| view! { <blockquote>{comment.clone()}</blockquote> })}
                <p class="note">{bi("感谢您的评价！不满意的评价会由街道指挥中心复核并联系您。", "Thank you! A low rating is reviewed by the street's command centre, who will contact you.")}</p>
            </section>
        }.into_any()),
        (None, true) => Some(view! { <RateForm token=token.clone() rated/> }.into_any()),
        (None, false) => None,
    };
    let (now_zh, now_en) = v.now.clone();
    view! {
        <section class="panel follow" data-testid="follow" data-state=v.state.code()>
            <p class="dim">{bi("事件编号", "Case number")}" "<strong data-testid="follow-number">{v.number.clone()}</strong></p>
            <h2 data-testid="follow-now">{pick(&now_zh, &now_en).to_string()}</h2>
            <p>{pick(&v.category.0, &v.category.1).to_string()}" · "{v.address.clone()}</p>
            <p class="case-desc">{v.description.clone()}</p>
            {(!v.handlers.is_empty()).then(|| view! {
                <p data-testid="follow-handlers">{bi("处理部门", "Handled by")}{bi("：", ": ")}{v.handlers.join(pick("、", ", "))}</p>
            })}
            {v.deadline.map(|d| view! {
                <p data-testid="follow-deadline">{bi("本环节办理时限", "Due by")}{bi("：", ": ")}{beijing_datetime(d)}</p>
            })}
        </section>
        {result}
        {own}
        {rating}
        <section class="panel">
            <h3>{bi("办理经过", "Progress")}</h3>
            <ol class="timeline" data-testid="follow-stages">
                {v.stages.iter().map(|s| view! {
                    <li data-testid="follow-stage"><time>{beijing_datetime(s.at)}</time>" "{pick(&s.zh, &s.en).to_string()}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// After closure: 1–5 stars and a comment, once.
#[component]
fn RateForm(token: String, rated: RwSignal<Option<FollowView>>) -> impl IntoView {
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let (busy, error) = (RwSignal::new(false), RwSignal::new(None::<String>));
    let token = StoredValue::new(token);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let rating = NewRating { score: score.get_untracked(), comment: comment.get_untracked() };
        spawn_local(async move {
            match rate_outcome(token.get_value(), rating).await {
                Ok(v) => rated.set(Some(v)),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel rate-form" data-testid="rate-form" on:submit=send>
            <h3>{bi("办得怎么样？请您评价", "How did we do? Rate it")}</h3>
            <StarPicker score/>
            <textarea rows="3" data-testid="rate-comment" placeholder=bi("想说的话（可不填）", "Anything to add (optional)")
                prop:value=move || comment.get() on:input=move |e| comment.set(event_target_value(&e))></textarea>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="rate-error">{e}</p> })}
            <button type="submit" class="primary big-button" data-testid="rate-submit" disabled=move || busy.get() || score.get() == 0>
                {bi("提交评价", "Send rating")}
            </button>
        </form>
    }
}
