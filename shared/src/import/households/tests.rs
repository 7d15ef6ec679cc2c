use super::*;

fn cells(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

fn buildings() -> Vec<StoredBuilding> {
    vec![StoredBuilding { id: 1, name: "正街1号楼".into(), address: "磁器口正街1号".into(), floors: 6 }]
}

fn households() -> Vec<StoredHousehold> {
    vec![StoredHousehold { id: 10, building_id: 1, unit: "2-301".into(), floor: 3, tenure: Tenure::Owned }]
}

#[test]
fn rows_are_checked_with_every_problem_named() {
    let r = check_row(2, &cells(&["磁器口正街1号", "2-301", "", "出租"])).unwrap();
    assert_eq!((r.floor, r.tenure), (None, Some(Tenure::Rented)));
    let bad = check_row(9, &cells(&["", "", "三楼", "借住"])).unwrap_err();
    for p in ["地址为空", "房号为空", "楼层「三楼」", "房屋性质「借住」应为 自有 或 租住"] {
        assert!(bad.reason.contains(p), "{p} missing from {}", bad.reason);
    }
    let example: Vec<Option<String>> = COLUMNS.iter().map(|c| Some(c.example.to_string())).collect();
    assert_eq!(check_row(2, &example).unwrap_err().reason, "这是模板中的示例行，请删除后再导入");
}

#[test]
fn a_tenure_is_an_update_a_blank_keeps_what_is_stored_and_new_rooms_are_placed() {
    let (p, w) = plan(vec![check_row(2, &cells(&["磁器口正街1号", "2-301", "", ""]))], &buildings(), &households(), |_| {});
    assert_eq!((p.unchanged, p.updated, p.new), (1, 0, 0));
    assert_eq!(w, Write::default());
    let (p, w) = plan(vec![check_row(2, &cells(&["磁器口正街1号", "2-301", "", "租住"]))], &buildings(), &households(), |_| {});
    assert_eq!(p.changes[0].fields, vec!["房屋性质 自有→租住"]);
    assert_eq!(w.updates, vec![Update { id: 10, line: 2, floor: 3, tenure: Tenure::Rented, fields: vec!["房屋性质"] }]);
    let rows = vec![
        check_row(2, &cells(&["正街1号楼", "501", "", "自有"])),
        check_row(3, &cells(&["磁器口正街1号", "501", "", ""])),
        check_row(4, &cells(&["磁器口正街1号", "801", "", ""])),
    ];
    let (p, w) = plan(rows, &buildings(), &households(), |_| {});
    let words: Vec<String> = p.refused.iter().map(Refusal::words).collect();
    assert_eq!(words, vec!["第 3 行：同一楼栋的房号「501」与第 2 行重复".to_string(), "第 4 行：8 层超过该楼的 6 层".to_string()]);
    assert_eq!(w, Write::default(), "nothing is written while a row is refused");
    let (_, w) = plan(vec![check_row(2, &cells(&["正街1号楼", "501", "", "自有"]))], &buildings(), &households(), |_| {});
    assert_eq!(w.inserts, vec![NewHousehold { line: 2, building_id: 1, floor: 5, unit: "501".into(), tenure: Tenure::Owned }]);
}
