use super::*;
use crate::case::Holder;

fn street_posts() -> Vec<(i64, &'static str)> {
    [
        "宣传统战",
        "城市管理",
        "综合执法",
        "市场监管",
        "文旅服务",
        "派出所",
        "平安建设",
        "卫生健康",
        "应急管理",
        "消防救援站",
        "社区治理",
        "社会事务",
        "党建办",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, n)| (i as i64 + 1, n))
    .collect()
}

fn names() -> Vec<&'static str> {
    street_posts().into_iter().map(|p| p.1).collect()
}

#[test]
fn the_demo_plans_are_valid_and_include_the_four_the_article_names() {
    let plans = demo::plans();
    assert!(plans.len() >= 6);
    for p in &plans {
        p.check(&names())
            .unwrap_or_else(|e| panic!("{}: {e:?}", p.name));
    }
    for name in [
        "重大旅游消费纠纷处置预案",
        "防范拥挤踩踏事故应急预案",
        "古镇消防应急预案",
        "防汛应急预案",
    ] {
        assert!(plans.iter().any(|p| p.name == name), "{name}");
    }
}

#[test]
fn the_tourism_plan_at_level_iv_sends_six_posts_and_three_district_items() {
    let plan = demo::plans()
        .into_iter()
        .find(|p| p.name == demo::TOURISM_DISPUTE)
        .unwrap();
    let tasks = tasks_between(&plan, None, Level::Iv, &street_posts(), Some(7));
    let posts: Vec<Holder> = tasks
        .iter()
        .map(|t| t.holder)
        .filter(|h| matches!(h, Holder::Post(_)))
        .collect();
    assert_eq!(posts.len(), 6);
    let district: Vec<&Dispatch> = tasks
        .iter()
        .filter(|t| t.holder == Holder::District)
        .collect();
    assert_eq!(district.len(), 3);
    assert!(district[0].instruction.contains("食品质量检测"));
    assert!(
        plan.matches("order.crowd") && plan.matches("consumer.food") && !plan.matches("fire.smoke")
    );
}

#[test]
fn raising_the_level_adds_only_the_higher_levels_tasks_and_the_grid_goes_to_the_place() {
    let plan = demo::plans()
        .into_iter()
        .find(|p| p.name == demo::TOURISM_DISPUTE)
        .unwrap();
    let added = tasks_between(&plan, Some(Level::Iv), Level::Iii, &street_posts(), Some(7));
    assert_eq!(added.len(), 2);
    assert!(added.iter().all(|t| t.slot.level == Level::Iii));
    assert!(added.iter().any(|t| t.holder == Holder::Grid(7)));
    // Without a grid, the grid task is skipped rather than sent nowhere.
    assert_eq!(
        tasks_between(&plan, Some(Level::Iv), Level::Iii, &street_posts(), None).len(),
        1
    );
    assert!(
        tasks_between(
            &plan,
            Some(Level::Iii),
            Level::Iii,
            &street_posts(),
            Some(7)
        )
        .is_empty()
    );
}

#[test]
fn a_plan_with_an_unknown_post_levels_out_of_order_or_no_first_task_is_refused() {
    let mut p = demo::plans().remove(0);
    p.levels[0].tasks[0].target = Target::Post("不存在岗".into());
    assert_eq!(p.check(&names()).unwrap_err().field, "levels");
    assert!(p.check(&names()).unwrap_err().message.contains("不存在岗"));
    let mut p = demo::plans().remove(0);
    p.levels.swap(0, 1);
    assert!(p.check(&names()).unwrap_err().message.contains("从低到高"));
    let mut p = demo::plans().remove(0);
    p.levels[0].tasks.clear();
    assert!(
        p.check(&names())
            .unwrap_err()
            .message
            .contains("至少要有一项任务")
    );
    let mut p = demo::plans().remove(0);
    p.name = "x".into();
    assert_eq!(p.check(&names()).unwrap_err().field, "name");
    let mut p = demo::plans().remove(0);
    p.categories.push("nope".into());
    assert_eq!(p.check(&names()).unwrap_err().field, "categories");
}

#[test]
fn standing_down_with_open_tasks_needs_a_reason() {
    assert!(stand_down(0, "").is_ok());
    assert_eq!(stand_down(2, " ").unwrap_err().field, "reason");
    assert!(stand_down(2, "现场已平息，其余任务转常规处置").is_ok());
}

#[test]
fn levels_order_from_iv_to_i_and_read_back_from_their_codes() {
    assert!(Level::Iv < Level::Iii && Level::Ii < Level::I);
    for l in Level::ALL {
        assert_eq!(Level::from_code(l.code()), Some(l));
    }
    assert_eq!(serde_json::to_string(&Level::Iii).unwrap(), "\"iii\"");
}

#[test]
fn the_review_marks_tasks_done_after_their_deadline_or_still_open_past_it_as_late() {
    let task = |deadline: i64, done_at: Option<i64>, state| ActivationTask {
        task_id: 1,
        level: Level::Iv,
        holder: Holder::Post(1),
        holder_name: "城市管理".into(),
        instruction: "疏散".into(),
        checklist: vec![],
        checked: vec![],
        state,
        deadline,
        accepted_at: Some(60_000),
        done_at,
        result: String::new(),
    };
    assert!(!task(30 * 60_000, Some(20 * 60_000), TaskState::Done).late(99 * 60_000));
    assert!(task(30 * 60_000, Some(31 * 60_000), TaskState::Done).late(0));
    assert!(task(30 * 60_000, None, TaskState::Accepted).late(31 * 60_000));
    assert!(!task(30 * 60_000, None, TaskState::Cancelled).late(31 * 60_000));
}

#[test]
fn ticking_a_checklist_keeps_items_in_order_and_names_what_is_wrong() {
    use super::{tick, CheckItem};
    let list: Vec<String> = ["核实当事人身份", "现场取证拍照", "疏导围观人员"].map(String::from).into();
    let c = |item, done| CheckItem { task_id: 7, item, done };
    assert_eq!(tick(&list, &[], &c(2, true)).unwrap(), vec![2]);
    assert_eq!(tick(&list, &[2], &c(0, true)).unwrap(), vec![0, 2]);
    assert_eq!(tick(&list, &[0, 2], &c(2, false)).unwrap(), vec![0]);
    let e = tick(&list, &[], &c(3, true)).unwrap_err();
    assert_eq!((e.field, e.message.as_str()), ("item", "检查项只有 3 条，没有第 4 条"));
    let e = tick(&list, &[1], &c(1, true)).unwrap_err();
    assert_eq!((e.field, e.message.as_str()), ("done", "检查项「现场取证拍照」已经勾选"));
    assert_eq!(tick(&list, &[1], &c(0, false)).unwrap_err().field, "done");
    assert_eq!(tick(&[], &[], &c(0, true)).unwrap_err().message, "这项任务没有检查项");
}
