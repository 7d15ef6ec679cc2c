//! The interface's two languages: Chinese (zh-CN), the default, and English.
//!
//! The choice lives in a cookie, so the server renders the page in the user's language and the
//! browser hydrates it without a flash of the other one.

use leptos::prelude::*;

/// A language of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The cookie holding the user's language.
pub const COOKIE: &str = "zz_lang";

impl Lang {
    /// The language named in a `Cookie` header's value, Chinese if none is.
    pub fn from_cookie_header(header: &str) -> Lang {
        let value = header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == COOKIE);
        match value {
            Some((_, "en")) => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The cookie value for this language.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// Every piece of text the interface shows, so that a missing translation fails to compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Product,
    Centre,
    DemoBadge,
    SwitchLanguage,
    NavCommand,
    NavCases,
    NavGrids,
    NavPeople,
    NavDevices,
    NavPlans,
    NavInspection,
    NavFlood,
    NavAnalysis,
    NavAdmin,
    Soon,
    StreetOverview,
    Communities,
    Grids,
    MicroGrids,
    Buildings,
    Households,
    Residents,
    Enterprises,
    Devices,
    PeopleHousesEnterprises,
    BoardsAndPosts,
    Posts,
    GridNetwork,
    MapComing,
    Loading,
    LoadFailed,
    EmptyStreet,
    PhoneHome,
    PhoneTasks,
    PhoneReport,
    PhoneMe,
    NotFound,
    BackHome,
    LoginTitle,
    Username,
    Password,
    SignIn,
    SigningIn,
    Logout,
    MyGrid,
    MyGridResidents,
    CareCount,
    MaskedNote,
    NoGrid,
    LoginFailed,
}

/// The text of `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    let (zh, en) = match msg {
        Msg::Product => ("智治", "Zhizhi"),
        Msg::Centre => ("基层治理中心", "Grassroots Governance Centre"),
        Msg::DemoBadge => ("示范数据", "Demo data"),
        Msg::SwitchLanguage => ("English", "中文"),
        Msg::NavCommand => ("指挥大屏", "Command"),
        Msg::NavCases => ("事件处置", "Cases"),
        Msg::NavGrids => ("网格管理", "Grids"),
        Msg::NavPeople => ("人房企", "People & places"),
        Msg::NavDevices => ("物联感知", "IoT devices"),
        Msg::NavPlans => ("应急预案", "Contingency plans"),
        Msg::NavInspection => ("企业监管", "Enterprises"),
        Msg::NavFlood => ("防汛", "Flood control"),
        Msg::NavAnalysis => ("统计分析", "Analysis"),
        Msg::NavAdmin => ("系统管理", "Administration"),
        Msg::Soon => ("建设中", "coming"),
        Msg::StreetOverview => ("街道概况", "Street overview"),
        Msg::Communities => ("社区", "Communities"),
        Msg::Grids => ("网格", "Grids"),
        Msg::MicroGrids => ("微网格", "Micro-grids"),
        Msg::Buildings => ("楼栋", "Buildings"),
        Msg::Households => ("房屋", "Households"),
        Msg::Residents => ("居民", "Residents"),
        Msg::Enterprises => ("企业商户", "Enterprises"),
        Msg::Devices => ("物联设备", "IoT devices"),
        Msg::PeopleHousesEnterprises => ("人房企数据", "People, houses, enterprises"),
        Msg::BoardsAndPosts => ("四大板块 · 岗位", "Four boards · posts"),
        Msg::Posts => ("岗位", "posts"),
        Msg::GridNetwork => ("网格分布", "Grid network"),
        Msg::MapComing => ("三维地图载入中……（浏览器不支持 WebGL 时显示此网格示意图）", "Loading the 3D map… (this schematic stays where WebGL is unavailable)"),
        Msg::Loading => ("正在加载…", "Loading…"),
        Msg::LoadFailed => ("数据加载失败，请检查服务器后刷新页面。", "Could not load the data; check the server and reload."),
        Msg::EmptyStreet => (
            "尚未导入街道数据。请用 zhizhi serve --demo 载入示范街道，或由管理员导入本街道数据。",
            "No street loaded yet. Start with zhizhi serve --demo, or ask an administrator to import your street.",
        ),
        Msg::PhoneHome => ("首页", "Home"),
        Msg::PhoneTasks => ("任务", "Tasks"),
        Msg::PhoneReport => ("上报", "Report"),
        Msg::PhoneMe => ("我的", "Me"),
        Msg::NotFound => ("页面不存在", "Page not found"),
        Msg::BackHome => ("返回指挥大屏", "Back to the command screen"),
        Msg::LoginTitle => ("登录智治", "Sign in to Zhizhi"),
        Msg::Username => ("用户名", "Username"),
        Msg::Password => ("密码", "Password"),
        Msg::SignIn => ("登录", "Sign in"),
        Msg::SigningIn => ("正在登录…", "Signing in…"),
        Msg::Logout => ("退出", "Sign out"),
        Msg::MyGrid => ("我的网格", "My grid"),
        Msg::MyGridResidents => ("网格居民", "Residents of my grid"),
        Msg::CareCount => ("重点关爱", "In care"),
        Msg::MaskedNote => ("个人信息已脱敏显示；查看完整信息需说明原因并留痕。", "Personal data is masked; revealing a record needs a stated reason and is recorded."),
        Msg::NoGrid => ("您的账号尚未分配网格，请联系系统管理员。", "No grid is assigned to your account yet; ask an administrator."),
        Msg::LoginFailed => ("登录失败", "Sign-in failed"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

// English names for the names the shared crate gives in Chinese only (`name_zh()`); a new
// variant there fails to compile here until it has one.

/// A role's English name.
pub fn role_en(r: zhizhi_shared::auth::Role) -> &'static str {
    use zhizhi_shared::auth::Role;
    match r {
        Role::Command => "Command centre",
        Role::Post => "Post member",
        Role::GridWorker => "Grid worker",
        Role::Admin => "Administrator",
        Role::District => "District operations centre",
        Role::Approver => "District approver (joint inspections)",
    }
}

/// A board's English name, by its kind's code (the street names its boards itself, in
/// Chinese; the four kinds are fixed). An unknown code has none: the Chinese name stays.
pub fn board_en(code: &str) -> Option<&'static str> {
    use zhizhi_shared::org::BoardKind;
    let kind = BoardKind::ALL.into_iter().find(|k| k.code() == code)?;
    Some(match kind {
        BoardKind::PartyBuilding => "Party building",
        BoardKind::Economy => "Economic development",
        BoardKind::Livelihood => "Public services",
        BoardKind::SafetyLaw => "Safety and rule of law",
    })
}

/// A device kind's English name.
pub fn device_kind_en(k: zhizhi_shared::device::DeviceKind) -> &'static str {
    use zhizhi_shared::device::DeviceKind;
    match k {
        DeviceKind::SmokeDetector => "Smoke detector",
        DeviceKind::DoorSensor => "Door sensor",
        DeviceKind::Camera => "Camera",
        DeviceKind::WaterLevelGauge => "Water gauge",
    }
}

/// A care tag's English name.
pub fn care_tag_en(t: zhizhi_shared::people::CareTag) -> &'static str {
    use zhizhi_shared::people::CareTag;
    match t {
        CareTag::ElderlyAlone => "Elderly, living alone",
        CareTag::LeftBehindChild => "Left-behind child",
        CareTag::Disabled => "Disabled",
        CareTag::Subsistence => "Subsistence allowance",
        CareTag::Veteran => "Veteran",
    }
}

/// An alarm outcome's English name.
pub fn outcome_en(o: zhizhi_shared::iot::Outcome) -> &'static str {
    use zhizhi_shared::iot::Outcome;
    match o {
        Outcome::Handled => "Handled",
        Outcome::FalseAlarm => "False alarm",
        Outcome::Rejected => "Not registered",
    }
}

/// The current language, shared by every component.
#[derive(Clone, Copy)]
pub struct LangContext(pub RwSignal<Lang>);

/// Reads the language from the request (server) or the document's cookie (browser) and
/// provides it to the component tree.
pub fn provide_lang() {
    provide_context(LangContext(RwSignal::new(initial_lang())));
}

/// The current language signal. Outside the component tree (a task spawned without its owner)
/// it is read afresh from the request or the cookie, which [`set_lang`] keeps up to date.
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<LangContext>().map(|c| c.0).unwrap_or_else(|| RwSignal::new(initial_lang()))
}

/// A reactive text in the current language.
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || t(lang.get(), msg)
}

/// A reactive text given in both languages at its place of use: for the many short labels of
/// the case screens, where a [`Msg`] variant each would only move the words away from where
/// they are read. Both languages are still required by the signature.
pub fn bi(zh: &'static str, en: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || if lang.get() == Lang::En { en } else { zh }
}

/// Picks the text of the current language (not reactive: for values computed inside a
/// reactive closure).
pub fn pick<'a>(zh: &'a str, en: &'a str) -> &'a str {
    if use_lang().get_untracked() == Lang::En { en } else { zh }
}

/// Switches the language and remembers the choice for a year.
pub fn set_lang(lang: Lang) {
    use_lang().set(lang);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok()) {
            let _ = doc.set_cookie(&format!("{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()));
        }
    }
}

fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok()).map(Lang::from_cookie_header))
            .unwrap_or_default()
    }
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            .and_then(|d| d.cookie().ok())
            .map(|c| Lang::from_cookie_header(&c))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    Lang::Zh
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_picks_the_language() {
        assert_eq!(Lang::from_cookie_header("a=1; zz_lang=en; b=2"), Lang::En);
        assert_eq!(Lang::from_cookie_header("zz_lang=zh"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header("other=en"), Lang::Zh);
        assert_eq!(Lang::from_cookie_header(""), Lang::Zh);
    }
}
