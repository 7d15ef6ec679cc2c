//! Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): city-reporting apps and 311
//! aggregators list our categories as services, post requests with an API key, and read
//! requests back. This service speaks the specification's terms over the case service; the
//! JSON and XML spellings are `api/open311.rs`.
//!
//! What is never published: personal data (the reporter, their phone), staff names, drills,
//! and the care group (关爱帮扶: elderly people living alone, falls — the case is a person).

use crate::cases::Cases;
use crate::error::ServiceError;
use crate::storage::{CaseFilter, Store};
use serde::Serialize;
use std::sync::Arc;
use zhizhi_shared::case::follow::Receipt;
use zhizhi_shared::case::view::{CaseSummary, NewCase};
use zhizhi_shared::case::{self, CaseState, Holder, GROUPS};
use zhizhi_shared::time::{beijing_datetime, beijing_midnight};

/// Requests an integration may post per hour.
pub const POSTS_PER_HOUR: i64 = 120;
/// The most requests one GET answers (the specification's default limit).
pub const MAX_REQUESTS: i64 = 1000;
/// The longest span between `start_date` and `end_date`, and the default window: 90 days.
pub const MAX_SPAN_MS: i64 = 90 * 86_400_000;
/// The category group never published.
const PRIVATE_GROUP: &str = "care";

/// A service (our category), as `services` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub metadata: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// A service definition: our categories ask for no attributes.
#[derive(Clone, Debug, Serialize)]
pub struct Definition {
    pub service_code: String,
    pub attributes: Vec<serde_json::Value>,
}

/// A service request, as `requests` answers it: nothing personal.
#[derive(Clone, Debug, Serialize)]
pub struct Request {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    #[serde(rename = "long")]
    pub lon: Option<f64>,
    pub media_url: Option<String>,
}

/// The answer to a POST, and to `tokens/{token}`.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: String,
    pub account_id: Option<String>,
}

/// The filters of a GET `requests` (empty values count as absent).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RequestQuery {
    pub jurisdiction_id: Option<String>,
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub status: Option<String>,
}

/// The fields of a POST `requests` (form-encoded, as the specification has it).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PostRequest {
    pub api_key: Option<String>,
    pub jurisdiction_id: Option<String>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    #[serde(rename = "long")]
    pub lon: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
}

/// An Open311 error: the HTTP status (400, 403, 404, 429) and its description.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    pub code: u16,
    pub description: String,
}

impl Refused {
    fn new(code: u16, description: impl Into<String>) -> Self {
        Refused { code, description: description.into() }
    }
}

impl From<ServiceError> for Refused {
    fn from(e: ServiceError) -> Self {
        let code = match e.status() {
            404 => 404,
            401 | 403 => 403,
            429 => 429,
            500..=599 => 500,
            _ => 400,
        };
        Refused::new(code, e.user_message())
    }
}

/// A value given and not empty (the specification: an empty argument is an absent one).
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A W3C date-time (`2026-12-02`, `2026-12-02T08:30:00+08:00`, `…Z`, `…T08:30`) as epoch
/// milliseconds; without a zone it is Beijing time.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let date = s.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d): (i64, u32, u32) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    if date.as_bytes().get(4) != Some(&b'-') || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let midnight = beijing_midnight(y, m, d);
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(midnight);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    // The zone: Z, ±HH:MM or none (Beijing).
    let (clock, offset_min) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']).filter(|i| *i >= 5) {
        let (c, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, mm) = z[1..].split_once(':').unwrap_or((&z[1..z.len().min(3)], z.get(3..).unwrap_or("0")));
        (c, sign * (h.parse::<i64>().ok()? * 60 + mm.parse::<i64>().ok()?))
    } else {
        (rest, 8 * 60)
    };
    let clock = clock.split('.').next()?;
    let mut t = clock.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let sec: i64 = t.next().map(str::parse).transpose().ok()?.unwrap_or(0);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    // `midnight` is Beijing's; the clock is in the given zone.
    Some(midnight + ((h * 60 + mi) * 60 + sec) * 1000 + (8 * 60 - offset_min) * 60_000)
}

/// Epoch milliseconds as a W3C date-time in Beijing time: `2026-12-02T08:30:00+08:00`.
pub fn w3c(ms: i64) -> String {
    format!("{}+08:00", beijing_datetime(ms).replacen(' ', "T", 1))
}

/// Open311 over the case service.
#[derive(Clone)]
pub struct Open311 {
    pub cases: Cases,
    pub store: Arc<dyn Store>,
}

impl Open311 {
    /// Checks `jurisdiction_id` when given: this endpoint serves one street.
    async fn jurisdiction(&self, id: &Option<String>) -> Result<(), Refused> {
        let Some(id) = given(id) else { return Ok(()) };
        let street = self.store.street().await.map_err(ServiceError::from)?;
        match street {
            Some(s) if id == s.id.to_string() || id == s.name => Ok(()),
            _ => Err(Refused::new(404, format!("jurisdiction_id「{id}」不是本街道（本接口只服务一个街道，可不填）"))),
        }
    }

    /// Every category, as a service, grouped by its category group; the care group's are
    /// left out.
    pub async fn services(&self, jurisdiction: &Option<String>) -> Result<Vec<Service>, Refused> {
        self.jurisdiction(jurisdiction).await?;
        Ok(case::CATEGORIES
            .iter()
            .filter(|c| c.group != PRIVATE_GROUP)
            .map(|c| Service {
                service_code: c.code.into(),
                service_name: c.name_zh.into(),
                description: format!("{}（{}）；由「{}」岗位处置", c.name_zh, c.name_en, c.post),
                metadata: false,
                kind: "realtime",
                keywords: format!("{},{}", c.name_zh, c.name_en),
                group: GROUPS.iter().find(|g| g.code == c.group).map_or(c.group.to_string(), |g| g.name_zh.to_string()),
            })
            .collect())
    }

    /// A service's definition: none of our categories asks for attributes.
    pub async fn definition(&self, code: &str, jurisdiction: &Option<String>) -> Result<Definition, Refused> {
        self.jurisdiction(jurisdiction).await?;
        match case::category(code) {
            Some(c) if c.group != PRIVATE_GROUP => Ok(Definition { service_code: c.code.into(), attributes: vec![] }),
            _ => Err(Refused::new(404, format!("没有服务「{code}」"))),
        }
    }

    /// A request as published: status, notes, the posts responsible, the deadline.
    fn request(c: &CaseSummary) -> Request {
        let (name, _) = c.category_names();
        let mut agencies: Vec<String> = Vec::new();
        for t in &c.tasks {
            let a = match t.holder {
                Holder::District => "区级部门".to_string(),
                _ => t.holder_name.clone(),
            };
            if !agencies.contains(&a) {
                agencies.push(a);
            }
        }
        let closed = c.state.is_final();
        let notes = match c.state {
            CaseState::Rejected => "不予立案".to_string(),
            s => s.name_zh().to_string(),
        };
        Request {
            service_request_id: c.number.clone(),
            status: if closed { "closed" } else { "open" },
            status_notes: notes,
            service_name: name,
            service_code: c.category.clone(),
            description: c.description.clone(),
            agency_responsible: agencies.join("、"),
            service_notice: String::new(),
            requested_datetime: w3c(c.created_at),
            updated_datetime: w3c(c.updated_at),
            expected_datetime: (!closed).then_some(c.stage_deadline).flatten().map(w3c),
            address: c.address.clone(),
            address_id: None,
            zipcode: None,
            lat: c.lat,
            lon: c.lon,
            media_url: None,
        }
    }

    fn published(c: &CaseSummary) -> bool {
        !c.drill && case::category(&c.category).is_none_or(|k| k.group != PRIVATE_GROUP)
    }

    /// `requests`: by ids, or by service, status and dates (the last 90 days by default).
    pub async fn requests(&self, q: &RequestQuery, now: i64) -> Result<Vec<Request>, Refused> {
        self.jurisdiction(&q.jurisdiction_id).await?;
        if let Some(ids) = given(&q.service_request_id) {
            let mut out = Vec::new();
            for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if let Some(c) = self.by_number(id).await? {
                    out.push(Self::request(&c));
                }
            }
            return Ok(out);
        }
        let date = |field: &str, v: &Option<String>| -> Result<Option<i64>, Refused> {
            given(v)
                .map(|s| parse_datetime(s).ok_or_else(|| Refused::new(400, format!("{field}「{s}」不是 W3C 日期时间，例如 2026-12-02T08:30:00+08:00"))))
                .transpose()
        };
        let (start, end) = (date("start_date", &q.start_date)?, date("end_date", &q.end_date)?);
        let (from, to) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, (s + MAX_SPAN_MS).min(now + 1)),
            (None, Some(e)) => (e - MAX_SPAN_MS, e),
            (None, None) => (now + 1 - MAX_SPAN_MS, now + 1),
        };
        if to < from {
            return Err(Refused::new(400, "end_date 早于 start_date"));
        }
        if to - from > MAX_SPAN_MS {
            return Err(Refused::new(400, "start_date 与 end_date 相隔不能超过 90 天"));
        }
        let mut states = Vec::new();
        if let Some(list) = given(&q.status) {
            for s in list.split(',').map(str::trim) {
                match s {
                    "open" => states.extend(CaseState::ALL.iter().copied().filter(|s| !s.is_final())),
                    "closed" => states.extend(CaseState::ALL.iter().copied().filter(|s| s.is_final())),
                    other => return Err(Refused::new(400, format!("status「{other}」无效：可选 open、closed"))),
                }
            }
        }
        let category = match given(&q.service_code) {
            Some(code) if case::category(code).is_some_and(|c| c.group != PRIVATE_GROUP) => Some(code.to_string()),
            Some(code) => return Err(Refused::new(400, format!("没有服务「{code}」"))),
            None => None,
        };
        let filter = CaseFilter { states, category, created_from: Some(from), created_to: Some(to), limit: MAX_REQUESTS, ..Default::default() };
        let cases = self.store.cases(&filter).await.map_err(ServiceError::from)?;
        Ok(cases.iter().filter(|c| Self::published(c)).map(|c| Self::request(c)).collect())
    }

    /// `requests/{id}`: one request, in an array as the specification has it.
    pub async fn request_by_id(&self, id: &str, jurisdiction: &Option<String>) -> Result<Vec<Request>, Refused> {
        self.jurisdiction(jurisdiction).await?;
        let c = self.by_number(id).await?.ok_or_else(|| Refused::new(404, format!("没有服务请求「{id}」")))?;
        Ok(vec![Self::request(&c)])
    }

    /// The published case numbered `number` (`SJ20261202-00042`).
    async fn by_number(&self, number: &str) -> Result<Option<CaseSummary>, Refused> {
        let Some(id) = number.rsplit('-').next().and_then(|n| n.parse::<i64>().ok()) else { return Ok(None) };
        let c = self.store.case(id).await.map_err(ServiceError::from)?;
        Ok(c.filter(|c| c.number == number && Self::published(c)))
    }

    /// `tokens/{token}`: the request a POST's token stands for.
    pub async fn token(&self, token: &str, jurisdiction: &Option<String>) -> Result<Vec<Created>, Refused> {
        self.jurisdiction(jurisdiction).await?;
        let view = self.cases.follow(token).await.map_err(|_| Refused::new(404, format!("没有令牌「{token}」")))?;
        Ok(vec![Created { service_request_id: view.number, token: token.into(), service_notice: String::new(), account_id: None }])
    }

    /// POST `requests` by an integration holding an API key with the `open311` scope.
    pub async fn create(&self, integration: &str, p: &PostRequest, now: i64) -> Result<Vec<Created>, Refused> {
        self.jurisdiction(&p.jurisdiction_id).await?;
        let code = given(&p.service_code).ok_or_else(|| Refused::new(400, "缺少 service_code"))?;
        let cat = case::category(code).filter(|c| c.group != PRIVATE_GROUP).ok_or_else(|| Refused::new(400, format!("没有服务「{code}」")))?;
        let mut new = NewCase { category: cat.code.into(), description: given(&p.description).unwrap_or("").into(), ..Default::default() };
        match (given(&p.lat), given(&p.lon), given(&p.address_id), given(&p.address_string)) {
            (Some(lat), Some(lon), _, _) => {
                let num = |field: &str, v: &str| v.parse::<f64>().map_err(|_| Refused::new(400, format!("{field}「{v}」不是数字")));
                new.lat = Some(num("lat", lat)?);
                new.lon = Some(num("long", lon)?);
                new.address = given(&p.address_string).unwrap_or("").into();
            }
            (_, _, Some(id), _) => new.building_id = Some(id.parse().map_err(|_| Refused::new(400, format!("address_id「{id}」无效")))?),
            (_, _, _, Some(address)) => {
                let mut found = self.store.search_buildings(address, &[], 10).await.map_err(ServiceError::from)?;
                // An exact address wins over the longer ones that contain it (27号 and 27号附1).
                if let Some(exact) = found.iter().position(|b| b.address == address || b.name == address) {
                    found = vec![found.swap_remove(exact)];
                }
                match found.as_slice() {
                    [one] => new.building_id = Some(one.id),
                    [] => return Err(Refused::new(400, format!("找不到地址「{address}」：请给出 lat 与 long"))),
                    _ => return Err(Refused::new(400, format!("地址「{address}」不止一处：请写完整门牌，或给出 lat 与 long"))),
                }
            }
            _ => return Err(Refused::new(400, "缺少位置：lat 与 long、address_string 或 address_id 至少给一项")),
        }
        new.reporter_name = [given(&p.last_name), given(&p.first_name)].into_iter().flatten().collect::<Vec<_>>().join("");
        new.reporter_phone = given(&p.phone).unwrap_or("").into();
        let Receipt { number, token, .. } = self.cases.report_by_integration(integration, new, POSTS_PER_HOUR, now).await?;
        Ok(vec![Created { service_request_id: number, token, service_notice: String::new(), account_id: None }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_dates_read_in_their_zone_and_beijing_by_default() {
        let noon = beijing_midnight(2026, 12, 2) + 12 * 3_600_000;
        assert_eq!(parse_datetime("2026-12-02T12:00:00+08:00"), Some(noon));
        assert_eq!(parse_datetime("2026-12-02T04:00:00Z"), Some(noon));
        assert_eq!(parse_datetime("2026-12-01T23:00:00-05:00"), Some(noon));
        assert_eq!(parse_datetime("2026-12-02T12:00"), Some(noon));
        assert_eq!(parse_datetime("2026-12-02T12:00:00.250+08:00"), Some(noon));
        assert_eq!(parse_datetime("2026-12-02"), Some(beijing_midnight(2026, 12, 2)));
        for bad in ["", "yesterday", "2026-13-01", "2026-12-02T25:00", "2026/12/02"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(w3c(noon), "2026-12-02T12:00:00+08:00");
        assert_eq!(parse_datetime(&w3c(noon)), Some(noon));
    }
}
