//! Server functions for devices, alarms and device health.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::iot::{AlarmView, DeviceList, DevicePage, DeviceQuery, Health};

/// Devices the signed-in user may see, filtered.
#[server(prefix = "/fn", input = Json)]
pub async fn get_devices(query: DeviceQuery) -> Result<DeviceList, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.devices(&me, query).await.map_err(ServerFnError::new)
}

/// One device: state, newest messages, alarms.
#[server(prefix = "/fn")]
pub async fn get_device(id: i64) -> Result<DevicePage, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.device(&me, id).await.map_err(ServerFnError::new)
}

/// Alarms, newest first.
#[server(prefix = "/fn")]
pub async fn get_alarms(open_only: bool) -> Result<Vec<AlarmView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.alarms(&me, open_only).await.map_err(ServerFnError::new)
}

/// Online rates, low batteries, false-alarm rates.
#[server(prefix = "/fn")]
pub async fn get_iot_health() -> Result<Health, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.iot_health(&me).await.map_err(ServerFnError::new)
}
