//! The grid editor's panels beside the map: tools, the list of micro-grids, the selected one's
//! name and coordinates, the check's report, the grid worker, and importing a division.

use super::{Editor, Tool};
use crate::api::error_text;
use crate::api::map::set_grid_worker;
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::geo::{LonLat, Polygon};
use zhizhi_shared::map::edit::Shape;

#[component]
pub(super) fn Tools(ed: Editor) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let hint = move || {
        lang.track();
        match ed.tool.get() {
            Tool::Select => pick(
                "点选微网格；拖动白色顶点改变边界（相邻微网格的共同顶点一起移动，靠近边和顶点时自动吸附）；双击边界加点。",
                "Click a micro-grid; drag a white vertex to move the boundary (shared vertices move together and snap to \
                 nearby edges and vertices); double-click a boundary to add a vertex.",
            ),
            Tool::Split(ref p) if p.is_empty() => {
                pick("分割：在地图上点击分割线的起点（选中微网格之外）。", "Split: click where the cut starts, outside the selected micro-grid.")
            }
            Tool::Split(_) => pick("分割：再点击分割线的终点，分割线须两次穿过边界。", "Split: click where the cut ends; it must cross the boundary twice."),
            Tool::Merge => pick("合并：点击与选中微网格相邻的另一个微网格。", "Merge: click a micro-grid next to the selected one."),
        }
    };
    let has_sel = move || ed.selected.get().is_some();
    view! {
        <div class="tools" role="group" aria-label=bi("编辑工具", "Editing tools")>
            <button type="button" class="chip" class:on=move || ed.tool.get() == Tool::Select on:click=move |_| ed.tool.set(Tool::Select)>{bi("选择", "Select")}</button>
            <button type="button" class="chip" data-testid="tool-split" disabled=move || !has_sel() class:on=move || matches!(ed.tool.get(), Tool::Split(_))
                on:click=move |_| ed.tool.set(Tool::Split(Vec::new()))>{bi("分割", "Split")}</button>
            <button type="button" class="chip" data-testid="tool-merge" disabled=move || !has_sel() class:on=move || ed.tool.get() == Tool::Merge
                on:click=move |_| ed.tool.set(Tool::Merge)>{bi("合并", "Merge")}</button>
        </div>
        <p class="note hint">{hint}</p>
    }
}

#[component]
pub(super) fn MicroGridList(ed: Editor) -> impl IntoView {
    view! {
        <ol class="micro-list" data-testid="micro-list">
            {move || {
                let codes: Vec<(i64, String)> = ed.division.get().map(|d| d.micro_grids.iter().map(|m| (m.id, m.code.clone())).collect()).unwrap_or_default();
                ed.shapes.get().into_iter().enumerate().map(|(i, s)| {
                    let code = s.id.and_then(|id| codes.iter().find(|c| c.0 == id).map(|c| c.1.clone())).unwrap_or_else(|| pick("新", "new").into());
                    view! {
                        <li class:selected=move || ed.selected.get() == Some(i)>
                            <button type="button" on:click=move |_| ed.selected.set(Some(i))>
                                <b>{s.name.clone()}</b>" "<span>{code}</span>" "<span>{pick(&format!("{:.0} 平方米", s.boundary.area_m2()),
                                    &format!("{:.0} m²", s.boundary.area_m2())).to_string()}</span>
                            </button>
                        </li>
                    }
                }).collect_view()
            }}
        </ol>
    }
}

/// The selected micro-grid's name and coordinates, editable as text (for surveyed boundaries).
#[component]
pub(super) fn SelectedShape(ed: Editor) -> impl IntoView {
    let coords = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(i) = ed.selected.get()
            && let Some(s) = ed.shapes.with_untracked(|s| s.get(i).cloned())
        {
            name.set(s.name.clone());
            coords.set(serde_json::to_string(&s.boundary.0).unwrap_or_default());
        }
    });
    let apply = move |_| {
        let Some(i) = ed.selected.get_untracked() else { return };
        match serde_json::from_str::<Vec<LonLat>>(coords.get_untracked().trim()) {
            Ok(ring) => {
                ed.shapes.update(|s| {
                    s[i].boundary = Polygon(ring);
                    s[i].name = name.get_untracked().trim().to_string();
                });
                ed.changed();
            }
            Err(e) => {
                let why = pick(&format!("坐标格式有误（应为 [[经度, 纬度], …]）：{e}"), &format!("Bad coordinates (expected [[lon, lat], …]): {e}")).to_string();
                ed.message.set(Some((false, why)))
            }
        }
    };
    view! {
        {move || ed.selected.get().map(|_| view! {
            <div class="selected-shape">
                <label class="field">{bi("名称", "Name")}<input data-testid="shape-name" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/></label>
                <label class="field">{bi("边界坐标（WGS-84 经纬度）", "Boundary (WGS-84)")}
                    <textarea rows="4" data-testid="shape-coords" prop:value=move || coords.get() on:input=move |e| coords.set(event_target_value(&e))></textarea>
                </label>
                <button type="button" class="btn" data-testid="apply-shape" on:click=apply>{bi("应用名称和坐标", "Apply")}</button>
            </div>
        })}
    }
}

#[component]
pub(super) fn ReportView(ed: Editor) -> impl IntoView {
    view! {
        <div class="division-report" data-testid="division-report">
            {move || ed.report.get().map(|r| if r.problems.is_empty() {
                let gap = if r.gap_m2 > 0.0 {
                    let m2 = r.gap_m2;
                    pick(
                        &format!("有 {m2:.0} 平方米未划入任何微网格（可以保存，但该处上报的事件无法自动分派）。"),
                        &format!("{m2:.0} m² lie in no micro-grid (you may save, but cases reported there cannot be routed)."),
                    )
                    .to_string()
                } else {
                    pick("校验通过：微网格无重叠、无越界，完全覆盖本网格。", "Checked: no overlaps, nothing outside, the grid covered whole.").to_string()
                };
                let class = if r.gap_m2 > 0.0 { "note sev-orange" } else { "form-ok" };
                view! { <p class=class>{gap}</p> }.into_any()
            } else {
                view! { <ul class="form-error" role="alert">{r.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
            })}
        </div>
    }
}

#[component]
pub(super) fn WorkerPicker(ed: Editor) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let assign = move |_| {
        let (Some(d), Ok(w)) = (ed.division.get_untracked(), chosen.get_untracked().parse::<i64>()) else { return };
        leptos::task::spawn_local_scoped(async move {
            match set_grid_worker(d.grid_id, w).await {
                Ok(()) => ed.message.set(Some((true, pick("已指派网格员。", "Grid worker assigned.").into()))),
                Err(e) => ed.message.set(Some((false, error_text(&e)))),
            }
        });
    };
    view! {
        {move || ed.division.get().map(|d| {
            let current = d.worker_id;
            view! {
                <div class="worker-picker">
                    <label class="field">{bi("网格员", "Grid worker")}
                        <select on:change=move |e| chosen.set(event_target_value(&e))>
                            {d.workers.iter().map(|(id, name)| view! { <option value=id.to_string() selected=current == Some(*id)>{name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="btn" on:click=assign>{bi("指派", "Assign")}</button>
                </div>
            }
        })}
    }
}

/// Replaces the working copy with micro-grids from a GeoJSON FeatureCollection of polygons
/// (`properties.name`; `properties.id` keeps an existing micro-grid's identity). Nothing is
/// saved until the administrator saves; the check runs at once.
#[component]
pub(super) fn ImportDivision(ed: Editor) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let import = move |_| {
        let parsed = serde_json::from_str::<serde_json::Value>(text.get_untracked().trim()).map_err(|e| pick(&format!("不是有效的 JSON：{e}"),
            &format!("Not valid JSON: {e}")).to_string()).and_then(|v| shapes_from_geojson(&v));
        match parsed {
            Ok(shapes) => {
                let known: Vec<i64> = ed.division.with_untracked(|d| d.as_ref().map(|d| d.micro_grids.iter().map(|m| m.id).collect()).unwrap_or_default());
                ed.shapes.set(shapes.into_iter().map(|s| Shape { id: s.id.filter(|id| known.contains(id)), ..s }).collect());
                ed.selected.set(None);
                ed.changed();
            }
            Err(e) => ed.message.set(Some((false, e))),
        }
    };
    view! {
        <details class="import-division">
            <summary>{bi("从 GeoJSON 导入本网格的微网格", "Import micro-grids from GeoJSON")}</summary>
            <textarea rows="5" data-testid="division-geojson" placeholder="{\"type\": \"FeatureCollection\", \"features\": [...]}"
                prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e))></textarea>
            <button type="button" class="btn" on:click=import>{bi("载入并校验", "Load and check")}</button>
        </details>
    }
}

/// Micro-grids from a FeatureCollection of polygons.
pub fn shapes_from_geojson(v: &serde_json::Value) -> Result<Vec<Shape>, String> {
    let features = v["features"].as_array().ok_or(pick("需要 GeoJSON FeatureCollection", "A GeoJSON FeatureCollection is needed"))?;
    features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if f["geometry"]["type"] != "Polygon" {
                return Err(pick(&format!("第 {} 个要素不是 Polygon", i + 1), &format!("Feature {} is not a Polygon", i + 1)).to_string());
            }
            let mut ring: Vec<LonLat> = serde_json::from_value(f["geometry"]["coordinates"][0].clone())
                .map_err(|_| pick(&format!("第 {} 个要素的坐标无效", i + 1), &format!("Feature {} has invalid coordinates", i + 1)).to_string())?;
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            let name = f["properties"]["name"].as_str().map(String::from).unwrap_or_else(|| format!("导入微网格{}", i + 1));
            Ok(Shape { id: f["properties"]["id"].as_i64(), name, boundary: Polygon(ring) })
        })
        .collect()
}
