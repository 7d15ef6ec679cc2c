//! The SQL of the cases, tasks, steps, photos and the event log, written once for both engines: a macro
//! that `sqlite.rs` and `postgres.rs` instantiate.

/// Implements [`CaseStore`] for `$store`. `$begin` starts a transaction that keeps every other
/// case writer out until it commits, so that event ids are committed in order.
macro_rules! portable_cases {
    ($store:ty, $db:ty, begin = |$pool:ident| $begin:expr) => {
        impl $store {
            /// Reads case summaries (with their tasks) by a WHERE clause built by `build`.
            async fn summaries(
                conn: &mut <$db as sqlx::Database>::Connection,
                build: impl FnOnce(&mut sqlx::QueryBuilder<$db>),
            ) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::CaseSummary>> {
                use $crate::storage::cases::{state, CASE_COLUMNS};
                use $crate::storage::portable::parse_code;
                use sqlx::Row;
                use zhizhi_shared::case::view::{CaseSummary, TaskBrief};
                use zhizhi_shared::case::{Holder, Source, TaskState, Urgency};
                let mut qb = sqlx::QueryBuilder::<$db>::new(format!("SELECT {CASE_COLUMNS} FROM cases WHERE "));
                build(&mut qb);
                let rows = qb.build().fetch_all(&mut *conn).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let id: i64 = r.try_get("id")?;
                    out.push(CaseSummary {
                        id,
                        number: r.try_get("number")?,
                        category: r.try_get("category")?,
                        source: parse_code("cases", id, &r.try_get::<String, _>("source")?, Source::from_code)?,
                        state: state(id, &r.try_get::<String, _>("state")?)?,
                        suspended_from: r.try_get::<Option<String>, _>("suspended_from")?.map(|s| state(id, &s)).transpose()?,
                        urgency: parse_code("cases", id, &r.try_get::<String, _>("urgency")?, Urgency::from_code)?,
                        description: r.try_get("description")?,
                        address: r.try_get("address")?,
                        lon: r.try_get("lon")?,
                        lat: r.try_get("lat")?,
                        micro_grid_id: r.try_get("micro_grid_id")?,
                        grid_id: r.try_get("grid_id")?,
                        street_id: r.try_get("street_id")?,
                        place: r.try_get("place")?,
                        grid_worker: r.try_get("grid_worker")?,
                        reporter_id: r.try_get("reporter_id")?,
                        reporter_name: r.try_get("reporter_name")?,
                        escalated: r.try_get::<i64, _>("escalated")? != 0,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                        stage_started_at: r.try_get("stage_started_at")?,
                        stage_deadline: r.try_get("stage_deadline")?,
                        tasks: Vec::new(),
                        version: r.try_get("version")?,
                        drill: r.try_get::<i64, _>("drill")? != 0,
                        activation: None,
                    });
                }
                if out.is_empty() {
                    return Ok(out);
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT t.id, t.case_id, t.post_id, t.grid_id, t.district, t.state, t.deadline, t.extension_hours, p.name AS post_name, g.name AS grid_name,
                        t.activation_id, t.plan_level, t.instruction, t.checklist, t.checked
                     FROM case_tasks t LEFT JOIN posts p ON p.id = t.post_id LEFT JOIN grids g ON g.id = t.grid_id WHERE t.case_id IN (",
                );
                let mut ids = qb.separated(", ");
                for c in &out {
                    ids.push_bind(c.id);
                }
                qb.push(") ORDER BY t.id");
                for r in qb.build().fetch_all(&mut *conn).await? {
                    let id: i64 = r.try_get("id")?;
                    let case_id: i64 = r.try_get("case_id")?;
                    let district = r.try_get::<i64, _>("district")? != 0;
                    let holder = match (r.try_get::<Option<i64>, _>("post_id")?, r.try_get::<Option<i64>, _>("grid_id")?) {
                        (Some(p), _) => Holder::Post(p),
                        (None, Some(g)) => Holder::Grid(g),
                        (None, None) if district => Holder::District,
                        (None, None) => return Err($crate::storage::Error::Corrupt { table: "case_tasks", id, detail: "no holder".into() }),
                    };
                    let holder_name = match holder {
                        Holder::Post(_) => r.try_get::<Option<String>, _>("post_name")?.unwrap_or_default(),
                        Holder::Grid(_) => format!("网格员（{}）", r.try_get::<Option<String>, _>("grid_name")?.unwrap_or_default()),
                        Holder::District => "区城运中心".to_string(),
                    };
                    let plan = match (r.try_get::<Option<i64>, _>("activation_id")?, r.try_get::<Option<String>, _>("plan_level")?) {
                        (Some(activation_id), Some(level)) => Some(zhizhi_shared::case::view::PlanTaskNote {
                            activation_id,
                            level: parse_code("case_tasks", id, &level, zhizhi_shared::plan::Level::from_code)?,
                            instruction: r.try_get("instruction")?,
                            checklist: serde_json::from_str(&r.try_get::<String, _>("checklist")?)
                                .map_err(|e| $crate::storage::Error::Corrupt { table: "case_tasks", id, detail: e.to_string() })?,
                            checked: serde_json::from_str(&r.try_get::<String, _>("checked")?)
                                .map_err(|e| $crate::storage::Error::Corrupt { table: "case_tasks", id, detail: e.to_string() })?,
                        }),
                        _ => None,
                    };
                    let brief = TaskBrief {
                        id,
                        holder,
                        holder_name,
                        state: parse_code("case_tasks", id, &r.try_get::<String, _>("state")?, TaskState::from_code)?,
                        deadline: r.try_get("deadline")?,
                        extension_hours: r.try_get("extension_hours")?,
                        plan,
                    };
                    if let Some(c) = out.iter_mut().find(|c| c.id == case_id) {
                        c.tasks.push(brief);
                    }
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT id, plan_id, plan_name, version, level, drill, state, case_id, activated_at FROM activations WHERE case_id IN (",
                );
                let mut ids = qb.separated(", ");
                for c in &out {
                    ids.push_bind(c.id);
                }
                qb.push(") ORDER BY id");
                let rows: Vec<$crate::storage::plans::ActivationBriefRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
                for r in rows {
                    let brief = $crate::storage::plans::activation_brief(r)?;
                    if let Some(c) = out.iter_mut().find(|c| c.id == brief.case_id) {
                        c.activation = Some(brief);
                    }
                }
                Ok(out)
            }
        }

        #[async_trait::async_trait]
        impl $crate::storage::cases::CaseStore for $store {
            #[tracing::instrument(skip_all)]
            async fn write_case(&self, w: &$crate::storage::cases::CaseWrite) -> $crate::storage::Result<zhizhi_shared::case::view::LiveEvent> {
                use $crate::storage::cases::{case_number, CaseWriteKind};
                use zhizhi_shared::case::Holder;
                let $pool = self.writer();
                let mut tx = $begin.await?;
                let (case_id, now) = match &w.case {
                    CaseWriteKind::Create(c) => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO cases (category, source, state, urgency, description, address, lon, lat, micro_grid_id, grid_id,
                                place, grid_worker, reporter_id, reporter_name, reporter_contact, created_at, updated_at, stage_started_at, stage_deadline, drill, street_id)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $16, $17, $18,
                                COALESCE((SELECT c.street_id FROM grids g JOIN communities c ON c.id = g.community_id WHERE g.id = $10), $19)) RETURNING id",
                        )
                        .bind(&c.category).bind(c.source.code()).bind(c.state.code()).bind(c.urgency.code()).bind(&c.description)
                        .bind(&c.address).bind(c.lon).bind(c.lat).bind(c.micro_grid_id).bind(c.grid_id).bind(&c.place)
                        .bind(&c.grid_worker).bind(c.reporter_id).bind(&c.reporter_name).bind(&c.reporter_contact).bind(c.now)
                        .bind(c.stage_deadline).bind(i64::from(c.drill)).bind(c.street_id)
                        .fetch_one(&mut *tx).await?;
                        sqlx::query("UPDATE cases SET number = $1 WHERE id = $2").bind(case_number(id, c.now)).bind(id).execute(&mut *tx).await?;
                        (id, c.now)
                    }
                    CaseWriteKind::Update(u) => {
                        let done = sqlx::query(
                            "UPDATE cases SET state = $3, suspended_from = $4, escalated = $5, updated_at = $6,
                                stage_started_at = CASE WHEN $7 = 1 THEN $6 ELSE stage_started_at END, stage_deadline = $8,
                                closed_at = CASE WHEN $3 IN ('closed', 'rejected') THEN COALESCE(closed_at, $6) ELSE NULL END, version = version + 1
                             WHERE id = $1 AND version = $2",
                        )
                        .bind(u.id).bind(u.version).bind(u.state.code()).bind(u.suspended_from.map(|s| s.code()))
                        .bind(i64::from(u.escalated)).bind(u.now).bind(i64::from(u.stage_changed)).bind(u.stage_deadline)
                        .execute(&mut *tx).await?;
                        if done.rows_affected() == 0 {
                            return Err($crate::storage::Error::Stale);
                        }
                        (u.id, u.now)
                    }
                };
                if let Some(alarm) = w.link_alarm {
                    let done = sqlx::query("UPDATE alarms SET case_id = $1 WHERE id = $2 AND case_id IS NULL")
                        .bind(case_id).bind(alarm).execute(&mut *tx).await?;
                    if done.rows_affected() == 0 {
                        return Err($crate::storage::Error::Stale);
                    }
                }
                if let Some((outcome, note)) = &w.conclude_alarms {
                    sqlx::query("UPDATE alarms SET outcome = $2, outcome_note = $3, concluded_at = $4 WHERE case_id = $1 AND outcome IS NULL")
                        .bind(case_id).bind(outcome.code()).bind(note).bind(now).execute(&mut *tx).await?;
                }
                let activation_id = match &w.activation {
                    None => None,
                    Some($crate::storage::plans::ActivationWrite::Start { plan_id, version, plan_name, level, drill, by }) => {
                        let (id,): (i64,) = sqlx::query_as(
                            "INSERT INTO activations (plan_id, version, plan_name, level, drill, state, case_id, activated_at, activated_by)
                             VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8) RETURNING id",
                        )
                        .bind(plan_id).bind(version).bind(plan_name).bind(level.code()).bind(i64::from(*drill)).bind(case_id).bind(now).bind(by)
                        .fetch_one(&mut *tx).await?;
                        Some(id)
                    }
                    Some($crate::storage::plans::ActivationWrite::Update { id, level, state, stood_down_at, stand_down_reason, lessons }) => {
                        sqlx::query(
                            "UPDATE activations SET level = $2, state = $3, stood_down_at = $4, stand_down_reason = $5, lessons = $6 WHERE id = $1 AND case_id = $7",
                        )
                        .bind(id).bind(level.code()).bind(state.code()).bind(stood_down_at).bind(stand_down_reason).bind(lessons).bind(case_id)
                        .execute(&mut *tx).await?;
                        Some(*id)
                    }
                };
                if let Some(key) = &w.client {
                    sqlx::query("INSERT INTO client_writes (actor, client_id, case_id, at) VALUES ($1, $2, $3, $4)")
                        .bind(&key.actor).bind(&key.id).bind(case_id).bind(now)
                        .execute(&mut *tx).await
                        .map_err(|e| $crate::storage::portable::conflict(e, || format!("「{}」已提交过", key.id)))?;
                }
                $crate::storage::follow::write_follow!(tx, w, case_id, now);
                // A task created here: its holder, its id, and whether a step has named it yet.
                let mut created: Vec<(Holder, i64, bool)> = Vec::new();
                for (i, (holder, deadline)) in w.new_tasks.iter().enumerate() {
                    let (post, grid) = match holder {
                        Holder::Post(p) => (Some(*p), None),
                        Holder::Grid(g) => (None, Some(*g)),
                        Holder::District => (None, None),
                    };
                    let plan = w.task_plans.get(i).and_then(|p| p.as_ref());
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO case_tasks (case_id, post_id, grid_id, district, state, deadline, created_at, updated_at,
                            activation_id, plan_level, instruction, checklist)
                         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(case_id).bind(post).bind(grid).bind(i64::from(*holder == Holder::District)).bind(deadline).bind(now)
                    .bind(plan.and(activation_id)).bind(plan.map(|p| p.level.code()))
                    .bind(plan.map(|p| p.instruction.clone()).unwrap_or_default())
                    .bind(serde_json::to_string(&plan.map(|p| p.checklist.clone()).unwrap_or_default()).expect("strings serialise"))
                    .fetch_one(&mut *tx).await?;
                    created.push((*holder, id, false));
                }
                for ch in &w.task_changes {
                    sqlx::query("UPDATE case_tasks SET state = $3, deadline = $4, extension_hours = $5, updated_at = $6 WHERE id = $1 AND case_id = $2")
                        .bind(ch.task_id).bind(case_id).bind(ch.state.code()).bind(ch.deadline).bind(ch.extension_hours).bind(now)
                        .execute(&mut *tx).await?;
                }
                for (task_id, checked) in &w.checks {
                    sqlx::query("UPDATE case_tasks SET checked = $3, updated_at = $4 WHERE id = $1 AND case_id = $2")
                        .bind(task_id).bind(case_id).bind(serde_json::to_string(checked).expect("indices serialise")).bind(now)
                        .execute(&mut *tx).await?;
                }
                let (mut seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM case_steps WHERE case_id = $1")
                    .bind(case_id).fetch_one(&mut *tx).await?;
                let mut last_step = None;
                for s in &w.steps {
                    seq += 1;
                    // A step names the first task created for its holder that no step named yet
                    // (a plan may give the district several tasks at once).
                    let task_id = s.task_id.or_else(|| {
                        let h = s.new_task_holder?;
                        let c = created.iter_mut().find(|c| c.0 == h && !c.2)?;
                        c.2 = true;
                        Some(c.1)
                    });
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO case_steps (case_id, seq, at, actor, actor_name, kind, from_state, to_state, task_id, note)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    )
                    .bind(case_id).bind(seq).bind(s.at).bind(&s.actor).bind(&s.actor_name).bind(&s.kind)
                    .bind(s.from.code()).bind(s.to.code()).bind(task_id).bind(&s.note)
                    .fetch_one(&mut *tx).await?;
                    last_step = Some(id);
                }
                if let (Some(p), Some(step_id)) = (&w.photo, last_step) {
                    sqlx::query("INSERT INTO attachments (case_id, step_id, content_type, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(case_id).bind(step_id).bind(&p.content_type).bind(p.data.len() as i64).bind(&p.sha256).bind(&p.data)
                        .execute(&mut *tx).await?;
                }
                let mut summaries = Self::summaries(&mut *tx, |qb| {
                    qb.push("id = ").push_bind(case_id);
                })
                .await?;
                let summary = summaries.pop().ok_or($crate::storage::Error::Corrupt { table: "cases", id: case_id, detail: "vanished while written".into() })?;
                let payload = serde_json::to_string(&summary).expect("a case summary always serialises");
                let (event_id,): (i64,) = sqlx::query_as("INSERT INTO events (at, case_id, payload) VALUES ($1, $2, $3) RETURNING id")
                    .bind(now).bind(case_id).bind(payload)
                    .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(zhizhi_shared::case::view::LiveEvent { id: event_id, case: summary })
            }

            async fn case(&self, id: i64) -> $crate::storage::Result<Option<zhizhi_shared::case::view::CaseSummary>> {
                let mut conn = self.pool.acquire().await?;
                Ok(Self::summaries(&mut *conn, |qb| {
                    qb.push("id = ").push_bind(id);
                })
                .await?
                .pop())
            }

            async fn case_steps(&self, id: i64) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::StepView>> {
                use $crate::storage::cases::state;
                type Row = (i64, i64, i64, String, String, String, String, String, Option<i64>, String);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, seq, at, actor, actor_name, kind, from_state, to_state, task_id, note FROM case_steps WHERE case_id = $1 ORDER BY seq",
                )
                .bind(id).fetch_all(&self.pool).await?;
                let photos: Vec<(i64, i64)> = sqlx::query_as("SELECT id, step_id FROM attachments WHERE case_id = $1 ORDER BY id")
                    .bind(id).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|r| {
                        Ok(zhizhi_shared::case::view::StepView {
                            seq: r.1,
                            at: r.2,
                            actor: r.3,
                            actor_name: r.4,
                            kind: r.5,
                            from: state(id, &r.6)?,
                            to: state(id, &r.7)?,
                            task_id: r.8,
                            note: r.9,
                            attachments: photos.iter().filter(|p| p.1 == r.0).map(|p| p.0).collect(),
                        })
                    })
                    .collect()
            }

            async fn cases(&self, f: &$crate::storage::cases::CaseFilter) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::CaseSummary>> {
                use $crate::storage::cases::CaseScope;
                let mut conn = self.pool.acquire().await?;
                Self::summaries(&mut *conn, |qb| {
                    qb.push("1 = 1");
                    if !f.states.is_empty() {
                        qb.push(" AND state IN (");
                        let mut s = qb.separated(", ");
                        for st in &f.states {
                            s.push_bind(st.code());
                        }
                        qb.push(")");
                    }
                    if let Some(c) = &f.category {
                        qb.push(" AND (category = ").push_bind(c.clone()).push(" OR category LIKE ").push_bind(format!("{c}.%")).push(")");
                    }
                    if let Some(g) = f.grid_id {
                        qb.push(" AND grid_id = ").push_bind(g);
                    }
                    if let Some(s) = f.street_id {
                        qb.push(" AND street_id = ").push_bind(s);
                    }
                    if let Some(now) = f.overdue_at {
                        qb.push(" AND stage_deadline < ").push_bind(now);
                    }
                    if let Some(from) = f.created_from {
                        qb.push(" AND created_at >= ").push_bind(from);
                    }
                    if let Some(to) = f.created_to {
                        qb.push(" AND created_at < ").push_bind(to);
                    }
                    if !f.ids.is_empty() {
                        qb.push(" AND id IN (");
                        let mut ids = qb.separated(", ");
                        for id in &f.ids {
                            ids.push_bind(*id);
                        }
                        qb.push(")");
                    }
                    if let CaseScope::Of { user_id, post_id, grid_ids, district, street_id, whole_street } = &f.scope {
                        qb.push(" AND (reporter_id = ").push_bind(*user_id);
                        if let Some(s) = whole_street {
                            qb.push(" OR street_id = ").push_bind(*s);
                        }
                        if let Some(p) = post_id {
                            qb.push(" OR (EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = cases.id AND t.post_id = ").push_bind(*p).push(")");
                            if let Some(s) = street_id {
                                qb.push(" AND street_id = ").push_bind(*s);
                            }
                            qb.push(")");
                        }
                        for g in grid_ids {
                            qb.push(" OR grid_id = ").push_bind(*g);
                            qb.push(" OR EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = cases.id AND t.grid_id = ").push_bind(*g).push(")");
                        }
                        if *district {
                            qb.push(" OR escalated = 1 OR EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = cases.id AND t.district = 1)");
                        }
                        qb.push(")");
                    }
                    qb.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit);
                })
                .await
            }

            async fn client_write(&self, key: &$crate::storage::cases::ClientKey) -> $crate::storage::Result<Option<i64>> {
                let row: Option<(i64,)> = sqlx::query_as("SELECT case_id FROM client_writes WHERE actor = $1 AND client_id = $2")
                    .bind(&key.actor).bind(&key.id).fetch_optional(&self.pool).await?;
                Ok(row.map(|r| r.0))
            }

            async fn prune_client_writes(&self, before: i64) -> $crate::storage::Result<u64> {
                let done = sqlx::query("DELETE FROM client_writes WHERE at < $1").bind(before).execute(&self.pool).await?;
                Ok(done.rows_affected())
            }

            async fn photo(&self, id: i64) -> $crate::storage::Result<Option<$crate::storage::cases::Photo>> {
                let row: Option<(i64, String, Vec<u8>)> = sqlx::query_as("SELECT case_id, content_type, data FROM attachments WHERE id = $1")
                    .bind(id).fetch_optional(&self.pool).await?;
                Ok(row.map(|(case_id, content_type, data)| $crate::storage::cases::Photo { case_id, content_type, data }))
            }

            async fn events_after(&self, after: i64, limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::LiveEvent>> {
                let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after).bind(limit).fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, payload)| {
                        let case = serde_json::from_str(&payload)
                            .map_err(|e| $crate::storage::Error::Corrupt { table: "events", id, detail: e.to_string() })?;
                        Ok(zhizhi_shared::case::view::LiveEvent { id, case })
                    })
                    .collect()
            }

            async fn open_by_street(&self, now: i64) -> $crate::storage::Result<Vec<(Option<i64>, i64, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT street_id, COUNT(*), COALESCE(SUM(CASE WHEN stage_deadline < $1 THEN 1 ELSE 0 END), 0)
                     FROM cases WHERE state NOT IN ('closed', 'rejected') AND drill = 0 GROUP BY street_id ORDER BY street_id",
                )
                .bind(now).fetch_all(&self.pool).await?)
            }

            async fn event_range(&self) -> $crate::storage::Result<(Option<i64>, i64)> {
                let (min, max): (Option<i64>, Option<i64>) = sqlx::query_as("SELECT MIN(id), MAX(id) FROM events").fetch_one(&self.pool).await?;
                Ok((min, max.unwrap_or(0)))
            }

            async fn prune_events(&self, keep: i64) -> $crate::storage::Result<u64> {
                let done = sqlx::query("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - $1").bind(keep).execute(&self.pool).await?;
                Ok(done.rows_affected())
            }

            async fn routing(&self, micro_grid_id: i64) -> $crate::storage::Result<Option<$crate::storage::cases::Routing>> {
                let row: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
                    "SELECT m.grid_id, c.name, g.name, m.name, s.name FROM micro_grids m JOIN grids g ON g.id = m.grid_id
                     JOIN communities c ON c.id = g.community_id LEFT JOIN staff s ON s.id = g.worker_id WHERE m.id = $1",
                )
                .bind(micro_grid_id).fetch_optional(&self.pool).await?;
                Ok(row.map(|(grid_id, community, grid, micro, worker)| $crate::storage::cases::Routing {
                    micro_grid_id,
                    grid_id,
                    place: format!("{community} · {grid} · {micro}"),
                    grid_worker: worker.unwrap_or_default(),
                }))
            }

            async fn building_ref(&self, id: i64) -> $crate::storage::Result<Option<zhizhi_shared::case::view::BuildingRef>> {
                Ok(self.search_buildings_where(Some(id), "", &[], 1).await?.pop())
            }

            async fn search_buildings(&self, q: &str, grid_ids: &[i64], limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::BuildingRef>> {
                self.search_buildings_where(None, q, grid_ids, limit).await
            }
        }

        impl $store {
            async fn search_buildings_where(&self, id: Option<i64>, q: &str, grid_ids: &[i64], limit: i64) -> $crate::storage::Result<Vec<zhizhi_shared::case::view::BuildingRef>> {
                use $crate::storage::portable::parse_polygon;
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT b.id, b.name, b.address, b.floors, b.micro_grid_id, m.grid_id, b.footprint FROM buildings b JOIN micro_grids m ON m.id = b.micro_grid_id WHERE 1 = 1",
                );
                if let Some(id) = id {
                    qb.push(" AND b.id = ").push_bind(id);
                }
                if !q.is_empty() {
                    let like = format!("%{}%", q.replace('%', "").replace('_', ""));
                    qb.push(" AND (b.address LIKE ").push_bind(like.clone()).push(" OR b.name LIKE ").push_bind(like).push(")");
                }
                if !grid_ids.is_empty() {
                    qb.push(" AND m.grid_id IN (");
                    let mut s = qb.separated(", ");
                    for g in grid_ids {
                        s.push_bind(*g);
                    }
                    qb.push(")");
                }
                qb.push(" ORDER BY b.address LIMIT ").push_bind(limit);
                let rows: Vec<(i64, String, String, i32, i64, i64, String)> = qb.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter()
                    .map(|(id, name, address, floors, micro_grid_id, grid_id, footprint)| {
                        let c = parse_polygon("buildings", id, &footprint)?.centroid();
                        Ok(zhizhi_shared::case::view::BuildingRef { id, name, address, floors, micro_grid_id, grid_id, lon: c[0], lat: c[1] })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use portable_cases;
