//! Navigation: a side rail on desktop, a bottom bar on phones.

use crate::i18n::{bi, tr, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The areas of Zhizhi, in the order a coordinator uses them. `None` marks an area that is not
/// built yet: it is shown, greyed, so users see what is coming, but cannot be opened.
const AREAS: [(Msg, &str, Option<&str>); 10] = [
    (Msg::NavCommand, "◉", Some("/")),
    (Msg::NavCases, "☰", Some("/board")),
    (Msg::NavGrids, "▦", Some("/admin/grids")),
    (Msg::NavPeople, "⌂", Some("/people")),
    (Msg::NavDevices, "◈", Some("/iot")),
    (Msg::NavPlans, "⚑", Some("/plans")),
    (Msg::NavInspection, "✓", Some("/enterprises")),
    (Msg::NavFlood, "≋", Some("/flood")),
    (Msg::NavAnalysis, "▤", Some("/kpis")),
    (Msg::NavAdmin, "⚙", Some("/admin/users")),
];

/// The desktop side rail.
#[component]
pub fn SideNav() -> impl IntoView {
    view! {
        <nav class="side-nav" aria-label=bi("主导航", "Main navigation")>
            {AREAS.into_iter().map(|(msg, icon, href)| nav_item(msg, icon, href)).collect_view()}
        </nav>
    }
}

/// The phone's bottom bar: four large targets within reach of a thumb.
#[component]
pub fn BottomNav() -> impl IntoView {
    let items = [
        (Msg::PhoneHome, "◉", Some("/")),
        (Msg::PhoneTasks, "☰", Some("/m/tasks")),
        (Msg::PhoneReport, "＋", Some("/report")),
        (Msg::PhoneMe, "☺", Some("/my-grid")),
    ];
    view! {
        <nav class="bottom-nav" aria-label=bi("底部导航", "Bottom navigation")>
            {items.into_iter().map(|(msg, icon, href)| nav_item(msg, icon, href)).collect_view()}
        </nav>
    }
}

fn nav_item(msg: Msg, icon: &'static str, href: Option<&'static str>) -> impl IntoView {
    let location = use_location();
    // An area is current when the path is its address or lies below its section.
    let current = move || {
        let path = location.pathname.get();
        href.is_some_and(|h| is_current(h, &path))
    };
    match href {
        Some(href) => view! {
            <a class="nav-item" class:active=current href=href aria-current=move || current().then_some("page")>
                <span class="icon" aria-hidden="true">{icon}</span>
                <span class="label">{tr(msg)}</span>
            </a>
        }
        .into_any(),
        None => view! {
            <span class="nav-item soon" aria-disabled="true">
                <span class="icon" aria-hidden="true">{icon}</span>
                <span class="label">{tr(msg)}</span>
                <small class="soon-tag">{tr(Msg::Soon)}</small>
            </span>
        }
        .into_any(),
    }
}

/// Whether the area at `href` is the current one at `path`: its own address (and pages below
/// it), or a page of its section (`/admin/…` for `/admin/users`) that no area owns itself — so
/// on `/admin/grids` only the grid area is current, not the administration as well.
fn is_current(href: &str, path: &str) -> bool {
    let own = |h: &str| if h == "/" { path == "/" } else { path == h || path.starts_with(&format!("{h}/")) };
    if own(href) {
        return true;
    }
    if AREAS.iter().filter_map(|a| a.2).any(own) {
        return false;
    }
    SECTIONS.iter().any(|(section, owner)| *owner == href && (path == *section || path.starts_with(&format!("{section}/"))))
}

/// Sections and the area they belong to: any page of `/admin/…` that no area owns itself is
/// the administration's.
const SECTIONS: [(&str, &str); 2] = [("/admin", "/admin/users"), ("/activations", "/plans")];

#[cfg(test)]
mod tests {
    #[test]
    fn which_area_is_current() {
        let table = [
            ("/", "/", true),
            ("/", "/board", false),
            ("/report", "/report", true),
            ("/report", "/my-grid", false),
            ("/my-grid", "/report", false),
            ("/admin/users", "/admin/audit", true),
            ("/admin/grids", "/admin/audit", false),
            ("/admin/users", "/admin/grids", false),
            ("/admin/grids", "/admin/grids", true),
            ("/m/tasks", "/m/tasks", true),
            ("/board", "/cases/3", false),
        ];
        for (href, path, current) in table {
            assert_eq!(super::is_current(href, path), current, "{href} at {path}");
        }
    }
}
