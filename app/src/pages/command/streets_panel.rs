//! The district's view across its streets: each street's open and overdue cases, a click away
//! from that street's queue.

use crate::format::count;
use crate::i18n::bi;
use leptos::prelude::*;
use zhizhi_shared::org::StreetLoad;

/// The streets, the busiest first; a street with overdue cases in red.
#[component]
pub fn StreetsPanel(streets: Vec<StreetLoad>) -> impl IntoView {
    let mut streets = streets;
    streets.sort_by(|a, b| (b.overdue, b.open).cmp(&(a.overdue, a.open)).then(a.id.cmp(&b.id)));
    let total: i64 = streets.iter().map(|s| s.open).sum();
    let n = streets.len();
    view! {
        <section class="panel streets-panel" aria-label=bi("各街道事件", "Cases by street") data-testid="streets-panel">
            <h2>{bi("各街道事件", "Cases by street")}</h2>
            <p class="streets-total">
                {n}{bi(" 个街道 · 未办结 ", " streets · ")}<strong>{count(total)}</strong>{bi(" 件", " open")}
            </p>
            <ul class="streets">
                {streets.into_iter().map(|s| {
                    let late = s.overdue > 0;
                    view! {
                    <li class="street-row" class:overdue=late data-testid="street-row">
                        <a href=format!("/board?street={}", s.id)>
                            <span class="street-row-name">{s.name}</span>
                            <span class="street-row-open"><span class="value">{count(s.open)}</span><span class="unit">{bi("件", "open")}</span></span>
                            <span class="street-row-overdue">{bi("超时 ", "overdue ")}{count(s.overdue)}</span>
                        </a>
                    </li>
                }}).collect_view()}
            </ul>
        </section>
    }
}
