use super::*;

fn cells(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// A row of every column: name, code, sector, address, grade, contact, phone, licence ×3.
fn good(code: &str, grade: &str, licence: &str) -> Vec<Option<String>> {
    cells(&["老街茶馆", code, "餐饮", "磁器口正街1号", grade, "李四", "13812341234", licence, if licence.is_empty() { "" } else { "JY1" }, ""])
}

const CODE: &str = "91500104MA5U8X2L4P";

fn stored() -> Stored {
    Stored {
        buildings: vec![
            StoredBuilding { id: 1, name: "正街1号楼".into(), address: "磁器口正街1号".into(), floors: 6 },
            StoredBuilding { id: 2, name: "横街2号楼".into(), address: "磁器口横街2号".into(), floors: 3 },
        ],
        enterprises: vec![Enterprise {
            id: 7,
            name: "老街茶馆".into(),
            industry: "餐饮".into(),
            building_id: 1,
            licence_no: CODE.into(),
            credit: CreditRating::B,
            contact_name: "李四".into(),
            contact_phone: "13812341234".into(),
        }],
        licences: vec![(7, Licence { kind: "食品经营许可证".into(), number: "JY1".into(), expires_at: None })],
    }
}

#[test]
fn a_row_is_checked_with_every_problem_named() {
    let r = check_row(5, &good(CODE, "a级", "")).unwrap();
    assert_eq!((r.grade, r.licence), (Some(CreditRating::A), None));
    let bad = check_row(812, &cells(&["", "91500104MA5U8X2L4Q", "餐饮", "x", "E", "张三", "123", "", "JY9", "2027-02-30"])).unwrap_err();
    assert_eq!(bad.line, 812);
    for p in ["企业名称为空", "统一社会信用代码校验位错误", "信用等级「E」", "联系电话应为", "没有许可证名称"] {
        assert!(bad.reason.contains(p), "{p} missing from {}", bad.reason);
    }
    assert!(check_row(3, &cells(&["x", "91500104MA5U8X2L4", "餐饮", "x", "", "李", "13812341234"])).unwrap_err().reason.contains("应为 18 位"));
    let no_number = check_row(4, &cells(&["x", CODE, "餐饮", "x", "", "李", "13812341234", "食品经营许可证", "", ""])).unwrap_err();
    assert_eq!(no_number.words(), "第 4 行：「食品经营许可证」没有编号");
    let bad_date = check_row(4, &cells(&["x", CODE, "餐饮", "x", "", "李", "13812341234", "食品经营许可证", "JY1", "明年"])).unwrap_err();
    assert!(bad_date.reason.contains("许可证有效期「明年」无法识别"), "{}", bad_date.reason);
    let example: Vec<Option<String>> = COLUMNS.iter().map(|c| Some(c.example.to_string())).collect();
    assert_eq!(check_row(2, &example).unwrap_err().reason, "这是模板中的示例行，请删除后再导入");
    let dated = check_row(2, &cells(&["x", CODE, "餐饮", "x", "", "李", "13812341234", "食品经营许可证", "JY1", "2027/6/30"])).unwrap();
    assert_eq!(dated.licence.unwrap().expires_at, Some(crate::time::beijing_midnight(2027, 7, 1) - 1));
}

#[test]
fn the_same_file_twice_changes_nothing_and_a_new_grade_is_an_update() {
    let (p, w) = plan(vec![check_row(2, &good(CODE, "B", "食品经营许可证"))], &stored(), |_| {});
    assert_eq!((p.new, p.updated, p.unchanged), (0, 0, 1), "{p:?}");
    assert!(w.updates.is_empty() && w.inserts.is_empty());
    // A blank grade keeps the stored one.
    let (p, _) = plan(vec![check_row(2, &good(CODE, "", ""))], &stored(), |_| {});
    assert_eq!(p.unchanged, 1);
    let (p, w) = plan(vec![check_row(2, &good(CODE, "D", "食品经营许可证"))], &stored(), |_| {});
    assert_eq!(p.updated, 1);
    assert_eq!(p.changes[0].fields, vec!["信用等级 B→D"]);
    assert_eq!((w.updates[0].id, w.updates[0].was, w.updates[0].record.grade), (7, CreditRating::B, CreditRating::D));
    // A renewed licence is a change; a new licence kind too.
    let mut renewed = good(CODE, "B", "食品经营许可证");
    renewed[8] = Some("JY2".into());
    let (p, _) = plan(vec![check_row(2, &renewed)], &stored(), |_| {});
    assert_eq!(p.changes[0].fields, vec!["许可证"]);
}

#[test]
fn new_businesses_are_graded_b_unless_given_and_duplicates_and_unknown_places_are_refused() {
    let other = "91500104MA5U8X2L3L".replace("L3L", "L5") + &crate::demo::ids::uscc_check_char("91500104MA5U8X2L5").to_string();
    let mut moved = good(&other, "", "");
    moved[3] = Some("磁器口横街2号".into());
    let mut nowhere = good("91500104MA5U8X2L3L", "", "");
    nowhere[1] = Some(format!("91500104MA5U8X2L6{}", crate::demo::ids::uscc_check_char("91500104MA5U8X2L6")));
    nowhere[3] = Some("无此路99号".into());
    let rows = vec![check_row(2, &moved), check_row(3, &good(&other, "A", "")), check_row(4, &nowhere)];
    let (p, w) = plan(rows, &stored(), |_| {});
    assert_eq!(p.new, 1);
    let words: Vec<String> = p.refused.iter().map(Refusal::words).collect();
    assert_eq!(words, vec!["第 3 行：统一社会信用代码与第 2 行重复".to_string(), "第 4 行：地址「无此路99号」没有对应的楼栋（请先在网格编辑中导入楼栋）".to_string()]);
    assert_eq!(w, Write::default(), "nothing is written while a row is refused");
    let (_, w) = plan(vec![check_row(2, &moved)], &stored(), |_| {});
    assert_eq!((w.inserts[0].grade, w.inserts[0].building_id), (CreditRating::B, 2));
}
