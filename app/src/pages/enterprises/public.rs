//! The public page of the random inspection draws (`/gongshi`, no account): 双随机、一公开 —
//! each year's draw with its seed and rules, the businesses drawn and the inspectors assigned,
//! so that anyone can check it. No business's credit grade is shown.

use crate::api::error_text;
use crate::api::supervision::get_public_draws;
use crate::components::case_view::short_time;
use crate::i18n::{bi, pick, tr, Msg};
use leptos::prelude::*;
use zhizhi_shared::enterprise::view::DrawView;

/// The page at `/gongshi`.
#[component]
pub fn PublicDrawsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_public_draws());
    view! {
        <div class="screen page public">
            <header class="phone-top">
                <h1>{bi("双随机抽查结果公示", "Random inspection draws (public)")}</h1>
            </header>
            <main class="page-main">
                <Suspense fallback=|| view! { <p class="state loading">{tr(Msg::Loading)}</p> }>
                    {move || data.get().map(|r| match r {
                        Ok(list) if list.is_empty() => view! { <p class="empty" data-testid="no-draws">{bi("本街道尚未公示抽查结果。", "No draw has been published yet.")}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(draw).collect_view().into_any(),
                        Err(e) => view! { <p class="state error" role="alert">{error_text(&e)}</p> }.into_any(),
                    })}
                </Suspense>
            </main>
        </div>
    }
}

fn draw(d: DrawView) -> impl IntoView {
    let rates: Vec<String> = ["A", "B", "C", "D"].iter().zip(d.rates).map(|(g, r)| format!("{g} {:.0}%", r * 100.0)).collect();
    view! {
        <section class="panel public-draw" data-testid="public-draw">
            <h2>{pick(&format!("{} 年度双随机抽查", d.brief.year), &format!("{} random inspection draw", d.brief.year)).to_string()}</h2>
            <p data-testid="public-seed">
                {pick(&format!("随机种子 {} · 抽取时间 {} · 共抽中 {} 家", d.brief.seed, short_time(d.brief.drawn_at), d.brief.targets),
                      &format!("Seed {} · drawn {} · {} businesses", d.brief.seed, short_time(d.brief.drawn_at), d.brief.targets)).to_string()}
            </p>
            <p class="hint">
                {pick(&format!("按信用等级确定抽查比例（{}），同一企业一年内检查不超过 {} 次；同一种子、同一名录得到同一结果。", rates.join(pick("，", ", ")), d.yearly_cap),
                      &format!("Shares by credit grade ({}); a business is visited at most {} times a year; the same seed and register give the same draw.", rates.join(", "), d.yearly_cap)).to_string()}
            </p>
            <table class="data">
                <thead><tr><th>{bi("企业名称", "Business")}</th><th>{bi("统一社会信用代码", "Credit code")}</th><th>{bi("地址", "Address")}</th><th>{bi("检查人员", "Inspectors")}</th></tr></thead>
                <tbody>
                    {d.targets.into_iter().map(|t| view! {
                        <tr data-testid="public-target"><td>{t.name}</td><td>{t.credit_code}</td><td>{t.address}</td><td>{t.inspectors.join(pick("、", ", "))}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
