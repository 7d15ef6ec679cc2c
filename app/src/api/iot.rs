//! Server functions for devices, alarms and device health.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use zhizhi_shared::iot::{AlarmView, DeviceList, DevicePage, DeviceQuery, Health, NewDevice};

/// Devices the signed-in user may see, filtered.
#[server(prefix = "/fn", input = Json)]
pub async fn get_devices(query: DeviceQuery) -> Result<DeviceList, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.devices(&me, query).await.map_err(crate::backend::fail)
}

/// One device: state, newest messages, alarms.
#[server(prefix = "/fn")]
pub async fn get_device(id: i64) -> Result<DevicePage, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.device(&me, id).await.map_err(crate::backend::fail)
}

/// Alarms, newest first.
#[server(prefix = "/fn")]
pub async fn get_alarms(open_only: bool) -> Result<Vec<AlarmView>, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.alarms(&me, open_only).await.map_err(crate::backend::fail)
}

/// Online rates, low batteries, false-alarm rates.
#[server(prefix = "/fn")]
pub async fn get_iot_health() -> Result<Health, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.iot_health(&me).await.map_err(crate::backend::fail)
}

/// Registers a device, or changes the one with its code (administrators): its id.
#[server(prefix = "/fn", input = Json)]
pub async fn save_device(device: NewDevice) -> Result<i64, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.save_device(&me, device).await.map_err(crate::backend::fail)
}

/// Registers or changes devices from CSV text, all lines or none (administrators).
#[server(prefix = "/fn", input = Json)]
pub async fn import_devices(csv: String) -> Result<usize, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.import_devices(&me, csv).await.map_err(crate::backend::fail)
}

/// Takes a device out of service, or back in (administrators).
#[server(prefix = "/fn")]
pub async fn retire_device(id: i64, retired: bool) -> Result<(), ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.retire_device(&me, id, retired).await.map_err(crate::backend::fail)
}

/// Issues a device a new secret; only its hash is kept, so it is shown once.
#[server(prefix = "/fn")]
pub async fn new_device_secret(id: i64) -> Result<String, ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.device_secret(&me, id).await.map_err(crate::backend::fail)
}

/// Sets a resident in care's limit without a door opening (`None`: the 24 h default).
#[server(prefix = "/fn", input = Json)]
pub async fn set_absence_hours(resident_id: i64, hours: Option<i64>) -> Result<(), ServerFnError> {
    let me = crate::backend::require_user()?;
    crate::backend::backend()?.set_absence_hours(&me, resident_id, hours).await.map_err(crate::backend::fail)
}
