//! The reporter's call-back number on a resident's or a hotline caller's case: masked for the
//! staff with the case in their duty, revealed for a stated reason (the server audits it), then
//! one tap to call.

use crate::api::error_text;
use crate::api::follow::{get_contact, reveal_contact};
use crate::i18n::bi;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::auth::{Principal, Role};
use zhizhi_shared::case::follow::Contact;
use zhizhi_shared::case::view::CaseSummary;
use zhizhi_shared::case::Source;

/// Whether `me` is offered the reporter's number on `case` (the server decides again).
pub(super) fn may_call_back(me: &Principal, case: &CaseSummary) -> bool {
    matches!(case.source, Source::Resident | Source::Hotline)
        && (me.has(Role::Command) || me.has(Role::Post) || me.has(Role::GridWorker))
}

/// The contact row of the case facts: read after hydration (never rendered into the page's
/// HTML), masked until revealed.
#[component]
pub(super) fn ReporterContact(id: i64) -> impl IntoView {
    let contact = RwSignal::new(None::<Contact>);
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        spawn_local(async move {
            if let Ok(c) = get_contact(id).await {
                contact.set(c);
            }
        });
    });
    let reveal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match reveal_contact(id, reason.get_untracked()).await {
                Ok(c) => {
                    contact.set(Some(c));
                    asking.set(false);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            busy.set(false);
        });
    };
    move || {
        contact.get().filter(|c| !c.phone.is_empty()).map(|c| {
            let shown = if c.name.is_empty() { c.phone.clone() } else { format!("{} · {}", c.name, c.phone) };
            view! {
                <div class="contact" data-testid="contact">
                    <dt>{bi("回访电话", "Call-back number")}</dt>
                    <dd>
                        {if c.revealed {
                            view! {
                                <a class="act" href=format!("tel:{}", c.phone) data-testid="contact-phone">{shown}</a>
                                <small class="note">{bi("（查看已记入审计日志）", " (this view is in the audit log)")}</small>
                            }.into_any()
                        } else {
                            view! {
                                <span data-testid="contact-masked">{shown}</span>" "
                                <button type="button" class="act" data-testid="reveal-contact" on:click=move |_| asking.set(true)>{bi("查看号码", "Show the number")}</button>
                            }.into_any()
                        }}
                        {move || asking.get().then(|| view! {
                            <form class="reveal-form" on:submit=reveal>
                                <input type="text" data-testid="reveal-reason" required placeholder=bi("查看原因，如：回访核实处理结果", "Why, e.g. calling back about the result")
                                    prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
                                <button type="submit" class="primary" data-testid="reveal-confirm" disabled=move || busy.get()>{bi("确认查看", "Show")}</button>
                            </form>
                        })}
                        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    </dd>
                </div>
            }
        })
    }
}
