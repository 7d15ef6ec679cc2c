//! The device list and the alarm log as Excel workbooks: what the user's screens show them
//! (grid workers their grids' devices), whole, with the residents a device watches over masked
//! as on screen; one audit entry per export naming it and its row count.

use super::Devices;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::iot::AlarmFilter;
use crate::xlsx::{workbook, Cell, Sheet};
use zhizhi_shared::auth::Principal;
use zhizhi_shared::iot::DeviceQuery;
use zhizhi_shared::time::{beijing_datetime, beijing_stamp};

/// The most alarms one export holds (newest first).
pub const MAX_ALARMS: i64 = 100_000;

fn when(ms: Option<i64>) -> Cell {
    ms.map_or(Cell::Empty, |t| Cell::from(beijing_datetime(t)))
}

impl Devices {
    /// The devices matching `q` (as the list shows them, every page) as a workbook, and its name.
    pub async fn export(&self, me: &Principal, q: &DeviceQuery, now: i64) -> ServiceResult<(String, Vec<u8>)> {
        let mut q = q.clone();
        q.limit = Some(1000);
        q.offset = Some(0);
        let mut devices = Vec::new();
        loop {
            let page = self.list(me, &q, now).await?;
            let last = page.devices.len() < 1000;
            devices.extend(page.devices);
            if last {
                break;
            }
            q.offset = Some(devices.len());
        }
        let mut rows = vec![["编号", "类型", "型号", "地址", "楼层", "网格", "在线", "最后上报（北京时间）", "电量（%）", "读数", "未结束告警", "关爱对象", "在用"].map(Cell::from).to_vec()];
        for d in &devices {
            let alarms: Vec<&str> = d.open_alarms.iter().map(|a| a.rule.name_zh()).collect();
            rows.push(vec![
                d.code.as_str().into(),
                d.kind.name_zh().into(),
                d.model.as_str().into(),
                d.address.as_str().into(),
                d.floor.map_or(Cell::Empty, |f| Cell::from(i64::from(f))),
                d.grid_name.as_str().into(),
                if d.online { "在线" } else if d.last_heard.is_some() { "离线" } else { "从未上报" }.into(),
                when(d.last_heard),
                d.battery.map_or(Cell::Empty, |b| Cell::from(i64::from(b))),
                d.value.into(),
                alarms.join("、").into(),
                d.resident.clone().unwrap_or_default().into(),
                if d.retired { "已停用" } else { "在用" }.into(),
            ]);
        }
        let n = devices.len();
        self.store.append_audit(now, &me.username, "export_devices", "devices", &format!("导出设备表 {n} 台")).await?;
        let name = format!("物联设备-{}.xlsx", beijing_stamp(now));
        Ok((name, workbook(&[Sheet { name: "物联设备".into(), rows }])))
    }

    /// The alarm log (open ones only, or of one rule) as a workbook, newest first, and its name.
    pub async fn export_alarms(&self, me: &Principal, open_only: bool, rule: Option<&str>, now: i64) -> ServiceResult<(String, Vec<u8>)> {
        let grids = super::may_see_devices(me)?;
        let rule = match rule.filter(|r| !r.is_empty()) {
            Some(r) => Some(zhizhi_shared::iot::Rule::from_code(r).ok_or_else(|| ServiceError::invalid("rule", format!("没有规则「{r}」")))?),
            None => None,
        };
        self.ready().await?;
        let mut alarms = self.store.alarms(&AlarmFilter { open_only, rule, limit: MAX_ALARMS, ..Default::default() }).await?;
        if let Some(g) = grids {
            let reg = self.ingest.registry.read().expect("registry lock");
            alarms.retain(|a| reg.by_id(a.device_id).is_some_and(|d| g.contains(&d.rec.grid_id)));
        }
        let mut rows = vec![["告警时间（北京时间）", "恢复时间", "设备编号", "设备类型", "告警规则", "级别", "详情", "地址", "事件编号", "核查结论", "核查说明"].map(Cell::from).to_vec()];
        for a in &alarms {
            rows.push(vec![
                beijing_datetime(a.raised_at).into(),
                when(a.cleared_at),
                a.device_code.as_str().into(),
                a.device_kind.name_zh().into(),
                a.rule.name_zh().into(),
                a.level.name_zh().into(),
                a.detail.as_str().into(),
                a.address.as_str().into(),
                a.case_number.clone().unwrap_or_default().into(),
                a.outcome.map_or("", |o| o.name_zh()).into(),
                a.outcome_note.as_str().into(),
            ]);
        }
        let n = alarms.len();
        let what = if open_only { "未结束告警" } else { "告警记录" };
        self.store.append_audit(now, &me.username, "export_alarms", "alarms", &format!("导出{what} {n} 条")).await?;
        let name = format!("{what}-{}.xlsx", beijing_stamp(now));
        Ok((name, workbook(&[Sheet { name: what.into(), rows }])))
    }
}
