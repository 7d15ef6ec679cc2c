use super::*;

fn cells(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

fn stored() -> Stored {
    Stored {
        posts: vec![StoredPost { id: 3, name: "城市管理".into() }],
        staff: vec![Staff { id: 40, name: "李城管".into(), post_id: Some(3), phone: "13900000040".into(), duty: Duty::Post }],
    }
}

#[test]
fn rows_are_checked_with_every_problem_named() {
    let r = check_row(2, &cells(&["王五", "139 0000 0041", "网格员", "", "", ""])).unwrap();
    assert_eq!((r.phone.as_str(), r.duty, r.post), ("13900000041", Duty::GridWorker, None));
    let bad = check_row(7, &cells(&["", "12345", "保安", "", "后勤", "外包"])).unwrap_err();
    for p in ["姓名为空", "联系电话应为 11 位手机号", "职责「保安」", "所属板块「后勤」", "岗位来源「外包」"] {
        assert!(bad.reason.contains(p), "{p} missing from {}", bad.reason);
    }
    assert_eq!(check_row(3, &cells(&["赵六", "13900000042", "岗位人员", "", "", ""])).unwrap_err().reason, "岗位人员要填岗位");
    let example: Vec<Option<String>> = COLUMNS.iter().map(|c| Some(c.example.to_string())).collect();
    assert_eq!(check_row(2, &example).unwrap_err().reason, "这是模板中的示例行，请删除后再导入");
}

#[test]
fn a_new_post_needs_its_board_and_a_moved_person_is_an_update() {
    let rows = vec![
        check_row(2, &cells(&["李城管", "13900000040", "岗位人员", "文旅服务", "经济发展", ""])),
        check_row(3, &cells(&["钱七", "13900000043", "岗位人员", "文旅服务", "", "派驻机构"])),
        check_row(4, &cells(&["孙八", "13900000044", "岗位人员", "物业协调", "", ""])),
        check_row(5, &cells(&["周九", "13900000043", "网格员", "", "", ""])),
    ];
    let (p, w) = plan(rows, &stored());
    let words: Vec<String> = p.refused.iter().map(Refusal::words).collect();
    assert_eq!(words, vec!["第 4 行：岗位「物业协调」不存在；新岗位请填写所属板块".to_string(), "第 5 行：联系电话与第 3 行重复".to_string()]);
    assert_eq!(w, Write::default(), "nothing is written while a row is refused");
    let rows = vec![
        check_row(2, &cells(&["李城管", "13900000040", "岗位人员", "文旅服务", "经济发展", ""])),
        check_row(3, &cells(&["钱七", "13900000043", "岗位人员", "文旅服务", "", "派驻机构"])),
    ];
    let (p, w) = plan(rows, &stored());
    assert_eq!((p.new, p.updated, p.new_posts), (1, 1, 1));
    assert_eq!(w.new_posts, vec![NewPost { name: "文旅服务".into(), board: BoardKind::Economy, origin: PostOrigin::Office, line: 2 }]);
    assert_eq!(w.updates[0].0, 40);
    assert_eq!(w.updates[0].2, vec!["岗位"]);
    assert_eq!(w.inserts[0].post, PostRef::New(0));
    let (p, _) = plan(vec![check_row(2, &cells(&["李城管", "13900000040", "岗位人员", "城市管理", "", ""]))], &stored());
    assert_eq!(p.unchanged, 1);
}
