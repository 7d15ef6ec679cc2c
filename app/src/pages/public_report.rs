//! The public report form (`/r`): a resident tells the street office about a problem without an
//! account — what, where, and a phone number for the call back. The answer is a case number
//! and a private link to follow it (`/f/{token}`).

use crate::api::cases::{public_buildings, public_report};
use crate::api::error_text;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::case::view::{BuildingRef, NewCase};
use zhizhi_shared::case::{CATEGORIES, GROUPS};

/// The page at `/r`.
#[component]
pub fn PublicReportPage() -> impl IntoView {
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let place = RwSignal::new(None::<BuildingRef>);
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<zhizhi_shared::case::follow::Receipt>);
    let found = Resource::new(move || query.get(), public_buildings);
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let category_field = NodeRef::<leptos::html::Select>::new();
    let description_field = NodeRef::<leptos::html::Textarea>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(b) = place.get_untracked() else {
            error.set(Some(pick("请输入地址并从列表中选择", "Type the address and pick it from the list").into()));
            return;
        };
        let new = NewCase {
            category: category_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| category.get_untracked()),
            description: description_field.get_untracked().map(|e| e.value()).unwrap_or_else(|| description.get_untracked()),
            building_id: Some(b.id),
            reporter_name: name.get_untracked(),
            reporter_phone: phone.get_untracked(),
            ..Default::default()
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match public_report(new).await {
                Ok(receipt) => done.set(Some(receipt)),
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    let intro = || {
        bi(
            "发现井盖缺失、树木断枝、占道经营、噪声扰民等问题，告诉我们。紧急情况请拨打 110、119。",
            "Tell us about missing manhole covers, broken branches, street vending, noise…  In an emergency call 110 or 119.",
        )
    };
    view! {
        <div class="screen phone public">
            <header class="phone-top">
                <h1>{bi("智治 · 居民随手报", "Zhizhi · Report a problem")}</h1>
            </header>
            <main class="phone-main">
                {move || match done.get() {
                    Some(receipt) => view! {
                        <section class="panel receipt" data-testid="receipt">
                            <h2>{bi("已收到，谢谢您！", "Received, thank you!")}</h2>
                            <p>{bi("事件编号", "Case number")}" "<strong data-testid="receipt-number">{receipt.number}</strong></p>
                            <a class="act big-button" data-testid="follow-link" href=format!("/f/{}", receipt.token)>{bi("查看办理进度", "Follow its progress")}</a>
                            <p class="note">{bi("请收藏这个进度链接：只有您能看到办理情况，办结后可以评价。街道指挥中心会尽快派人处理，并按您留的电话回访。紧急情况请直接拨打 110、119 或 12345。",
                                "Bookmark the progress link: only you can see how it goes, and you can rate the result when done. The street's command centre will send someone and call you back. In an emergency call 110, 119 or 12345.")}</p>
                            <a class="act" href="/r">{bi("再报一件", "Report another")}</a>
                        </section>
                    }.into_any(),
                    None => view! {
                        <form class="panel report-form" on:submit=submit data-testid="public-form" data-ready=move || ready.get().then_some("1")>
                            <p class="note">{intro()}</p>
                            <label>{bi("问题类别", "Category")}
                                <select data-testid="category" node_ref=category_field required
                                    on:change=move |e| category.set(event_target_value(&e))>
                                    <option value="">{bi("请选择", "Choose")}</option>
                                    {GROUPS.iter().map(|g| view! {
                                        <optgroup label=g.name_zh>
                                            {CATEGORIES
                                                .iter()
                                                .filter(|c| c.group == g.code)
                                                .map(|c| view! { <option value=c.code>{c.name_zh}</option> })
                                                .collect_view()}
                                        </optgroup>
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{bi("情况描述", "What is happening")}
                                <textarea data-testid="description" node_ref=description_field rows="3"
                                    prop:value=move || description.get() on:input=move |e| description.set(event_target_value(&e))></textarea>
                            </label>
                            <fieldset class="place">
                                <legend>{bi("地点", "Where")}</legend>
                                <p class="chosen-place" data-testid="chosen-place">
                                    {move || {
                                        place
                                            .get()
                                            .map(|b| b.address)
                                            .unwrap_or_else(|| pick("输入门牌地址后从列表选择", "Type the address, then pick it").to_string())
                                    }}
                                </p>
                                <input type="search" data-testid="address" placeholder=bi("如：磁南街27号", "Street and number, as written in Chinese")
                                    prop:value=move || query.get() on:input=move |e| query.set(event_target_value(&e))/>
                                <ul class="building-list">
                                    <Suspense fallback=|| ()>
                                        {move || found.get().map(|r| r.unwrap_or_default().into_iter().map(|b| {
                                            let b2 = b.clone();
                                            view! {
                                                <li>
                                                    <button type="button" class="building" data-testid="address-option"
                                                        on:click=move |_| place.set(Some(b2.clone()))>{b.address.clone()}</button>
                                                </li>
                                            }
                                        }).collect_view())}
                                    </Suspense>
                                </ul>
                            </fieldset>
                            <label>{bi("您的称呼（可不填）", "Your name (optional)")}
                                <input type="text" data-testid="name" prop:value=move || name.get()
                                    on:input=move |e| name.set(event_target_value(&e))/>
                            </label>
                            <label>{bi("手机号码（用于回访，不会公开）", "Mobile (for the call back, never shown)")}
                                <input type="tel" inputmode="numeric" data-testid="phone" prop:value=move || phone.get()
                                    on:input=move |e| phone.set(event_target_value(&e))/>
                            </label>
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="public-error">{e}</p> })}
                            <button type="submit" class="primary big-button" data-testid="submit" disabled=move || busy.get()>
                                {bi("提交", "Send")}
                            </button>
                        </form>
                    }.into_any(),
                }}
            </main>
        </div>
    }
}
