//! The SQL of enterprise supervision, one macro both engines instantiate.

/// Implements [`SupervisionStore`] for `$store`.
macro_rules! portable_supervision {
    ($store:ty, begin = |$pool:ident| $begin:expr) => {
        #[async_trait::async_trait]
        impl $crate::storage::supervision::SupervisionStore for $store {
            async fn supervision_version(&self) -> $crate::storage::Result<i64> {
                let (v,): (i64,) = sqlx::query_as("SELECT version FROM supervision_state WHERE id = 1").fetch_one(&self.pool).await?;
                Ok(v)
            }

            async fn enterprise_records(&self, id: Option<i64>) -> $crate::storage::Result<Vec<$crate::storage::supervision::EnterpriseStored>> {
                let rows: Vec<$crate::storage::supervision::EnterpriseRow> = sqlx::query_as(
                    "SELECT e.id, e.name, e.industry, e.licence_no, e.credit, e.contact_name, e.contact_phone, b.address, b.id, b.footprint, g.id, g.name
                     FROM enterprises e JOIN buildings b ON b.id = e.building_id JOIN micro_grids m ON m.id = b.micro_grid_id JOIN grids g ON g.id = m.grid_id
                     WHERE ($1 = 0 OR e.id = $2) ORDER BY e.id",
                )
                .bind(i64::from(id.is_some())).bind(id.unwrap_or(0)).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::storage::supervision::enterprise).collect()
            }

            async fn enterprise_counts(&self, since_90d: i64, (year_start, year_end): (i64, i64), now: i64) -> $crate::storage::Result<std::collections::HashMap<i64, $crate::storage::supervision::Counts>> {
                let mut out: std::collections::HashMap<i64, $crate::storage::supervision::Counts> = std::collections::HashMap::new();
                let cases: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT enterprise_id, COUNT(*) FROM cases WHERE enterprise_id IS NOT NULL AND created_at >= $1 GROUP BY enterprise_id",
                )
                .bind(since_90d).fetch_all(&self.pool).await?;
                for (id, n) in cases {
                    out.entry(id).or_default().cases_90d = n as u32;
                }
                // Failed inspections: inspections with a failed item, noticed this year.
                let failed: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT i.enterprise_id, COUNT(*) FROM inspections i WHERE i.noticed_at >= $1 AND i.noticed_at < $2
                        AND EXISTS (SELECT 1 FROM inspection_items t WHERE t.inspection_id = i.id AND t.outcome = 'fail')
                     GROUP BY i.enterprise_id",
                )
                .bind(year_start).bind(year_end).fetch_all(&self.pool).await?;
                for (id, n) in failed {
                    out.entry(id).or_default().failed_year = n as u32;
                }
                let overdue: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT i.enterprise_id, COUNT(*) FROM inspection_items t JOIN inspections i ON i.id = t.inspection_id
                     WHERE t.deadline < $1 AND t.rectified_at IS NULL AND i.closed_at IS NULL GROUP BY i.enterprise_id",
                )
                .bind(now).fetch_all(&self.pool).await?;
                for (id, n) in overdue {
                    out.entry(id).or_default().overdue = n as u32;
                }
                let visits: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT enterprise_id, COUNT(*), CAST(SUM(joint) AS BIGINT) FROM inspections
                     WHERE COALESCE(scheduled_at, created_at) >= $1 AND COALESCE(scheduled_at, created_at) < $2
                        AND stage IN ('inspecting', 'rectifying', 'closed')
                     GROUP BY enterprise_id",
                )
                .bind(year_start).bind(year_end).fetch_all(&self.pool).await?;
                for (id, n, joint) in visits {
                    let c = out.entry(id).or_default();
                    c.visits_year = n as u32;
                    c.joint_year = joint as u32;
                }
                let drawn: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT t.enterprise_id, COUNT(*) FROM inspection_draw_targets t JOIN inspection_draws d ON d.id = t.draw_id
                     WHERE d.drawn_at >= $1 AND d.drawn_at < $2 GROUP BY t.enterprise_id",
                )
                .bind(year_start).bind(year_end).fetch_all(&self.pool).await?;
                // The planned visit is the visit until it is made: not counted twice.
                for (id, n) in drawn {
                    let c = out.entry(id).or_default();
                    c.visits_year = c.visits_year.max(n as u32);
                }
                Ok(out)
            }

            async fn licences(&self, enterprise_id: Option<i64>) -> $crate::storage::Result<Vec<(i64, zhizhi_shared::enterprise::view::Licence)>> {
                let rows: Vec<(i64, String, String, Option<i64>)> = sqlx::query_as(
                    "SELECT enterprise_id, kind, number, expires_at FROM enterprise_licences WHERE ($1 = 0 OR enterprise_id = $2) ORDER BY enterprise_id, id",
                )
                .bind(i64::from(enterprise_id.is_some())).bind(enterprise_id.unwrap_or(0)).fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(e, kind, number, expires_at)| (e, zhizhi_shared::enterprise::view::Licence { kind, number, expires_at, expired: false })).collect())
            }

            async fn add_licences(&self, licences: &[(i64, String, String, Option<i64>)]) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                for (enterprise_id, kind, number, expires_at) in licences {
                    sqlx::query("INSERT INTO enterprise_licences (enterprise_id, kind, number, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(enterprise_id).bind(kind).bind(number).bind(expires_at).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn save_licence(&self, enterprise_id: i64, kind: &str, number: &str, expires_at: Option<i64>) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                sqlx::query(
                    "INSERT INTO enterprise_licences (enterprise_id, kind, number, expires_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (enterprise_id, kind) DO UPDATE SET number = excluded.number, expires_at = excluded.expires_at",
                )
                .bind(enterprise_id).bind(kind).bind(number).bind(expires_at).execute(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn grade_history(&self, enterprise_id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::enterprise::view::GradeEntry>> {
                let rows: Vec<(i64, Option<String>, String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, from_grade, to_grade, reason, evidence, by_name, at FROM enterprise_grades WHERE enterprise_id = $1 ORDER BY at, id",
                )
                .bind(enterprise_id).fetch_all(&self.pool).await?;
                use $crate::storage::supervision::grade_letter;
                rows.into_iter()
                    .map(|(id, from, to, reason, evidence, by, at)| {
                        Ok(zhizhi_shared::enterprise::view::GradeEntry {
                            from: from.map(|f| grade_letter("enterprise_grades", id, &f)).transpose()?,
                            to: grade_letter("enterprise_grades", id, &to)?,
                            reason,
                            evidence,
                            by,
                            at,
                        })
                    })
                    .collect()
            }

            async fn last_grades(&self) -> $crate::storage::Result<std::collections::HashMap<i64, (i64, String)>> {
                let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                    "SELECT g.enterprise_id, g.at, g.reason FROM enterprise_grades g
                     WHERE g.id = (SELECT MAX(x.id) FROM enterprise_grades x WHERE x.enterprise_id = g.enterprise_id)",
                )
                .fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(|(e, at, reason)| (e, (at, reason))).collect())
            }

            async fn regrade(&self, enterprise_id: i64, from: zhizhi_shared::people::CreditRating, c: &zhizhi_shared::enterprise::GradeChange, by: &str, now: i64) -> $crate::storage::Result<bool> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let done = sqlx::query("UPDATE enterprises SET credit = $1 WHERE id = $2 AND credit = $3")
                    .bind(c.to.letter()).bind(enterprise_id).bind(from.letter()).execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("INSERT INTO enterprise_grades (enterprise_id, from_grade, to_grade, reason, evidence, by_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(enterprise_id).bind(from.letter()).bind(c.to.letter()).bind(c.reason.trim()).bind(c.evidence.trim()).bind(by).bind(now)
                    .execute(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn help_entries(&self, enterprise_id: Option<i64>) -> $crate::storage::Result<Vec<(i64, zhizhi_shared::enterprise::view::HelpEntry)>> {
                let rows: Vec<(i64, i64, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, enterprise_id, kind, note, by_name, at FROM enterprise_help WHERE ($1 = 0 OR enterprise_id = $2) ORDER BY at DESC, id DESC",
                )
                .bind(i64::from(enterprise_id.is_some())).bind(enterprise_id.unwrap_or(0)).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, e, kind, note, by, at)| {
                        let kind = $crate::storage::portable::parse_code("enterprise_help", id, &kind, zhizhi_shared::enterprise::view::HelpKind::from_code)?;
                        Ok((e, zhizhi_shared::enterprise::view::HelpEntry { kind, note, by, at }))
                    })
                    .collect()
            }

            async fn add_help(&self, enterprise_id: i64, kind: zhizhi_shared::enterprise::view::HelpKind, note: &str, by: &str, now: i64) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                sqlx::query("INSERT INTO enterprise_help (enterprise_id, kind, note, by_name, at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(enterprise_id).bind(kind.code()).bind(note.trim()).bind(by).bind(now).execute(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn linked_cases(&self, enterprise_id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::enterprise::view::LinkedCase>> {
                let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
                    "SELECT id, number, category, state, created_at FROM cases WHERE enterprise_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100",
                )
                .bind(enterprise_id).fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, number, category, state, created_at)| zhizhi_shared::enterprise::view::LinkedCase { id, number, category, state, created_at })
                    .collect())
            }

            async fn link_case(&self, case_id: i64, enterprise_id: Option<i64>) -> $crate::storage::Result<bool> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let done = sqlx::query("UPDATE cases SET enterprise_id = $1 WHERE id = $2").bind(enterprise_id).bind(case_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn link_case_number(&self, number: &str, enterprise_id: i64) -> $crate::storage::Result<Option<i64>> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let id: Option<(i64,)> = sqlx::query_as("UPDATE cases SET enterprise_id = $1 WHERE number = $2 RETURNING id")
                    .bind(enterprise_id).bind(number).fetch_optional(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id.map(|(i,)| i))
            }

            async fn inspections(&self, enterprise_id: Option<i64>) -> $crate::storage::Result<Vec<$crate::storage::supervision::InspectionStored>> {
                let rows: Vec<$crate::storage::supervision::InspectionRow> = sqlx::query_as(
                    "SELECT i.id, i.enterprise_id, e.name AS enterprise, i.joint, i.stage, i.lead_post_id, p.name AS lead_post, i.scheduled_at, i.return_reason, i.approved_by,
                            i.approved_at, i.notice_no, i.noticed_at, i.closed_at, i.created_by, i.created_at, i.version
                     FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id JOIN posts p ON p.id = i.lead_post_id
                     WHERE (($1 = 0 AND i.closed_at IS NULL) OR i.enterprise_id = $2) ORDER BY i.created_at DESC, i.id DESC",
                )
                .bind(i64::from(enterprise_id.is_some())).bind(enterprise_id.unwrap_or(0)).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::storage::supervision::inspection).collect()
            }

            async fn inspection(&self, id: i64) -> $crate::storage::Result<Option<$crate::storage::supervision::InspectionStored>> {
                let row: Option<$crate::storage::supervision::InspectionRow> = sqlx::query_as(
                    "SELECT i.id, i.enterprise_id, e.name AS enterprise, i.joint, i.stage, i.lead_post_id, p.name AS lead_post, i.scheduled_at, i.return_reason, i.approved_by,
                            i.approved_at, i.notice_no, i.noticed_at, i.closed_at, i.created_by, i.created_at, i.version
                     FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id JOIN posts p ON p.id = i.lead_post_id WHERE i.id = $1",
                )
                .bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::storage::supervision::inspection).transpose()
            }

            async fn inspection_items(&self, id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::enterprise::view::ItemView>> {
                let rows: Vec<$crate::storage::supervision::ItemRow> = sqlx::query_as(
                    "SELECT id, post, item, outcome, finding, checked_by, checked_at, requirement, deadline, rectified_at, evidence, recheck
                     FROM inspection_items WHERE inspection_id = $1 ORDER BY id",
                )
                .bind(id).fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::storage::supervision::item).collect()
            }

            async fn open_rectifications(&self) -> $crate::storage::Result<Vec<(i64, zhizhi_shared::enterprise::view::ItemView)>> {
                let rows: Vec<(i64, i64, String, String, String, String, String, Option<i64>, String, Option<i64>, Option<i64>, String, String)> = sqlx::query_as(
                    "SELECT t.inspection_id, t.id, t.post, t.item, t.outcome, t.finding, t.checked_by, t.checked_at, t.requirement, t.deadline, t.rectified_at, t.evidence, t.recheck
                     FROM inspection_items t JOIN inspections i ON i.id = t.inspection_id
                     WHERE i.closed_at IS NULL AND t.deadline IS NOT NULL AND t.rectified_at IS NULL ORDER BY t.deadline, t.id",
                )
                .fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(i, id, post, item, outcome, finding, checked_by, checked_at, requirement, deadline, rectified_at, evidence, recheck)| {
                        Ok((i, $crate::storage::supervision::item((id, post, item, outcome, finding, checked_by, checked_at, requirement, deadline, rectified_at, evidence, recheck))?))
                    })
                    .collect()
            }

            async fn inspection_log(&self, id: i64) -> $crate::storage::Result<Vec<(i64, String, String)>> {
                Ok(sqlx::query_as("SELECT at, by_name, what FROM inspection_log WHERE inspection_id = $1 ORDER BY id").bind(id).fetch_all(&self.pool).await?)
            }

            async fn file_inspection(&self, enterprise_id: i64, joint: bool, lead_post_id: i64, scheduled_at: Option<i64>, items: &[zhizhi_shared::enterprise::inspection::PlannedItem], by: &str, now: i64) -> $crate::storage::Result<i64> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO inspections (enterprise_id, joint, stage, lead_post_id, scheduled_at, created_by, created_at) VALUES ($1, $2, 'draft', $3, $4, $5, $6) RETURNING id",
                )
                .bind(enterprise_id).bind(i64::from(joint)).bind(lead_post_id).bind(scheduled_at).bind(by).bind(now)
                .fetch_one(&mut *tx).await?;
                for i in items {
                    sqlx::query("INSERT INTO inspection_items (inspection_id, post, item, item_key) VALUES ($1, $2, $3, $4)")
                        .bind(id).bind(&i.post).bind(i.item.trim()).bind(zhizhi_shared::enterprise::inspection::item_key(&i.item))
                        .execute(&mut *tx).await
                        .map_err(|e| $crate::storage::portable::conflict(e, || format!("检查事项「{}」", i.item.trim())))?;
                }
                sqlx::query("INSERT INTO inspection_log (inspection_id, at, by_name, what) VALUES ($1, $2, $3, '立案：拟定联合检查')").bind(id).bind(now).bind(by).execute(&mut *tx).await?;
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn write_inspection(&self, w: &$crate::storage::supervision::InspectionWrite) -> $crate::storage::Result<()> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                // First, so that concurrent writers queue here (the notice number is counted below).
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                let notice_no = match w.notice_year {
                    Some(year) => {
                        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM inspections WHERE notice_no LIKE $1")
                            .bind(format!("%〔{year}〕%")).fetch_one(&mut *tx).await?;
                        Some(zhizhi_shared::enterprise::inspection::notice_number(year, n + 1))
                    }
                    None => None,
                };
                let done = sqlx::query(
                    "UPDATE inspections SET stage = $1, scheduled_at = $2, return_reason = $3, approved_by = $4, approved_at = $5,
                        notice_no = COALESCE($6, notice_no), noticed_at = $7, closed_at = $8, version = version + 1
                     WHERE id = $9 AND version = $10",
                )
                .bind(w.stage.code()).bind(w.scheduled_at).bind(&w.return_reason).bind(&w.approved_by).bind(w.approved_at)
                .bind(notice_no).bind(w.noticed_at).bind(w.closed_at).bind(w.id).bind(w.seen)
                .execute(&mut *tx).await?;
                if done.rows_affected() != 1 {
                    return Err($crate::storage::Error::Stale);
                }
                for i in &w.add {
                    sqlx::query("INSERT INTO inspection_items (inspection_id, post, item, item_key) VALUES ($1, $2, $3, $4)")
                        .bind(w.id).bind(&i.post).bind(i.item.trim()).bind(zhizhi_shared::enterprise::inspection::item_key(&i.item))
                        .execute(&mut *tx).await
                        .map_err(|e| $crate::storage::portable::conflict(e, || format!("检查事项「{}」", i.item.trim())))?;
                }
                for id in &w.remove {
                    sqlx::query("DELETE FROM inspection_items WHERE id = $1 AND inspection_id = $2").bind(id).bind(w.id).execute(&mut *tx).await?;
                }
                for t in &w.items {
                    sqlx::query(
                        "UPDATE inspection_items SET outcome = $1, finding = $2, checked_by = $3, checked_at = $4, requirement = $5, deadline = $6,
                            rectified_at = $7, evidence = $8, recheck = $9 WHERE id = $10 AND inspection_id = $11",
                    )
                    .bind(t.outcome.code()).bind(&t.finding).bind(&t.checked_by).bind(t.checked_at).bind(&t.requirement).bind(t.deadline)
                    .bind(t.rectified_at).bind(&t.evidence).bind(t.recheck.code()).bind(t.id).bind(w.id)
                    .execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO inspection_log (inspection_id, at, by_name, what) VALUES ($1, $2, $3, $4)").bind(w.id).bind(w.now).bind(&w.by).bind(&w.what).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn store_draw(&self, year: i32, seed: u64, rates: [f64; 4], cap: u32, targets: &[$crate::storage::supervision::DrawTargetRow], by: &str, now: i64) -> $crate::storage::Result<i64> {
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let rates = serde_json::to_string(&rates).expect("numbers serialise");
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO inspection_draws (year, seed, rates, yearly_cap, drawn_by, drawn_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(i64::from(year)).bind(seed.to_string()).bind(rates).bind(i64::from(cap)).bind(by).bind(now)
                .fetch_one(&mut *tx).await
                .map_err(|e| $crate::storage::portable::conflict(e, || format!("{year} 年度的抽取")))?;
                for (e, grade, inspectors) in targets {
                    sqlx::query("INSERT INTO inspection_draw_targets (draw_id, enterprise_id, grade, inspectors) VALUES ($1, $2, $3, $4)")
                        .bind(id).bind(e).bind(grade.letter()).bind(inspectors.join("、")).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE supervision_state SET version = version + 1 WHERE id = 1").execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn draws(&self) -> $crate::storage::Result<Vec<$crate::storage::supervision::DrawRow>> {
                let rows: Vec<(i64, i64, String, String, i64, String, i64)> =
                    sqlx::query_as("SELECT id, year, seed, rates, yearly_cap, drawn_by, drawn_at FROM inspection_draws ORDER BY id DESC").fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, year, seed, rates, cap, by, at)| {
                        let bad = |d: String| $crate::storage::Error::Corrupt { table: "inspection_draws", id, detail: d };
                        let seed = seed.parse::<u64>().map_err(|e| bad(e.to_string()))?;
                        let rates: [f64; 4] = serde_json::from_str(&rates).map_err(|e| bad(e.to_string()))?;
                        Ok((id, year as i32, seed, rates, cap as u32, by, at))
                    })
                    .collect()
            }

            async fn draw_targets(&self, id: i64) -> $crate::storage::Result<Vec<$crate::storage::supervision::DrawTargetRow>> {
                let rows: Vec<(i64, String, String)> =
                    sqlx::query_as("SELECT enterprise_id, grade, inspectors FROM inspection_draw_targets WHERE draw_id = $1 ORDER BY enterprise_id").bind(id).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(e, g, inspectors)| {
                        let g = $crate::storage::supervision::grade_letter("inspection_draw_targets", e, &g)?;
                        Ok((e, g, inspectors.split('、').filter(|s| !s.is_empty()).map(str::to_string).collect()))
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use portable_supervision;
