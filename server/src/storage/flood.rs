//! Storage of flood control: gauges' lines and forecasts, zones, shelters, the response with
//! its evacuation list (and the list's history) and checkpoints. Every write bumps one version
//! number in the same transaction, which the flood stream follows.

use async_trait::async_trait;
use zhizhi_shared::flood::view::{CheckpointView, EvacRecord, NewShelter, ResponseView, ShelterView};
use zhizhi_shared::flood::{EvacUpdate, FloodError, Forecast, Gauge, GaugeSettings, NewZone, Zone};
use zhizhi_shared::plan::Level;

/// A household on the evacuation list, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EvacStored {
    pub household_id: i64,
    pub building_id: i64,
    pub members: i64,
    pub record: EvacRecord,
}

/// What became of an evacuation change.
#[derive(Clone, Debug, PartialEq)]
pub enum EvacOutcome {
    Done(EvacRecord),
    /// The household is not on the list.
    NotListed,
    /// The row changed since the user read it.
    Stale,
    /// The rules refused it (`zhizhi_shared::flood::check_update`), decided inside the
    /// transaction so that two workers cannot overfill a shelter together.
    Refused(FloodError),
}

/// Flood control, as every engine stores it.
#[async_trait]
pub trait FloodStore {
    /// The number every flood write increases, and the time of the newest gauge reading: the
    /// board changes when either moves.
    async fn flood_cursor(&self) -> super::Result<(i64, i64)>;

    /// Every gauge flood control follows, the primary first.
    async fn flood_gauges(&self) -> super::Result<Vec<Gauge>>;

    /// Sets a gauge's lines (a new gauge if it had none); `false` if there is no such water-level
    /// gauge. A primary gauge makes the others not primary.
    async fn save_flood_gauge(&self, device_id: i64, s: &GaugeSettings) -> super::Result<bool>;

    /// Sets or clears a gauge's forecast peak; `false` if the gauge is not set up.
    async fn set_flood_forecast(&self, device_id: i64, f: Option<&Forecast>) -> super::Result<bool>;

    /// A gauge's water-level readings since `since`, oldest first: `(ts, raw metres)`.
    async fn water_readings(&self, device_id: i64, since: i64) -> super::Result<Vec<(i64, f64)>>;

    /// Every zone, lowest flood level first.
    async fn flood_zones(&self) -> super::Result<Vec<Zone>>;

    /// Stores zones in one transaction (after removing every zone, with `replace`).
    async fn import_flood_zones(&self, zones: &[NewZone], replace: bool, now: i64) -> super::Result<usize>;

    /// Every shelter with the people in it during response `response_id`.
    async fn flood_shelters(&self, response_id: Option<i64>) -> super::Result<Vec<ShelterView>>;

    async fn add_flood_shelter(&self, s: &NewShelter) -> super::Result<i64>;

    /// The running response, or else the newest.
    async fn flood_response(&self) -> super::Result<Option<ResponseView>>;

    /// Starts a response; [`Error::Conflict`](super::Error::Conflict) while one runs.
    async fn start_flood_response(&self, level: Level, activation_id: i64, case_id: i64, by: &str, now: i64) -> super::Result<i64>;

    /// The response's level now.
    async fn set_flood_level(&self, id: i64, level: Level) -> super::Result<()>;

    /// Stands the response down: every household not refusing is home again (logged).
    async fn stand_down_flood(&self, id: i64, by: &str, now: i64) -> super::Result<()>;

    /// Puts households on the response's list (those already on it are kept as they are), and
    /// records the level the list was drawn up for; the number added.
    async fn list_evacuation(&self, id: i64, level_m: f64, rows: &[(i64, i64, i64)], by: &str, now: i64) -> super::Result<usize>;

    /// The response's list.
    async fn evacuations(&self, id: i64) -> super::Result<Vec<EvacStored>>;

    /// Changes one household's evacuation, checked against its row and its shelter's room in
    /// the same transaction, and logged.
    async fn update_evacuation(&self, id: i64, u: &EvacUpdate, by: &str, now: i64) -> super::Result<EvacOutcome>;

    async fn flood_checkpoints(&self, id: i64) -> super::Result<Vec<CheckpointView>>;

    async fn add_flood_checkpoint(&self, id: i64, name: &str, now: i64) -> super::Result<i64>;

    /// Adds people turned away at a checkpoint of response `id`; `false` if there is none.
    async fn turn_away(&self, id: i64, checkpoint: i64, people: i64, now: i64) -> super::Result<bool>;
}

/// The columns of a gauge row.
type GaugeRow = (i64, String, String, String, f64, Option<f64>, f64, f64, i64, Option<f64>, Option<i64>, Option<String>, Option<i64>);

pub(super) fn gauge(r: GaugeRow) -> super::Result<Gauge> {
    use zhizhi_shared::flood::Datum;
    let (device_id, code, station, datum, to_reference_m, setup_m, warning_m, guaranteed_m, primary, peak_m, peak_at, source, entered_at) = r;
    Ok(Gauge {
        device_id,
        code,
        station,
        datum: super::portable::parse_code("flood_gauges", device_id, &datum, Datum::from_code)?,
        to_reference_m,
        setup_m,
        warning_m,
        guaranteed_m,
        primary: primary != 0,
        forecast: match (peak_m, peak_at) {
            (Some(peak_m), Some(peak_at)) => Some(Forecast { peak_m, peak_at, source: source.unwrap_or_default(), entered_at: entered_at.unwrap_or(0) }),
            _ => None,
        },
    })
}

type ResponseRow = (i64, String, i64, i64, i64, String, Option<i64>, Option<f64>);

pub(super) fn response(r: ResponseRow) -> super::Result<ResponseView> {
    let (id, level, activation_id, case_id, started_at, started_by, stood_down_at, list_level_m) = r;
    Ok(ResponseView {
        id,
        level: super::portable::parse_code("flood_responses", id, &level, Level::from_code)?,
        activation_id,
        case_id,
        started_at,
        started_by,
        stood_down_at,
        list_level_m,
    })
}

type EvacRow = (i64, i64, i64, String, i64, Option<i64>, Option<String>, String, i64, i64, String);

pub(super) fn evac(r: EvacRow) -> super::Result<EvacStored> {
    use zhizhi_shared::flood::EvacState;
    let (household_id, building_id, members, state, headcount, shelter_id, shelter, reason, version, updated_at, updated_by) = r;
    Ok(EvacStored {
        household_id,
        building_id,
        members,
        record: EvacRecord {
            state: super::portable::parse_code("flood_evacuations", household_id, &state, EvacState::from_code)?,
            headcount,
            shelter_id,
            shelter: shelter.unwrap_or_default(),
            reason,
            version,
            updated_at,
            updated_by,
        },
    })
}

/// Implements [`FloodStore`] for `$store`.
macro_rules! portable_flood {
    ($store:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::flood::FloodStore for $store {
            async fn flood_cursor(&self) -> $crate::storage::Result<(i64, i64)> {
                let (v,): (i64,) = sqlx::query_as("SELECT version FROM flood_state WHERE id = 1").fetch_one(&self.pool).await?;
                // Along the (device_id, ts) index, one gauge at a time.
                let (ts,): (Option<i64>,) = sqlx::query_as(
                    "SELECT MAX((SELECT MAX(m.ts) FROM device_messages m WHERE m.device_id = g.device_id)) FROM flood_gauges g",
                )
                .fetch_one(&self.pool).await?;
                Ok((v, ts.unwrap_or(0)))
            }

            async fn flood_gauges(&self) -> $crate::storage::Result<Vec<zhizhi_shared::flood::Gauge>> {
                let rows = sqlx::query_as(
                    "SELECT g.device_id, d.code, g.station, g.datum, g.to_reference_m, g.setup_m, g.warning_m, g.guaranteed_m, g.is_primary,
                            g.forecast_peak_m, g.forecast_peak_at, g.forecast_source, g.forecast_entered_at
                     FROM flood_gauges g JOIN devices d ON d.id = g.device_id ORDER BY g.is_primary DESC, g.device_id",
                )
                .fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::storage::flood::gauge).collect()
            }

            async fn save_flood_gauge(&self, device_id: i64, s: &zhizhi_shared::flood::GaugeSettings) -> $crate::storage::Result<bool> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM devices WHERE id = $1 AND kind = 'water_level_gauge' AND retired_at IS NULL")
                    .bind(device_id).fetch_optional(&mut *tx).await?;
                if found.is_none() {
                    return Ok(false);
                }
                if s.primary {
                    sqlx::query("UPDATE flood_gauges SET is_primary = 0 WHERE device_id <> $1").bind(device_id).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "INSERT INTO flood_gauges (device_id, station, datum, to_reference_m, setup_m, warning_m, guaranteed_m, is_primary)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (device_id) DO UPDATE SET station = excluded.station, datum = excluded.datum,
                        to_reference_m = excluded.to_reference_m, setup_m = excluded.setup_m, warning_m = excluded.warning_m,
                        guaranteed_m = excluded.guaranteed_m, is_primary = excluded.is_primary",
                )
                .bind(device_id).bind(s.station.trim()).bind(s.datum.code()).bind(s.to_reference_m).bind(s.setup_m)
                .bind(s.warning_m).bind(s.guaranteed_m).bind(i64::from(s.primary))
                .execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn set_flood_forecast(&self, device_id: i64, f: Option<&zhizhi_shared::flood::Forecast>) -> $crate::storage::Result<bool> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let done = sqlx::query(
                    "UPDATE flood_gauges SET forecast_peak_m = $2, forecast_peak_at = $3, forecast_source = $4, forecast_entered_at = $5 WHERE device_id = $1",
                )
                .bind(device_id).bind(f.map(|f| f.peak_m)).bind(f.map(|f| f.peak_at)).bind(f.map(|f| f.source.clone())).bind(f.map(|f| f.entered_at))
                .execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn water_readings(&self, device_id: i64, since: i64) -> $crate::storage::Result<Vec<(i64, f64)>> {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT ts, payload FROM device_messages WHERE device_id = $1 AND ts >= $2 AND kind = 'water_level' ORDER BY ts",
                )
                .bind(device_id).bind(since).fetch_all(&self.pool).await?;
                // Stored messages passed the payload check; one that no longer parses is skipped.
                Ok(rows
                    .into_iter()
                    .filter_map(|(ts, p)| serde_json::from_str::<serde_json::Value>(&p).ok()?["metres"].as_f64().map(|m| (ts, m)))
                    .collect())
            }

            async fn flood_zones(&self) -> $crate::storage::Result<Vec<zhizhi_shared::flood::Zone>> {
                let rows: Vec<(i64, String, f64, String)> =
                    sqlx::query_as("SELECT id, name, flood_level_m, area FROM flood_zones ORDER BY flood_level_m, id").fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, name, flood_level_m, area)| {
                        Ok(zhizhi_shared::flood::Zone { id, name, flood_level_m, area: $crate::storage::portable::parse_polygon("flood_zones", id, &area)? })
                    })
                    .collect()
            }

            async fn import_flood_zones(&self, zones: &[zhizhi_shared::flood::NewZone], replace: bool, now: i64) -> $crate::storage::Result<usize> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                if replace {
                    sqlx::query("DELETE FROM flood_zones").execute(&mut *tx).await?;
                }
                for z in zones {
                    sqlx::query("INSERT INTO flood_zones (name, flood_level_m, area, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(&z.name).bind(z.flood_level_m).bind($crate::storage::portable::polygon_json(&z.area)).bind(now)
                        .execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(zones.len())
            }

            async fn flood_shelters(&self, response_id: Option<i64>) -> $crate::storage::Result<Vec<zhizhi_shared::flood::view::ShelterView>> {
                type Row = (i64, String, String, f64, f64, i64, String, Option<i64>, i64);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT s.id, s.name, s.address, s.lon, s.lat, s.capacity, s.supplies,
                            (SELECT CAST(SUM(e.headcount) AS BIGINT) FROM flood_evacuations e WHERE e.shelter_id = s.id AND e.response_id = $1 AND e.state = 'at_shelter'),
                            (SELECT COUNT(*) FROM flood_evacuations e WHERE e.shelter_id = s.id AND e.response_id = $1 AND e.state = 'at_shelter')
                     FROM flood_shelters s ORDER BY s.id",
                )
                .bind(response_id.unwrap_or(-1)).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, address, lon, lat, capacity, supplies, occupancy, households)| zhizhi_shared::flood::view::ShelterView {
                        id, name, address, lon, lat, capacity, supplies, occupancy: occupancy.unwrap_or(0), households,
                    })
                    .collect())
            }

            async fn add_flood_shelter(&self, s: &zhizhi_shared::flood::view::NewShelter) -> $crate::storage::Result<i64> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO flood_shelters (name, address, lon, lat, capacity, supplies) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(s.name.trim()).bind(s.address.trim()).bind(s.lon).bind(s.lat).bind(s.capacity).bind(s.supplies.trim())
                .fetch_one(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn flood_response(&self) -> $crate::storage::Result<Option<zhizhi_shared::flood::view::ResponseView>> {
                let row = sqlx::query_as(
                    "SELECT id, level, activation_id, case_id, started_at, started_by, stood_down_at, list_level_m FROM flood_responses
                     ORDER BY (CASE WHEN stood_down_at IS NULL THEN 0 ELSE 1 END), id DESC LIMIT 1",
                )
                .fetch_optional(&self.pool).await?;
                row.map($crate::storage::flood::response).transpose()
            }

            async fn start_flood_response(&self, level: zhizhi_shared::plan::Level, activation_id: i64, case_id: i64, by: &str, now: i64) -> $crate::storage::Result<i64> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let running: Option<(i64,)> = sqlx::query_as("SELECT id FROM flood_responses WHERE stood_down_at IS NULL").fetch_optional(&mut *tx).await?;
                if running.is_some() {
                    return Err($crate::storage::Error::Conflict { what: "防汛响应".into() });
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO flood_responses (level, activation_id, case_id, started_at, started_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(level.code()).bind(activation_id).bind(case_id).bind(now).bind(by)
                .fetch_one(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn set_flood_level(&self, id: i64, level: zhizhi_shared::plan::Level) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                sqlx::query("UPDATE flood_responses SET level = $2 WHERE id = $1").bind(id).bind(level.code()).execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn stand_down_flood(&self, id: i64, by: &str, now: i64) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                sqlx::query(
                    "INSERT INTO flood_evacuation_log (response_id, household_id, state, headcount, shelter_id, reason, at, by_user)
                     SELECT response_id, household_id, 'returned', headcount, CAST(NULL AS BIGINT), '响应终止，返家', $2, $3
                     FROM flood_evacuations WHERE response_id = $1 AND state <> 'refused' AND state <> 'returned'",
                )
                .bind(id).bind(now).bind(by).execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE flood_evacuations SET state = 'returned', shelter_id = NULL, version = version + 1, updated_at = $2, updated_by = $3
                     WHERE response_id = $1 AND state <> 'refused' AND state <> 'returned'",
                )
                .bind(id).bind(now).bind(by).execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_responses SET stood_down_at = $2 WHERE id = $1 AND stood_down_at IS NULL").bind(id).bind(now).execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_evacuation(&self, id: i64, level_m: f64, rows: &[(i64, i64, i64)], by: &str, now: i64) -> $crate::storage::Result<usize> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let mut added = 0;
                for (household_id, building_id, members) in rows {
                    let done = sqlx::query(
                        "INSERT INTO flood_evacuations (response_id, household_id, building_id, members, state, headcount, reason, version, updated_at, updated_by)
                         VALUES ($1, $2, $3, $4, 'to_move', 0, '', 1, $5, $6) ON CONFLICT (response_id, household_id) DO NOTHING",
                    )
                    .bind(id).bind(household_id).bind(building_id).bind(members).bind(now).bind(by)
                    .execute(&mut *tx).await?;
                    added += done.rows_affected() as usize;
                }
                sqlx::query("UPDATE flood_responses SET list_level_m = $2 WHERE id = $1").bind(id).bind(level_m).execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(added)
            }

            async fn evacuations(&self, id: i64) -> $crate::storage::Result<Vec<$crate::storage::flood::EvacStored>> {
                let rows = sqlx::query_as(
                    "SELECT e.household_id, e.building_id, e.members, e.state, e.headcount, e.shelter_id, s.name, e.reason, e.version, e.updated_at, e.updated_by
                     FROM flood_evacuations e LEFT JOIN flood_shelters s ON s.id = e.shelter_id WHERE e.response_id = $1 ORDER BY e.household_id",
                )
                .bind(id).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::storage::flood::evac).collect()
            }

            async fn update_evacuation(&self, id: i64, u: &zhizhi_shared::flood::EvacUpdate, by: &str, now: i64) -> $crate::storage::Result<$crate::storage::flood::EvacOutcome> {
                use $crate::storage::flood::EvacOutcome;
                use zhizhi_shared::flood::{check_update, EvacState, Room};
                let $pool = self.writer();
                let mut tx = $begin.await?;
                // Taking the shelter's row first serialises two workers filling the same shelter
                // (PostgreSQL's row lock; SQLite has one writer anyway).
                let room: Option<(i64,)> = match u.shelter_id {
                    Some(s) => sqlx::query_as("UPDATE flood_shelters SET capacity = capacity WHERE id = $1 RETURNING capacity").bind(s).fetch_optional(&mut *tx).await?,
                    None => None,
                };
                let row: Option<(String, i64, i64)> = sqlx::query_as(
                    "SELECT state, members, version FROM flood_evacuations WHERE response_id = $1 AND household_id = $2",
                )
                .bind(id).bind(u.household_id).fetch_optional(&mut *tx).await?;
                let Some((state, members, version)) = row else { return Ok(EvacOutcome::NotListed) };
                if version != u.version {
                    return Ok(EvacOutcome::Stale);
                }
                let current = $crate::storage::portable::parse_code("flood_evacuations", u.household_id, &state, EvacState::from_code)?;
                let room = match (room, u.shelter_id) {
                    (Some((capacity,)), Some(s)) => {
                        let (occupancy,): (Option<i64>,) = sqlx::query_as(
                            "SELECT CAST(SUM(headcount) AS BIGINT) FROM flood_evacuations WHERE response_id = $1 AND shelter_id = $2 AND state = 'at_shelter' AND household_id <> $3",
                        )
                        .bind(id).bind(s).bind(u.household_id).fetch_one(&mut *tx).await?;
                        Some(Room { capacity, occupancy: occupancy.unwrap_or(0) })
                    }
                    _ => None,
                };
                if let Err(e) = check_update(current, members, u, room) {
                    return Ok(EvacOutcome::Refused(e));
                }
                let headcount = u.headcount.unwrap_or(0);
                let reason = u.reason.trim();
                sqlx::query(
                    "UPDATE flood_evacuations SET state = $3, headcount = $4, shelter_id = $5, reason = $6, version = version + 1, updated_at = $7, updated_by = $8
                     WHERE response_id = $1 AND household_id = $2",
                )
                .bind(id).bind(u.household_id).bind(u.state.code()).bind(headcount).bind(u.shelter_id).bind(reason).bind(now).bind(by)
                .execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO flood_evacuation_log (response_id, household_id, state, headcount, shelter_id, reason, at, by_user) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id).bind(u.household_id).bind(u.state.code()).bind(headcount).bind(u.shelter_id).bind(reason).bind(now).bind(by)
                .execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                let shelter: Option<(String,)> = match u.shelter_id {
                    Some(s) => sqlx::query_as("SELECT name FROM flood_shelters WHERE id = $1").bind(s).fetch_optional(&mut *tx).await?,
                    None => None,
                };
                tx.commit().await?;
                Ok(EvacOutcome::Done(zhizhi_shared::flood::view::EvacRecord {
                    state: u.state,
                    headcount,
                    shelter_id: u.shelter_id,
                    shelter: shelter.map(|s| s.0).unwrap_or_default(),
                    reason: reason.to_string(),
                    version: version + 1,
                    updated_at: now,
                    updated_by: by.to_string(),
                }))
            }

            async fn flood_checkpoints(&self, id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::flood::view::CheckpointView>> {
                let rows: Vec<(i64, String, i64)> =
                    sqlx::query_as("SELECT id, name, turned_away FROM flood_checkpoints WHERE response_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(id, name, turned_away)| zhizhi_shared::flood::view::CheckpointView { id, name, turned_away }).collect())
            }

            async fn add_flood_checkpoint(&self, id: i64, name: &str, now: i64) -> $crate::storage::Result<i64> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (cid,): (i64,) = sqlx::query_as("INSERT INTO flood_checkpoints (response_id, name, turned_away, updated_at) VALUES ($1, $2, 0, $3) RETURNING id")
                    .bind(id).bind(name.trim()).bind(now).fetch_one(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(cid)
            }

            async fn turn_away(&self, id: i64, checkpoint: i64, people: i64, now: i64) -> $crate::storage::Result<bool> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let done = sqlx::query("UPDATE flood_checkpoints SET turned_away = turned_away + $3, updated_at = $4 WHERE id = $2 AND response_id = $1")
                    .bind(id).bind(checkpoint).bind(people).bind(now).execute(&mut *tx).await?;
                sqlx::query("UPDATE flood_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use portable_flood;
