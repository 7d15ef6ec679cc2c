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
use leptos_router::{Lazy, ParamSegment, StaticSegment};

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

/// The address of the site's styles, in the folder of the build being served.
fn style_href(options: &LeptosOptions) -> String {
    format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
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
                <Route path=StaticSegment("") view={Lazy::<CommandRoute>::new()}/>
                <Route path=StaticSegment("login") view={Lazy::<LoginRoute>::new()}/>
                <Route path=StaticSegment("my-grid") view={Lazy::<MyGridRoute>::new()}/>
                <Route path=(StaticSegment("account"), StaticSegment("password")) view={Lazy::<PasswordRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("users")) view={Lazy::<UsersRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("audit")) view={Lazy::<AuditRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("grids")) view={Lazy::<GridsRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("keys")) view={Lazy::<KeysRoute>::new()}/>
                <Route path=(StaticSegment("admin"), StaticSegment("import")) view={Lazy::<ImportRoute>::new()}/>
                <Route path=StaticSegment("board") view={Lazy::<BoardRoute>::new()}/>
                <Route path=(StaticSegment("cases"), ParamSegment("id")) view={Lazy::<CaseRoute>::new()}/>
                <Route path=(StaticSegment("m"), StaticSegment("tasks")) view={Lazy::<TasksRoute>::new()}/>
                <Route path=StaticSegment("report") view={Lazy::<ReportRoute>::new()}/>
                <Route path=StaticSegment("r") view={Lazy::<PublicReportRoute>::new()}/>
                <Route path=(StaticSegment("f"), ParamSegment("token")) view={Lazy::<FollowRoute>::new()}/>
                <Route path=StaticSegment("iot") view={Lazy::<HealthRoute>::new()}/>
                <Route path=StaticSegment("alarms") view={Lazy::<AlarmsRoute>::new()}/>
                <Route path=StaticSegment("devices") view={Lazy::<DevicesRoute>::new()}/>
                <Route path=(StaticSegment("devices"), ParamSegment("id")) view={Lazy::<DeviceRoute>::new()}/>
                <Route path=StaticSegment("plans") view={Lazy::<PlansRoute>::new()}/>
                <Route path=StaticSegment("kpis") view={Lazy::<KpisRoute>::new()}/>
                <Route path=StaticSegment("flood") view={Lazy::<FloodRoute>::new()}/>
                <Route path=StaticSegment("people") view={Lazy::<PeopleRoute>::new()}/>
                <Route path=(StaticSegment("people"), StaticSegment("buildings"), ParamSegment("id")) view={Lazy::<BuildingRoute>::new()}/>
                <Route path=(StaticSegment("people"), StaticSegment("residents"), ParamSegment("id")) view={Lazy::<ResidentRoute>::new()}/>
                <Route path=StaticSegment("enterprises") view={Lazy::<EnterprisesRoute>::new()}/>
                <Route path=(StaticSegment("enterprises"), ParamSegment("id")) view={Lazy::<EnterpriseRoute>::new()}/>
                <Route path=(StaticSegment("inspections"), ParamSegment("id")) view={Lazy::<InspectionRoute>::new()}/>
                <Route path=StaticSegment("gongshi") view={Lazy::<PublicDrawsRoute>::new()}/>
                <Route path=(StaticSegment("plans"), StaticSegment("new")) view={Lazy::<PlanEditRoute>::new()}/>
                <Route path=(StaticSegment("plans"), ParamSegment("id"), StaticSegment("edit")) view={Lazy::<PlanEditRoute>::new()}/>
                <Route path=(StaticSegment("activations"), ParamSegment("id")) view={Lazy::<IncidentRoute>::new()}/>
            </Routes>
        </Router>
    }
}

/// Makes every page a lazy route, in groups: in a split build (`cargo leptos build --split`)
/// each group's code is loaded when one of its pages is first shown (the server preloads the
/// group of the page it renders), so a first visit loads the router, the shell and one group.
/// A group gathers the pages one kind of user moves between; code two groups share is loaded
/// with either. (One chunk per page was tried: wasm-split then cuts the shared code into a chunk
/// per set of pages sharing it, some 900 files with 200–450 requests a page.)
macro_rules! lazy_groups {
    ($($group:ident($kind:ident, $preload:ident) { $($route:ident => $($page:ident)::+,)* })*) => {
        $(
            #[doc(hidden)]
            #[derive(Clone, Copy)]
            pub enum $kind { $($route,)* }

            #[leptos::lazy]
            fn $group(page: $kind) -> AnyView {
                match page {
                    $($kind::$route => $($page)::+().into_any(),)*
                }
            }

            $(
                #[doc(hidden)]
                pub struct $route;
                impl leptos_router::LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }
                    async fn view(_this: Self) -> AnyView {
                        $group($kind::$route).await
                    }
                    // The router loads this before it shows (or hydrates) the page: without
                    // it the page would hydrate while its code is still on the way.
                    async fn preload() {
                        #[cfg(feature = "hydrate")]
                        $preload().await;
                    }
                }
            )*
        )*
    };
}

lazy_groups! {
    // Signing in, and what residents open from a link.
    public_pages(PublicPage, __preload_public_pages) {
        LoginRoute => pages::login::LoginPage,
        PasswordRoute => pages::password::PasswordPage,
        PublicReportRoute => pages::public_report::PublicReportPage,
        FollowRoute => pages::follow::FollowPage,
        PublicDrawsRoute => pages::enterprises::public::PublicDrawsPage,
    }
    // The grid worker's phone, and the case page everyone opens.
    phone_pages(PhonePage, __preload_phone_pages) {
        TasksRoute => pages::phone_tasks::TasksPage,
        ReportRoute => pages::report::ReportPage,
        MyGridRoute => pages::my_grid::MyGridPage,
        CaseRoute => pages::case_page::CasePage,
    }
    // The command centre's screens.
    command_pages(CommandPage, __preload_command_pages) {
        CommandRoute => pages::command::CommandCentre,
        BoardRoute => pages::board::BoardPage,
        KpisRoute => pages::kpis::KpisPage,
        FloodRoute => pages::flood::FloodPage,
        PlansRoute => pages::plans::PlansPage,
        IncidentRoute => pages::incident::IncidentPage,
        HealthRoute => pages::iot::HealthPage,
        AlarmsRoute => pages::iot::AlarmsPage,
    }
    // The registers: people, buildings, enterprises, inspections, devices.
    register_pages(RegisterPage, __preload_register_pages) {
        PeopleRoute => pages::people::PeoplePage,
        BuildingRoute => pages::people::BuildingPage,
        ResidentRoute => pages::people::resident::ResidentPage,
        EnterprisesRoute => pages::enterprises::EnterprisesPage,
        EnterpriseRoute => pages::enterprises::detail::EnterprisePage,
        InspectionRoute => pages::enterprises::inspection::InspectionPage,
        DevicesRoute => pages::iot::DevicesPage,
        DeviceRoute => pages::iot::DevicePage,
    }
    // Administration.
    admin_pages(AdminPage, __preload_admin_pages) {
        UsersRoute => pages::admin::users::UsersPage,
        AuditRoute => pages::admin::audit::AuditPage,
        GridsRoute => pages::admin::grids::GridsPage,
        KeysRoute => pages::admin::keys::KeysPage,
        ImportRoute => pages::admin::import::ImportPage,
        PlanEditRoute => pages::plan_edit::PlanEditPage,
    }
}

/// Entry point of the wasm bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The page's own code may be a lazy chunk: it is fetched first, then the page hydrated.
    // Every page says when it answers input (tests and the load benchmark wait for this).
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
        leptos::mount::hydrate_from_async(body, App).await.forget();
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.set_attribute("data-hydrated", "1");
        }
    });
}
