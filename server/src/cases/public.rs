//! What the public form does besides the report itself: the photos sent on the report's
//! one-time upload grant, and the check of a place before sending (inside the street? which
//! address? already reported nearby?).

use super::Cases;
use crate::auth::token_hash;
use crate::error::{ServiceError, ServiceResult};
use crate::storage::follow::FollowWrite;
use crate::storage::{CaseFilter, CaseUpdate, CaseWrite, CaseWriteKind, NewStep};
use zhizhi_shared::case::follow::nearby::{metres_between, nearby_reports, PlaceCheck};
use zhizhi_shared::case::follow::{MAX_REPORT_PHOTOS, PUBLIC_ACTOR};
use zhizhi_shared::case::{self, CaseState};

const NO_SUCH_GRANT: &str = "上传许可无效或已过期（提交报告后 30 分钟内可上传照片）";
/// How far the nearest building may stand for its address to name a point, in metres.
const ADDRESS_METRES: f64 = 60.0;
/// Open cases reported longer ago than this are not offered as duplicates.
const NEARBY_DAYS: i64 = 30;

impl Cases {
    /// Adds a photo to a resident's report through its upload grant: at most
    /// [`MAX_REPORT_PHOTOS`], while the grant holds; the grant is claimed in the same
    /// transaction that stores the photo, so parallel uploads cannot pass the limit.
    pub async fn attach_public(&self, grant: &str, data: Vec<u8>, now: i64) -> ServiceResult<i64> {
        if grant.len() != 64 || !grant.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ServiceError::NotFound(NO_SUCH_GRANT));
        }
        let photo = super::checked_photo(data)?;
        let grant_hash = token_hash(grant);
        // A photo of the same report sent at the same moment changes the case first: try again
        // on the new version (the grant's own limit is checked in the write).
        for _ in 0..4 {
            let (case_id, used) = self.store.case_by_upload(&grant_hash, now).await?.ok_or(ServiceError::NotFound(NO_SUCH_GRANT))?;
            if used >= MAX_REPORT_PHOTOS {
                return Err(ServiceError::Conflict(format!("每件报告最多上传 {MAX_REPORT_PHOTOS} 张照片")));
            }
            let case = self.store.case(case_id).await?.ok_or(ServiceError::NotFound(NO_SUCH_GRANT))?;
            let step = NewStep {
                at: now,
                actor: PUBLIC_ACTOR.into(),
                actor_name: "居民".into(),
                kind: "attach".into(),
                from: case.state,
                to: case.state,
                task_id: None,
                new_task_holder: None,
                note: format!("居民上传照片 {:.0} KB", photo.data.len() as f64 / 1024.0),
            };
            let write = CaseWrite {
                photo: Some(photo.clone()),
                follow: Some(FollowWrite::Upload { grant_hash: grant_hash.clone(), max: MAX_REPORT_PHOTOS }),
                ..CaseWrite::one_step(CaseWriteKind::Update(CaseUpdate::keeping(&case, now)), step)
            };
            match self.publish(&write).await {
                Ok(_) => return Ok(used + 1),
                Err(ServiceError::Storage(crate::storage::Error::Stale)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(ServiceError::Conflict("照片同时上传过多，请逐张重试".into()))
    }

    /// The address of the nearest building of the point's grid within [`ADDRESS_METRES`]
    /// (only that grid's buildings are read).
    pub(crate) async fn nearest_address(&self, at: [f64; 2], grid_id: i64) -> ServiceResult<Option<String>> {
        Ok(self
            .store
            .search_buildings("", &[grid_id], 2_000)
            .await?
            .into_iter()
            .map(|b| (metres_between(at, [b.lon, b.lat]), b.address))
            .filter(|(m, _)| *m <= ADDRESS_METRES)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, address)| address))
    }

    /// What the public form shows for a point before the report is sent: whether it is in the
    /// street, the nearest building's address, and open reports of the same kind nearby.
    pub async fn check_place(&self, lon: f64, lat: f64, category: &str, now: i64) -> ServiceResult<PlaceCheck> {
        if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
            return Err(ServiceError::invalid("lon", "经纬度无效"));
        }
        if !category.is_empty() && case::category(category).is_none() {
            return Err(ServiceError::invalid("category", format!("没有事件类别「{category}」")));
        }
        let Some(micro) = self.store.micro_grid_at([lon, lat]).await? else {
            return Ok(PlaceCheck::default());
        };
        let address = self.nearest_address([lon, lat], micro.grid_id).await?;
        let reports = if category.is_empty() {
            Vec::new()
        } else {
            let open: Vec<CaseState> = CaseState::ALL.iter().copied().filter(|s| !s.is_final()).collect();
            let filter = CaseFilter {
                states: open,
                category: category.split('.').next().map(String::from),
                created_from: Some(now - NEARBY_DAYS * 86_400_000),
                limit: 2000,
                ..Default::default()
            };
            nearby_reports(&self.store.cases(&filter).await?, [lon, lat], category)
        };
        Ok(PlaceCheck { in_street: true, address, reports })
    }
}
