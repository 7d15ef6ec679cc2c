//! The forms of actions that need words (a reason, a note, hours, a photo) before they are sent.

use crate::browser;
use crate::i18n::bi;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zhizhi_shared::case::Action;

/// An action that needs words (and maybe hours or a photo) before it is sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Form {
    Reject,
    Suspend,
    Escalate,
    Conclude,
    Rework,
    Close,
    DistrictReturn,
    DistrictResolve,
    FalseAlarm,
    Comment,
    ReportBack(i64),
    ReturnTask(i64),
    Extension(i64),
    DenyExtension(i64),
}

impl Form {
    fn title(self) -> (&'static str, &'static str) {
        match self {
            Form::Reject => ("不予立案", "Reject"),
            Form::Suspend => ("挂起事件", "Suspend"),
            Form::Escalate => ("上报区级", "Escalate to the district"),
            Form::Conclude => ("终止处置", "Conclude handling"),
            Form::Rework => ("核查不通过，返工", "Send back for rework"),
            Form::Close => ("结案", "Close"),
            Form::DistrictReturn => ("退回街道", "Return to the street"),
            Form::DistrictResolve => ("区级办结", "Resolved by the district"),
            Form::FalseAlarm => ("误报结案", "Close as a false alarm"),
            Form::Comment => ("补充说明", "Add a note"),
            Form::ReportBack(_) => ("处置反馈", "Report back"),
            Form::ReturnTask(_) => ("退回任务", "Return the task"),
            Form::Extension(_) => ("申请延期", "Ask for more time"),
            Form::DenyExtension(_) => ("驳回延期", "Deny the extension"),
        }
    }

    fn placeholder(self) -> (&'static str, &'static str) {
        match self {
            Form::ReportBack(_) => ("处置情况，例如：断枝已锯除并清运，现场已恢复通行", "What was done, e.g. the broken branch was sawn off and removed"),
            Form::Close => ("结案意见（可不填）", "Closing note (optional)"),
            Form::Comment => ("补充的情况，例如：现场又发现一处破损", "What to add, e.g. a second broken spot was found"),
            Form::Extension(_) => ("延期理由", "Why more time is needed"),
            Form::FalseAlarm => ("误报原因，例如：老人在家，安全", "Why it was a false alarm, e.g. the resident is home and safe"),
            _ => ("请填写理由", "Please give a reason"),
        }
    }

    fn action(self, text: String, hours: i64) -> Action {
        match self {
            Form::Reject => Action::Reject { reason: text },
            Form::Suspend => Action::Suspend { reason: text },
            Form::Escalate => Action::Escalate { reason: text },
            Form::Conclude => Action::Conclude { reason: text },
            Form::Rework => Action::Rework { reason: text },
            Form::Close => Action::Close { note: text },
            Form::DistrictReturn => Action::DistrictReturn { reason: text },
            Form::DistrictResolve => Action::DistrictResolve { note: text },
            Form::FalseAlarm => Action::FalseAlarm { reason: text },
            Form::Comment => Action::Comment { note: text },
            Form::ReportBack(task_id) => Action::ReportBack { task_id, note: text },
            Form::ReturnTask(task_id) => Action::ReturnTask { task_id, reason: text },
            Form::Extension(task_id) => Action::RequestExtension { task_id, hours, reason: text },
            Form::DenyExtension(task_id) => Action::DenyExtension { task_id, reason: text },
        }
    }
}


pub(super) fn action_form(
    f: Form,
    case_id: i64,
    busy: RwSignal<bool>,
    form: RwSignal<Option<Form>>,
    version: RwSignal<i64>,
    run: impl Fn(Action) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let hours = RwSignal::new(24i64);
    let photo_error = RwSignal::new(None::<String>);
    let (zh, en) = f.title();
    let with_photo = matches!(f, Form::ReportBack(_));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let action = f.action(text.get_untracked(), hours.get_untracked());
        if with_photo {
            // The photo goes first, so that it stands before the report in the timeline.
            busy.set(true);
            spawn_local(async move {
                match browser::upload_photo(case_id, "action-photo").await {
                    Ok(new_version) => {
                        // The report is decided on the case as the photo left it.
                        if let Some(v) = new_version.filter(|v| *v > 0) {
                            let _ = version.try_set(v);
                        }
                        let _ = busy.try_set(false);
                        run(action);
                    }
                    // No signal: the photo waits on the phone, the report after it.
                    Err(_) if !crate::components::outbox::online() => {
                        let label = crate::i18n::pick("反馈照片", "Report photo").to_string();
                        match crate::components::outbox::queue_photo(case_id, "action-photo", &label).await {
                            Ok(()) => {
                                let _ = busy.try_set(false);
                                run(action);
                            }
                            Err(e) => {
                                let _ = busy.try_set(false);
                                let _ = photo_error.try_set(Some(e));
                            }
                        }
                    }
                    Err(e) => {
                        let _ = busy.try_set(false);
                        let _ = photo_error.try_set(Some(e));
                    }
                }
            });
        } else {
            run(action);
        }
    };
    view! {
        <form class="action-form" data-testid="action-form" on:submit=submit>
            <h4>{bi(zh, en)}</h4>
            {matches!(f, Form::Extension(_)).then(|| view! {
                <label>{bi("延期时长（小时）", "Hours")}
                    <input type="number" min="1" max="720" data-testid="hours" prop:value=move || hours.get().to_string()
                        on:input=move |e| hours.set(event_target_value(&e).parse().unwrap_or(0))/>
                </label>
            })}
            <textarea data-testid="action-text" rows="3" placeholder=bi(f.placeholder().0, f.placeholder().1) prop:value=move || text.get()
                on:input=move |e| text.set(event_target_value(&e))></textarea>
            {with_photo.then(|| view! {
                <label class="photo-field">{bi("现场照片（可选）", "Photo (optional)")}
                    <input id="action-photo" type="file" accept="image/jpeg,image/png,image/webp" capture="environment" data-testid="action-photo"/>
                </label>
            })}
            {move || photo_error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="actions">
                <button type="submit" class="act primary" data-testid="action-submit" disabled=move || busy.get()>{bi("确认", "Confirm")}</button>
                <button type="button" class="act" on:click=move |_| form.set(None)>{bi("取消", "Cancel")}</button>
            </div>
        </form>
    }
}

