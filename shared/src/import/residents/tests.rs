use super::*;
use crate::import::Stage;
use crate::place::Tenure;

fn cells(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

/// A row of every column: name, id, sex, birth, phone, address, unit, floor, tags.
fn good(name: &str, id: &str, unit: &str, tags: &str) -> Vec<Option<String>> {
    cells(&[name, id, "", "", "13812341234", "磁器口正街1号", unit, "", tags])
}

fn stored() -> Stored {
    Stored {
        buildings: vec![
            StoredBuilding { id: 1, name: "正街1号楼".into(), address: "磁器口正街1号".into(), floors: 6 },
            StoredBuilding { id: 2, name: "横街2号楼".into(), address: "磁器口横街2号".into(), floors: 3 },
        ],
        households: vec![StoredHousehold { id: 10, building_id: 1, unit: "2-301".into(), floor: 3, tenure: Tenure::Owned }],
        residents: vec![Resident {
            id: 100,
            household_id: 10,
            name: "张三".into(),
            sex: Sex::Male,
            birth_date: "1942-03-09".into(),
            id_number: "500106194203091230".into(),
            phone: "13812341234".into(),
            care_tags: vec![CareTag::ElderlyAlone],
        }],
    }
}

#[test]
fn a_row_is_checked_with_every_problem_named() {
    let r = check_row(7, &good("张三", "500106194203091230", "2-301", "独居老人")).unwrap();
    assert_eq!((r.sex, r.birth_date.as_str(), r.care_tags.as_deref()), (Sex::Male, "1942-03-09", Some(&[CareTag::ElderlyAlone][..])));
    let bad = check_row(812, &cells(&["", "500106194203091231", "女", "1950-01-01", "123", "磁器口正街1号", "", "三楼", "独居老人、孤寡"])).unwrap_err();
    assert_eq!(bad.line, 812);
    for p in ["姓名为空", "身份证号校验位错误", "联系电话应为", "房号为空", "楼层「三楼」", "关爱标签「孤寡」不认识"] {
        assert!(bad.reason.contains(p), "{p} missing from {}", bad.reason);
    }
    assert_eq!(check_row(812, &good("李四", "50010619420309123", "1", "")).unwrap_err().words(), "第 812 行：身份证号应为 18 位");
    let example: Vec<Option<String>> = COLUMNS.iter().map(|c| Some(c.example.to_string())).collect();
    assert_eq!(check_row(2, &example).unwrap_err().reason, "这是模板中的示例行，请删除后再导入");
    let contradicts = check_row(3, &cells(&["王五", "500106194203091230", "女", "1942-03-10", "", "x", "1", "", ""])).unwrap_err();
    assert!(contradicts.reason.contains("性别与身份证号不符") && contradicts.reason.contains("出生日期与身份证号不符"), "{}", contradicts.reason);
}

#[test]
fn absent_columns_keep_what_is_stored_and_blank_cells_clear_it() {
    let mut no_tags = good("张三", "500106194203091230", "2-301", "");
    no_tags[8] = None;
    let (p, w) = plan(vec![check_row(2, &no_tags)], &stored(), |_| {});
    assert_eq!((p.unchanged, p.updated), (1, 0), "{p:?}");
    assert!(w.updates.is_empty());
    let (p, w) = plan(vec![check_row(2, &good("张三", "500106194203091230", "2-301", ""))], &stored(), |_| {});
    assert_eq!(p.updated, 1);
    assert_eq!(w.updates[0].2, vec!["关爱标签"]);
}

#[test]
fn new_updated_unchanged_and_moves() {
    let rows = vec![
        check_row(2, &good("张三", "500106194203091230", "2-301", "独居老人")),
        check_row(3, &good("李四", "500106198506124560", "2-301", "")),
        check_row(4, &good("王五", "11010519491231002X", "5-502", "残疾人")),
        check_row(5, &good("赵六", "110105194912310011", "5-502", "")),
    ];
    let (p, w) = plan(rows, &stored(), |_| {});
    assert_eq!((p.rows, p.new, p.updated, p.unchanged, p.refused.len(), p.new_households), (4, 3, 0, 1, 0, 1), "{p:?}");
    assert_eq!(w.new_households, vec![NewHousehold { building_id: 1, floor: 5, unit: "5-502".into() }]);
    assert_eq!(w.inserts.iter().map(|r| r.home).collect::<Vec<_>>(), vec![Home::Stored(10), Home::New(0), Home::New(0)]);
    // Moved to another household, with a new tag: one update naming both.
    let moved = vec![check_row(2, &good("张三", "500106194203091230", "1-101", "独居老人、退役军人"))];
    let (p, w) = plan(moved, &stored(), |_| {});
    assert_eq!((p.updated, p.new_households), (1, 1));
    assert_eq!(w.updates[0].0, 100);
    assert_eq!(w.updates[0].2, vec!["住址", "关爱标签"]);
    assert_eq!(p.changes[0].who, "张*");
}

#[test]
fn refusals_name_the_row_and_write_nothing() {
    let mut twice = stored();
    twice.residents.push(Resident { id: 101, ..twice.residents[0].clone() });
    let rows = vec![
        check_row(2, &good("李四", "500106198506124560", "2-301", "")),
        check_row(3, &good("李四", "500106198506124560", "2-302", "")),
        check_row(4, &cells(&["王五", "11010519491231002X", "", "", "", "磁器口不存在街9号", "1", "", ""])),
        check_row(5, &cells(&["赵六", "110105194912310011", "", "", "", "磁器口横街2号", "801", "", ""])),
        check_row(6, &good("张三", "500106194203091230", "2-301", "")),
        check_row(7, &good("", "1", "2-301", "")),
    ];
    let (p, w) = plan(rows, &twice, |_| {});
    let words: Vec<String> = p.refused.iter().map(Refusal::words).collect();
    assert_eq!(words.len(), 5, "{words:?}");
    assert_eq!(words[0], "第 3 行：身份证号与第 2 行重复");
    assert_eq!(words[1], "第 4 行：地址「磁器口不存在街9号」没有对应的楼栋（请先在网格编辑中导入楼栋）");
    assert_eq!(words[2], "第 5 行：8 层超过该楼的 3 层");
    assert_eq!(words[3], "第 6 行：库中已有 2 位居民使用此身份证号，请先核对");
    assert!(words[4].starts_with("第 7 行：姓名为空"));
    assert_eq!(w, Write::default(), "a refused row stops the whole import");
    assert_eq!(p.new, 1);
}

#[test]
fn buildings_are_found_by_address_or_name_ignoring_spaces() {
    let mut by_name = good("李四", "500106198506124560", "101", "");
    by_name[5] = Some(" 横街2号楼 ".into());
    let (p, w) = plan(vec![check_row(2, &by_name)], &stored(), |_| {});
    assert_eq!(p.new, 1, "{p:?}");
    assert_eq!(w.new_households[0].building_id, 2);
    assert_eq!(floor_of_unit("2-301"), 3);
    assert_eq!(floor_of_unit("1201"), 12);
    assert_eq!(floor_of_unit("B1"), 1);
    assert!(Stage::Writing.busy() && !Stage::Ready.busy());
}
