//! Zhizhi's user interface: Leptos components, rendered on the server and hydrated in the
//! browser, and the server functions they call.
//!
//! With feature `ssr` this crate is linked into the server; with `hydrate` it is the wasm
//! bundle. Server functions reach the rest of the server only through [`backend::Backend`],
//! which the server crate implements, so this crate never touches the database.

// Leptos view types nest deeply (the map's panels, the grid editor); the default limit of 128
// is not enough for the optimised wasm build.
#![recursion_limit = "256"]

pub mod api;
pub mod browser;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod format;
pub mod i18n;
pub mod mapgl;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, StaticSegment};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#0a1628"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The grid worker's phone app: installable, and usable without a signal.
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/zhizhi-192.png"/>
                <link rel="stylesheet" id="leptos" href=style_href(&options)/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The address of the site's styles: under their content-hashed name when the server named the
/// bundle by content (the same hashes file Leptos reads for the script and the wasm).
fn style_href(options: &LeptosOptions) -> String {
    let name = &options.output_name;
    #[cfg(feature = "ssr")]
    if options.hash_files
        && let Ok(hashes) = std::fs::read_to_string(&*options.hash_file)
        && let Some(hash) = hashes.lines().find_map(|l| l.strip_prefix("css:"))
    {
        return format!("/{}/{name}.{}.css", options.site_pkg_dir, hash.trim());
    }
    format!("/{}/{name}.css", options.site_pkg_dir)
}

/// The Content-Security-Policy of a page: our own scripts only — the inline hydration scripts
/// carry this response's nonce — and the wasm (`'wasm-unsafe-eval'`); MapLibre's worker is a
/// `blob:`; inline styles are allowed (the views set `style` attributes); no frames, no
/// plugins, no other origin for anything.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page's Content-Security-Policy header with the nonce of this response.
#[cfg(feature = "ssr")]
fn page_policy() {
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = http::HeaderValue::from_str(&page_csp(&nonce.to_string()))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The application: routes and the context every page shares.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    i18n::provide_lang();
    let lang = i18n::use_lang();
    view! {
        <Title text=move || format!("{} · {}", i18n::t(lang.get(), i18n::Msg::Product), i18n::t(lang.get(), i18n::Msg::Centre))/>
        <Router>
            <Routes fallback=pages::not_found::NotFound>
                <Route path=StaticSegment("") view=pages::command::CommandCentre/>
                <Route path=StaticSegment("login") view=pages::login::LoginPage/>
                <Route path=StaticSegment("my-grid") view=pages::my_grid::MyGridPage/>
                <Route path=(StaticSegment("account"), StaticSegment("password")) view=pages::password::PasswordPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("users")) view=pages::admin::users::UsersPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=pages::admin::audit::AuditPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("grids")) view=pages::admin::grids::GridsPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("keys")) view=pages::admin::keys::KeysPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("import")) view=pages::admin::import::ImportPage/>
                <Route path=StaticSegment("board") view=pages::board::BoardPage/>
                <Route path=(StaticSegment("cases"), ParamSegment("id")) view=pages::case_page::CasePage/>
                <Route path=(StaticSegment("m"), StaticSegment("tasks")) view=pages::phone_tasks::TasksPage/>
                <Route path=StaticSegment("report") view=pages::report::ReportPage/>
                <Route path=StaticSegment("r") view=pages::public_report::PublicReportPage/>
                <Route path=(StaticSegment("f"), ParamSegment("token")) view=pages::follow::FollowPage/>
                <Route path=StaticSegment("iot") view=pages::iot::HealthPage/>
                <Route path=StaticSegment("alarms") view=pages::iot::AlarmsPage/>
                <Route path=StaticSegment("devices") view=pages::iot::DevicesPage/>
                <Route path=(StaticSegment("devices"), ParamSegment("id")) view=pages::iot::DevicePage/>
                <Route path=StaticSegment("plans") view=pages::plans::PlansPage/>
                <Route path=StaticSegment("kpis") view=pages::kpis::KpisPage/>
                <Route path=StaticSegment("flood") view=pages::flood::FloodPage/>
                <Route path=StaticSegment("people") view=pages::people::PeoplePage/>
                <Route path=(StaticSegment("people"), StaticSegment("buildings"), ParamSegment("id")) view=pages::people::BuildingPage/>
                <Route path=(StaticSegment("people"), StaticSegment("residents"), ParamSegment("id")) view=pages::people::resident::ResidentPage/>
                <Route path=StaticSegment("enterprises") view=pages::enterprises::EnterprisesPage/>
                <Route path=(StaticSegment("enterprises"), ParamSegment("id")) view=pages::enterprises::detail::EnterprisePage/>
                <Route path=(StaticSegment("inspections"), ParamSegment("id")) view=pages::enterprises::inspection::InspectionPage/>
                <Route path=StaticSegment("gongshi") view=pages::enterprises::public::PublicDrawsPage/>
                <Route path=(StaticSegment("plans"), StaticSegment("new")) view=pages::plan_edit::PlanEditPage/>
                <Route path=(StaticSegment("plans"), ParamSegment("id"), StaticSegment("edit")) view=pages::plan_edit::PlanEditPage/>
                <Route path=(StaticSegment("activations"), ParamSegment("id")) view=pages::incident::IncidentPage/>
            </Routes>
        </Router>
    }
}

/// Entry point of the wasm bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Every page says when it answers input (the load benchmark times this).
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = html.set_attribute("data-hydrated", "1");
    }
}
