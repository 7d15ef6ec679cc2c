//! The device registry in the engine's memory: every device by code and by id, with its
//! current state.

use crate::storage::iot::DeviceRecord;
use std::collections::HashMap;
use zhizhi_shared::iot::{self, Watch};

/// A device in the engine's memory.
pub struct Dev {
    pub rec: DeviceRecord,
    /// `last_heard` as last saved.
    pub(super) saved_heard: Option<i64>,
    /// Changed since last saved.
    pub(super) dirty: bool,
}

impl Dev {
    pub fn watch(&self) -> Watch {
        let profile = iot::profile(&self.rec.profile).filter(|p| p.kind == self.rec.kind).unwrap_or_else(|| iot::default_profile(self.rec.kind));
        let care = self.rec.kind == zhizhi_shared::device::DeviceKind::DoorSensor && self.rec.in_care;
        Watch { kind: self.rec.kind, profile, absence_hours: care.then(|| self.rec.absence_hours.unwrap_or(iot::DEFAULT_ABSENCE_HOURS)) }
    }
}

/// Every device, by code and by id, with its current state.
#[derive(Default)]
pub struct Registry {
    pub devices: Vec<Dev>,
    pub(super) by_code: HashMap<String, usize>,
    pub(super) by_id: HashMap<i64, usize>,
}

impl Registry {
    pub(super) fn put(&mut self, rec: DeviceRecord) -> usize {
        match self.by_id.get(&rec.id) {
            Some(&i) => {
                let state = std::mem::take(&mut self.devices[i].rec.state);
                self.by_code.remove(&self.devices[i].rec.code);
                self.by_code.insert(rec.code.clone(), i);
                self.devices[i].rec = DeviceRecord { state, ..rec };
                i
            }
            None => {
                let i = self.devices.len();
                self.by_code.insert(rec.code.clone(), i);
                self.by_id.insert(rec.id, i);
                let saved_heard = rec.state.last_heard;
                self.devices.push(Dev { rec, saved_heard, dirty: false });
                i
            }
        }
    }

    pub fn by_id(&self, id: i64) -> Option<&Dev> {
        self.by_id.get(&id).map(|&i| &self.devices[i])
    }

    pub fn by_code(&self, code: &str) -> Option<&Dev> {
        self.by_code.get(code).map(|&i| &self.devices[i])
    }
}

