//! The command centre's clock, in Beijing time.

use leptos::prelude::*;
use crate::i18n::pick;
use zhizhi_shared::time::{beijing_datetime, beijing_weekday, beijing_weekday_en};

/// Beijing date, weekday and time, ticking every second once the page is hydrated. The server
/// renders a placeholder, since its clock and the browser's are not the same instant.
#[component]
pub fn Clock() -> impl IntoView {
    let now = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        now.set(Some(js_now()));
        #[cfg(feature = "hydrate")]
        {
            let handle = set_interval_with_handle(move || now.set(Some(js_now())), std::time::Duration::from_secs(1));
            if let Ok(handle) = handle {
                on_cleanup(move || handle.clear());
            }
        }
    });
    view! {
        <div class="clock" data-testid="clock">
            {move || match now.get() {
                Some(ms) => format!("{} {}", beijing_datetime(ms), pick(beijing_weekday(ms), beijing_weekday_en(ms))),
                None => "----:--:-- --:--:--".to_string(),
            }}
        </div>
    }
}

pub(crate) fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

/// The browser's time, refreshed every `period`; `None` during server rendering and until
/// hydration, so that times relative to now never differ between the two.
pub fn use_now(period: std::time::Duration) -> RwSignal<Option<i64>> {
    let now = RwSignal::new(None::<i64>);
    Effect::new(move |_| {
        now.set(Some(js_now()));
        #[cfg(feature = "hydrate")]
        {
            if let Ok(handle) = set_interval_with_handle(move || now.set(Some(js_now())), period) {
                on_cleanup(move || handle.clear());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = period;
    });
    now
}
