//! The grid editor (网格管理): an administrator picks a grid and reshapes, splits and merges
//! its micro-grids on the map, names them, assigns the grid worker and saves. Every change is
//! checked on the server as a whole (no overlaps, nothing outside the grid; gaps reported);
//! a save takes effect for routing at once and is audited.

use super::AdminFrame;
use crate::api::error_text;
use crate::api::map::{get_division, get_grids, save_grid_division};
use crate::i18n::{bi, pick};
use leptos::prelude::*;
use zhizhi_shared::geo::LonLat;
use zhizhi_shared::map::edit::{DivisionView, Report, SaveDivision, Shape};

/// `/admin/grids`
#[component]
pub fn GridsPage() -> impl IntoView {
    view! { <AdminFrame tab="grids" body=GridEditor/> }
}

/// What a click on the map does.
#[derive(Clone, Debug, PartialEq)]
pub enum Tool {
    Select,
    /// Collecting the two points of a cut through the selected micro-grid.
    Split(Vec<LonLat>),
    /// The next micro-grid clicked is merged into the selected one.
    Merge,
}

/// The editor's state, shared with the map's handlers.
#[derive(Clone, Copy)]
pub struct Editor {
    pub division: RwSignal<Option<DivisionView>>,
    pub shapes: RwSignal<Vec<Shape>>,
    pub selected: RwSignal<Option<usize>>,
    pub tool: RwSignal<Tool>,
    pub report: RwSignal<Option<Report>>,
    pub message: RwSignal<Option<(bool, String)>>,
    pub dirty: RwSignal<bool>,
    pub ready: RwSignal<bool>,
}

impl Editor {
    /// Applies a click at `p` with the current tool.
    pub fn click(self, p: LonLat) {
        let shapes = self.shapes.get_untracked();
        let hit = shapes.iter().position(|s| s.boundary.contains(p));
        match self.tool.get_untracked() {
            Tool::Select => self.selected.set(hit),
            Tool::Split(mut pts) => {
                pts.push(p);
                if pts.len() < 2 {
                    self.tool.set(Tool::Split(pts));
                    return;
                }
                self.tool.set(Tool::Select);
                let Some(i) = self.selected.get_untracked() else { return };
                match zhizhi_shared::map::edit::split(&shapes[i].boundary, pts[0], pts[1]) {
                    Ok((a, b)) => {
                        let name = format!("{}（分）", shapes[i].name);
                        self.shapes.update(|s| {
                            s[i].boundary = a;
                            s.insert(i + 1, Shape { id: None, name, boundary: b });
                        });
                        self.changed();
                    }
                    Err(e) => self.message.set(Some((false, e))),
                }
            }
            Tool::Merge => {
                self.tool.set(Tool::Select);
                let (Some(i), Some(j)) = (self.selected.get_untracked(), hit) else { return };
                if i == j {
                    return;
                }
                match zhizhi_shared::map::edit::merge(&shapes[i].boundary, &shapes[j].boundary) {
                    Ok(m) => {
                        self.shapes.update(|s| {
                            s[i].boundary = m;
                            s.remove(j);
                        });
                        self.selected.set(Some(if j < i { i - 1 } else { i }));
                        self.changed();
                    }
                    Err(e) => self.message.set(Some((false, e))),
                }
            }
        }
    }

    /// After any edit: mark unsaved and ask the server to check the whole division.
    pub fn changed(self) {
        self.dirty.set(true);
        self.message.set(None);
        self.submit(true);
    }

    /// Sends the division to the server: a dry run checks it, otherwise it is saved. A division
    /// with problems comes back unsaved with its report; a refusal (such as a version conflict
    /// after someone else saved) is shown as the message.
    pub fn submit(self, dry_run: bool) {
        let Some(d) = self.division.get_untracked() else { return };
        let division = SaveDivision { version: d.version, micro_grids: self.shapes.get_untracked(), dry_run };
        // Scoped: the messages below are picked in the page's language.
        leptos::task::spawn_local_scoped(async move {
            match save_grid_division(d.grid_id, division).await {
                Ok(a) => {
                    self.report.set(Some(a.report.clone()));
                    if a.saved {
                        let (n, b, dev) = (a.ids.len(), a.buildings_moved, a.devices_moved);
                        let text = pick(
                            &format!("已保存：{n} 个微网格，{b} 栋楼、{dev} 台设备改划；新上报的事件即按新边界分派。"),
                            &format!("Saved: {n} micro-grids; {b} buildings and {dev} devices moved. New cases follow the new boundaries."),
                        )
                        .to_string();
                        self.message.set(Some((true, text)));
                        self.load(d.grid_id);
                    } else if !dry_run {
                        self.message.set(Some((false, pick("未保存：请先解决下列问题。", "Not saved: resolve the problems below first.").into())));
                    }
                }
                Err(e) => self.message.set(Some((false, error_text(&e)))),
            }
        });
    }

    /// Loads a grid's division (dropping unsaved changes).
    pub fn load(self, grid_id: i64) {
        leptos::task::spawn_local(async move {
            match get_division(grid_id).await {
                Ok(d) => {
                    self.shapes.set(d.micro_grids.iter().map(|m| Shape { id: Some(m.id), name: m.name.clone(), boundary: m.boundary.clone() }).collect());
                    self.report.set(Some(d.report.clone()));
                    self.selected.set(None);
                    self.tool.set(Tool::Select);
                    self.dirty.set(false);
                    #[cfg(feature = "hydrate")]
                    editor_map::frame(&d.boundary);
                    self.division.set(Some(d));
                }
                Err(e) => self.message.set(Some((false, error_text(&e)))),
            }
        });
    }
}

#[component]
fn GridEditor() -> impl IntoView {
    let ed = Editor {
        division: RwSignal::new(None),
        shapes: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        tool: RwSignal::new(Tool::Select),
        report: RwSignal::new(None),
        message: RwSignal::new(None),
        dirty: RwSignal::new(false),
        ready: RwSignal::new(false),
    };
    let grids = RwSignal::new(Vec::<(i64, String, String)>::new());
    let node = NodeRef::<leptos::html::Div>::new();
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if node.get().is_some() && !started.get_value() {
            started.set_value(true);
            leptos::task::spawn_local(async move {
                match get_grids().await {
                    Ok(list) => {
                        let first = list.first().map(|g| g.0);
                        grids.set(list);
                        #[cfg(feature = "hydrate")]
                        editor_map::start(ed).await;
                        if let Some(g) = first {
                            ed.load(g);
                        }
                    }
                    Err(e) => ed.message.set(Some((false, error_text(&e)))),
                }
            });
        }
    });
    on_cleanup(move || {
        #[cfg(feature = "hydrate")]
        crate::mapgl::drop_map(EDITOR_MAP);
    });
    // The map shows the working copy.
    Effect::new(move |_| {
        let shapes = ed.shapes.get();
        let selected = ed.selected.get();
        let ready = ed.ready.get();
        #[cfg(feature = "hydrate")]
        if ready {
            editor_map::draw(&shapes, selected);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (shapes, selected, ready);
    });
    let pick_grid = move |ev| {
        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
            ed.load(id);
        }
    };
    view! {
        <div class="grid-editor">
            <aside class="panel editor-side">
                <h2>{bi("网格划分", "Grid division")}</h2>
                <a class="btn" data-testid="export-geography" href="/api/v1/map/geography.geojson" download>
                    {bi("导出全街道地理数据（GeoJSON，供 GIS 使用）", "Export the street's geography (GeoJSON, for a GIS)")}
                </a>
                <label class="field">{bi("网格", "Grid")}
                    <select data-testid="grid-select" on:change=pick_grid>
                        {move || grids.get().into_iter()
                            .map(|(id, code, name)| view! { <option value=id.to_string()>{pick(&format!("{name}（{code}）"),
                                &format!("{name} ({code})")).to_string()}</option> }).collect_view()}
                    </select>
                </label>
                <Tools ed/>
                <MicroGridList ed/>
                <SelectedShape ed/>
                <ReportView ed/>
                <div class="actions">
                    <button type="button" class="primary" data-testid="save-division" disabled=move || !ed.dirty.get() on:click=move |_| ed.submit(false)>{bi("保存划分", "Save")}</button>
                    <button type="button" class="btn" disabled=move || !ed.dirty.get()
                        on:click=move |_| if let Some(d) = ed.division.get_untracked() { ed.load(d.grid_id) }>{bi("放弃更改", "Discard")}</button>
                </div>
                {move || ed.message.get().map(|(ok, m)| {
                    let (class, role) = if ok { ("form-ok", "status") } else { ("form-error", "alert") };
                    view! { <p class=class role=role data-testid="editor-message">{m}</p> }
                })}
                <WorkerPicker ed/>
                <ImportDivision ed/>
            </aside>
            <div class="editor-map district-map" class:ready=move || ed.ready.get() data-testid="editor-map">
                <div class="map-canvas" id=EDITOR_MAP node_ref=node></div>
            </div>
        </div>
    }
}

/// The container id of the editor's map.
pub const EDITOR_MAP: &str = "editor-map";

#[cfg(feature = "hydrate")]
mod editor_map;
mod panels;

use panels::{ImportDivision, MicroGridList, ReportView, SelectedShape, Tools, WorkerPicker};
