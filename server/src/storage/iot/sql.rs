//! The SQL of the device records, the message log, device state and alarms, written once for both engines: a macro
//! that `sqlite.rs` and `postgres.rs` instantiate.

/// Implements [`IotStore`] for `$store`. `$begin` starts a writing transaction.
macro_rules! portable_iot {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::iot::IotStore for $store {
            async fn device_records(&self, id: Option<i64>) -> $crate::storage::Result<Vec<$crate::storage::iot::DeviceRecord>> {
                use $crate::storage::iot::{device_from_row, DeviceCols, DEVICE_SELECT};
                let mut qb = sqlx::QueryBuilder::<$db>::new(DEVICE_SELECT);
                if let Some(id) = id {
                    qb.push(" WHERE d.id = ").push_bind(id);
                }
                qb.push(" ORDER BY d.id");
                let mut out = Vec::new();
                for r in qb.build().fetch_all(&self.pool).await? {
                    use sqlx::Row;
                    out.push(device_from_row(DeviceCols {
                        id: r.try_get(0)?, code: r.try_get(1)?, kind: r.try_get(2)?, model: r.try_get(3)?, profile: r.try_get(4)?,
                        micro_grid_id: r.try_get(5)?, grid_id: r.try_get(6)?, grid_name: r.try_get(7)?, building_id: r.try_get(8)?,
                        floor: r.try_get(9)?, household_id: r.try_get(10)?, address: r.try_get(11)?, unit: r.try_get(12)?,
                        resident_id: r.try_get(13)?, resident_name: r.try_get(14)?, tags: r.try_get(15)?, absence_hours: r.try_get(16)?,
                        secret_hash: r.try_get(17)?, retired_at: r.try_get(18)?, lon: r.try_get(19)?, lat: r.try_get(20)?, state: r.try_get(21)?,
                    })?);
                }
                Ok(out)
            }

            #[tracing::instrument(skip_all, fields(n = msgs.len()))]
            async fn ingest(
                &self,
                msgs: &[$crate::storage::iot::StoredMessage],
                eval: &mut (dyn for<'b> FnMut(&'b [bool]) -> $crate::storage::iot::Evaluated + Send),
            ) -> $crate::storage::Result<(Vec<bool>, Vec<i64>)> {
                use $crate::storage::portable::CHUNK;
                use sqlx::Row;
                use std::collections::HashSet;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                // Among several copies: only while this copy's engine holds the lease.
                self.fence(&mut tx).await?;
                let mut fresh: HashSet<(i64, String)> = HashSet::new();
                for chunk in msgs.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO device_messages (device_id, msg_id, ts, received_at, kind, payload) ");
                    qb.push_values(chunk, |mut b, m| {
                        b.push_bind(m.device_id).push_bind(m.msg_id.as_str()).push_bind(m.ts).push_bind(m.received_at)
                            .push_bind(m.kind.as_str()).push_bind(m.payload.as_str());
                    });
                    qb.push(" ON CONFLICT DO NOTHING RETURNING device_id, msg_id");
                    for r in qb.build().fetch_all(&mut *tx).await? {
                        fresh.insert((r.try_get(0)?, r.try_get(1)?));
                    }
                }
                let new: Vec<bool> = msgs.iter().map(|m| fresh.contains(&(m.device_id, m.msg_id.clone()))).collect();
                let e = eval(&new);
                for chunk in e.states.chunks(CHUNK) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("INSERT INTO device_state (device_id, state) ");
                    qb.push_values(chunk, |mut b, (id, s)| {
                        b.push_bind(*id).push_bind(s.as_str());
                    });
                    qb.push(" ON CONFLICT (device_id) DO UPDATE SET state = excluded.state");
                    qb.build().execute(&mut *tx).await?;
                }
                for (device, rule, at) in &e.clears {
                    sqlx::query("UPDATE alarms SET cleared_at = $3 WHERE device_id = $1 AND rule = $2 AND cleared_at IS NULL")
                        .bind(device).bind(rule.code()).bind(at).execute(&mut *tx).await?;
                }
                for (device, rule, level, detail) in &e.levels {
                    sqlx::query("UPDATE alarms SET level = $3, detail = $4 WHERE device_id = $1 AND rule = $2 AND cleared_at IS NULL")
                        .bind(device).bind(rule.code()).bind(level.code()).bind(detail).execute(&mut *tx).await?;
                }
                let mut raised = Vec::with_capacity(e.raises.len());
                for a in &e.raises {
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO alarms (device_id, rule, level, detail, raised_at, wants_case) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(a.device_id).bind(a.rule.code()).bind(a.level.code()).bind(&a.detail).bind(a.at).bind(i64::from(a.wants_case))
                    .fetch_one(&mut *tx).await?;
                    raised.push(id);
                }
                tx.commit().await?;
                Ok((new, raised))
            }

            async fn recent_messages(&self, device_id: i64, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::iot::MessageView>> {
                let rows: Vec<(String, i64, i64, String, String)> = sqlx::query_as(
                    "SELECT msg_id, ts, received_at, kind, payload FROM device_messages WHERE device_id = $1 ORDER BY ts DESC, received_at DESC LIMIT $2",
                )
                .bind(device_id).bind(limit).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|r| zhizhi_shared::iot::MessageView { msg_id: r.0, ts: r.1, received_at: r.2, kind: r.3, payload: r.4 }).collect())
            }

            async fn has_message(&self, device_id: i64, msg_id: &str) -> $crate::storage::Result<bool> {
                let r: Option<(i64,)> = sqlx::query_as("SELECT device_id FROM device_messages WHERE device_id = $1 AND msg_id = $2")
                    .bind(device_id).bind(msg_id).fetch_optional(&self.pool).await?;
                Ok(r.is_some())
            }

            async fn alarms(&self, f: &$crate::storage::iot::AlarmFilter) -> $crate::storage::Result<Vec<zhizhi_shared::iot::AlarmView>> {
                use $crate::storage::iot::{alarm_from_row, AlarmRow, ALARM_SELECT};
                let mut qb = sqlx::QueryBuilder::<$db>::new(ALARM_SELECT);
                qb.push(" WHERE 1 = 1");
                if f.open_only {
                    qb.push(" AND a.cleared_at IS NULL");
                }
                if let Some(d) = f.device_id {
                    qb.push(" AND a.device_id = ").push_bind(d);
                }
                if let Some(r) = f.rule {
                    qb.push(" AND a.rule = ").push_bind(r.code());
                }
                qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(f.limit);
                let rows: Vec<AlarmRow> = qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(alarm_from_row).collect()
            }

            async fn alarms_without_case(&self) -> $crate::storage::Result<Vec<zhizhi_shared::iot::AlarmView>> {
                use $crate::storage::iot::{alarm_from_row, AlarmRow, ALARM_SELECT};
                let sql = format!("{ALARM_SELECT} WHERE a.wants_case = 1 AND a.case_id IS NULL ORDER BY a.id");
                let rows: Vec<AlarmRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
                rows.into_iter().map(alarm_from_row).collect()
            }

            async fn open_alarm_case(&self, device_id: i64, rule: zhizhi_shared::iot::Rule) -> $crate::storage::Result<Option<i64>> {
                let r: Option<(i64,)> = sqlx::query_as(
                    "SELECT c.id FROM alarms a JOIN cases c ON c.id = a.case_id
                     WHERE a.device_id = $1 AND a.rule = $2 AND c.state NOT IN ('closed', 'rejected') ORDER BY a.id DESC LIMIT 1",
                )
                .bind(device_id).bind(rule.code()).fetch_optional(&self.pool).await?;
                Ok(r.map(|r| r.0))
            }

            async fn false_alarm_rates(&self) -> $crate::storage::Result<(Vec<zhizhi_shared::iot::FalseAlarmRate>, Vec<zhizhi_shared::iot::FalseAlarmRate>)> {
                use zhizhi_shared::iot::{FalseAlarmRate, Rule};
                let by_rule: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT rule, COUNT(outcome), COALESCE(SUM(CASE WHEN outcome = 'false_alarm' THEN 1 ELSE 0 END), 0)
                     FROM alarms WHERE wants_case = 1 GROUP BY rule ORDER BY rule",
                )
                .fetch_all(&self.pool).await?;
                let by_device: Vec<(String, String, i64, i64)> = sqlx::query_as(
                    "SELECT d.code, d.kind, COUNT(a.outcome), SUM(CASE WHEN a.outcome = 'false_alarm' THEN 1 ELSE 0 END) AS f
                     FROM alarms a JOIN devices d ON d.id = a.device_id WHERE a.outcome IS NOT NULL
                     GROUP BY d.code, d.kind HAVING SUM(CASE WHEN a.outcome = 'false_alarm' THEN 1 ELSE 0 END) > 0
                     ORDER BY f DESC, d.code LIMIT 20",
                )
                .fetch_all(&self.pool).await?;
                Ok((
                    by_rule
                        .into_iter()
                        .map(|(r, concluded, false_alarms)| FalseAlarmRate {
                            name: Rule::from_code(&r).map(|r| r.name_zh().to_string()).unwrap_or_else(|| r.clone()),
                            key: r,
                            concluded,
                            false_alarms,
                        })
                        .collect(),
                    by_device
                        .into_iter()
                        .map(|(code, kind, concluded, false_alarms)| FalseAlarmRate {
                            name: zhizhi_shared::device::DeviceKind::from_code(&kind).map(|k| k.name_zh().to_string()).unwrap_or(kind),
                            key: code,
                            concluded,
                            false_alarms,
                        })
                        .collect(),
                ))
            }

            async fn save_devices(&self, rows: &[$crate::storage::iot::DeviceRow], now: i64) -> $crate::storage::Result<Vec<i64>> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let mut ids = Vec::with_capacity(rows.len());
                for d in rows {
                    let known: Option<(i64,)> = sqlx::query_as("SELECT id FROM devices WHERE code = $1").bind(&d.code).fetch_optional(&mut *tx).await?;
                    let id = match known {
                        Some((id,)) => {
                            sqlx::query(
                                "UPDATE devices SET kind = $2, model = $3, profile = $4, micro_grid_id = $5, building_id = $6, floor = $7,
                                    household_id = $8, resident_id = $9, lon = $10, lat = $11 WHERE id = $1",
                            )
                            .bind(id).bind(d.kind.code()).bind(&d.model).bind(&d.profile).bind(d.micro_grid_id).bind(d.building_id)
                            .bind(d.floor).bind(d.household_id).bind(d.resident_id).bind(d.lon).bind(d.lat)
                            .execute(&mut *tx).await?;
                            id
                        }
                        None => {
                            let (id,): (i64,) = sqlx::query_as(
                                "INSERT INTO devices (id, code, kind, model, profile, micro_grid_id, building_id, floor, household_id, resident_id, lon, lat, registered_at)
                                 VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM devices), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                            )
                            .bind(&d.code).bind(d.kind.code()).bind(&d.model).bind(&d.profile).bind(d.micro_grid_id).bind(d.building_id)
                            .bind(d.floor).bind(d.household_id).bind(d.resident_id).bind(d.lon).bind(d.lat).bind(now)
                            .fetch_one(&mut *tx).await?;
                            id
                        }
                    };
                    ids.push(id);
                }
                tx.commit().await?;
                Ok(ids)
            }

            async fn set_device_retired(&self, id: i64, at: Option<i64>) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE devices SET retired_at = $2 WHERE id = $1").bind(id).bind(at).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn set_device_secret(&self, id: i64, hash: &str) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE devices SET secret_hash = $2 WHERE id = $1").bind(id).bind(hash).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn set_absence_hours(&self, resident_id: i64, hours: Option<i64>) -> $crate::storage::Result<bool> {
                let r = sqlx::query("UPDATE residents SET absence_hours = $2 WHERE id = $1").bind(resident_id).bind(hours).execute(&self.pool).await?;
                Ok(r.rows_affected() > 0)
            }

            async fn checkpoint(&self) -> $crate::storage::Result<()> {
                if <Self as $crate::storage::Store>::engine(self) == "sqlite" {
                    sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(self.writer()).await?;
                }
                Ok(())
            }

            async fn prune_messages(&self, before: i64) -> $crate::storage::Result<u64> {
                let r = sqlx::query("DELETE FROM device_messages WHERE received_at < $1").bind(before).execute(&self.pool).await?;
                Ok(r.rows_affected())
            }
        }
    };
}
pub(crate) use portable_iot;
