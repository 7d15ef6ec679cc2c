use super::*;
use crate::demo::{generate, DEFAULT_SEED};

#[test]
fn credit_codes_are_checked_by_their_check_character() {
    assert!(check_credit_code("91350100M000100Y43").is_ok(), "a published code");
    assert!(check_credit_code("91350100M000100Y44").unwrap_err().contains("校验位"));
    assert!(check_credit_code("91350100M000100Y4").unwrap_err().contains("18 位"));
    assert!(check_credit_code("91350100M000100I43").unwrap_err().contains("「I」"));
    let d = generate(DEFAULT_SEED);
    assert!(d.enterprises.iter().all(|e| check_credit_code(&e.licence_no).is_ok()), "the demo's codes are well-formed");
}

#[test]
fn a_grade_change_needs_a_new_grade_a_reason_and_evidence() {
    let c = |to, reason: &str, evidence: &str| GradeChange { to, reason: reason.into(), evidence: evidence.into() };
    assert_eq!(check_grade_change(CreditRating::C, &c(CreditRating::C, "整改到位，信用修复", "复查记录")).unwrap_err().0, "to");
    assert_eq!(check_grade_change(CreditRating::C, &c(CreditRating::A, "好", "复查记录")).unwrap_err().0, "reason");
    assert_eq!(check_grade_change(CreditRating::C, &c(CreditRating::A, "整改到位，信用修复", " ")).unwrap_err().0, "evidence");
    assert!(check_grade_change(CreditRating::C, &c(CreditRating::A, "整改到位，信用修复", "复查记录 2026-11-30")).is_ok());
}

#[test]
fn flags_suggest_a_regrade_only_below_the_grade_held() {
    let now = 1_000_000;
    let f = Facts { grade: CreditRating::A, cases_90d: 4, licence_expiries: vec![Some(now - 1), None, Some(now + 1)], failed_inspections: 2, overdue_rectifications: 1 };
    let got: Vec<(String, CreditRating)> = flags(&f, now).into_iter().map(|f| (f.code, f.suggests)).collect();
    assert_eq!(
        got,
        [("repeated_cases", CreditRating::B), ("licence_expired", CreditRating::C), ("failed_inspection", CreditRating::D), ("rectification_overdue", CreditRating::C)]
            .map(|(c, g)| (c.to_string(), g))
            .to_vec()
    );
    // A business already at C is flagged only for what points lower.
    let at_c = Facts { grade: CreditRating::C, ..f.clone() };
    assert_eq!(flags(&at_c, now).into_iter().map(|f| f.code).collect::<Vec<_>>(), vec!["failed_inspection"]);
    assert!(flags(&Facts::default(), now).is_empty(), "a clean record raises nothing");
}

fn demo_candidates() -> Vec<Candidate> {
    let d = generate(DEFAULT_SEED);
    d.enterprises.iter().enumerate().map(|(i, e)| Candidate { id: e.id, grade: e.credit, visits: (i % 7 == 0) as u32 * 2 }).collect()
}

#[test]
fn the_yearly_draw_follows_the_grade_ratios_and_never_passes_the_cap() {
    let all = demo_candidates();
    let rules = DrawRules::default();
    let drawn = draw(&all, &rules, 20261203);
    let by_id: HashMap<i64, &Candidate> = all.iter().map(|c| (c.id, c)).collect();
    for (g, grade) in [CreditRating::A, CreditRating::B, CreditRating::C, CreditRating::D].into_iter().enumerate() {
        let n = all.iter().filter(|c| c.grade == grade).count();
        let under_cap = all.iter().filter(|c| c.grade == grade && c.visits < rules.yearly_cap).count();
        let got = drawn.iter().filter(|id| by_id[id].grade == grade).count();
        let want = ((rules.rates[g] * n as f64).round() as usize).min(under_cap);
        assert_eq!(got, want, "grade {}: {got} of {n} drawn", grade.letter());
        if n >= 20 {
            let share = got as f64 / n as f64;
            assert!((share - rules.rates[g]).abs() <= 0.15 + 1.0 / n as f64, "grade {}: {share:.3}", grade.letter());
        }
    }
    assert!(drawn.iter().all(|id| by_id[id].visits < rules.yearly_cap), "a business at its cap is never drawn");
    let mut unique = drawn.clone();
    unique.dedup();
    assert_eq!(unique.len(), drawn.len(), "no business is drawn twice");
}

#[test]
fn the_same_seed_gives_the_same_draw_and_another_seed_another() {
    let all = demo_candidates();
    let rules = DrawRules::default();
    let a = draw(&all, &rules, 7);
    let mut shuffled = all.clone();
    shuffled.reverse();
    assert_eq!(a, draw(&shuffled, &rules, 7), "the order candidates come in does not matter");
    assert_ne!(a, draw(&all, &rules, 8));
}

#[test]
fn inspectors_are_assigned_in_pairs_evenly_and_reproducibly() {
    let targets: Vec<i64> = (1..=25).collect();
    let inspectors = [11, 12, 13, 14, 15, 16, 17];
    let a = assign(&targets, &inspectors, 2, 99).unwrap();
    assert_eq!(a, assign(&targets, &inspectors, 2, 99).unwrap());
    let mut load: HashMap<i64, usize> = HashMap::new();
    for t in &targets {
        let team = &a[t];
        assert_eq!(team.len(), 2);
        assert_ne!(team[0], team[1], "two different inspectors");
        for i in team {
            *load.entry(*i).or_default() += 1;
        }
    }
    let (lo, hi) = (load.values().min().unwrap(), load.values().max().unwrap());
    assert!(hi - lo <= 1, "{load:?}");
    assert!(assign(&targets, &[11, 11], 2, 1).is_err(), "one inspector twice is not a pair");
}

mod joint {
    use crate::enterprise::inspection::*;

    fn item(post: &str, item: &str) -> PlannedItem {
        PlannedItem { post: post.into(), item: item.into() }
    }

    #[test]
    fn an_item_another_agency_checks_is_refused_by_name() {
        let have = vec![item("市场监管", "食品经营许可证"), item("消防救援站", "消防通道畅通")];
        let e = check_new_item(&have, &item("综合执法", "消防 通道畅通。")).unwrap_err();
        assert_eq!(e.field, "item");
        assert!(e.message.contains("已由消防救援站检查"), "{}", e.message);
        assert!(check_new_item(&have, &item("市场监管", "食品经营许可证")).unwrap_err().message.contains("本部门"));
        assert!(check_new_item(&have, &item("综合执法", "占道经营")).is_ok());
        assert_eq!(check_new_item(&have, &item("综合执法", "占")).unwrap_err().field, "item");
    }

    #[test]
    fn a_joint_inspection_needs_two_agencies_and_a_time_ahead() {
        let now = 1_000;
        let one = vec![item("市场监管", "明码标价"), item("市场监管", "计量器具检定")];
        assert_eq!(check_submit(&one, Some(now + 1), now).unwrap_err().field, "items");
        let two = [one.clone(), vec![item("消防救援站", "消防通道畅通")]].concat();
        assert_eq!(check_submit(&two, None, now).unwrap_err().field, "scheduled_at");
        assert_eq!(check_submit(&two, Some(now - 1), now).unwrap_err().field, "scheduled_at");
        assert!(check_submit(&two, Some(now + 1), now).is_ok());
    }

    #[test]
    fn nothing_starts_before_approval_and_a_returned_filing_goes_back_for_approval() {
        use Stage::*;
        for s in [Draft, Submitted, Returned] {
            assert!(!s.may_become(Inspecting), "{s:?} may not start");
        }
        assert!(Approved.may_become(Inspecting));
        assert!(Submitted.may_become(Returned) && Returned.may_become(Submitted) && !Returned.may_become(Approved));
        assert!(Returned.editable() && !Submitted.editable() && !Approved.editable());
        for s in Stage::ALL {
            assert_eq!(Stage::from_code(s.code()), Some(s));
            assert!(!Closed.may_become(s), "closed is the end");
        }
    }

    #[test]
    fn a_failure_needs_a_finding_and_the_notice_every_failed_item_once() {
        let c = |outcome, finding: &str| ItemCheck { item_id: 1, outcome, finding: finding.into() };
        assert_eq!(check_item_check(&c(Outcome::Fail, " ")).unwrap_err().field, "finding");
        assert_eq!(check_item_check(&c(Outcome::Pending, "")).unwrap_err().field, "outcome");
        assert!(check_item_check(&c(Outcome::Pass, "")).is_ok());
        let r = |item_id, deadline| Requirement { item_id, requirement: "更换过期灭火器".into(), deadline };
        let now = 100;
        assert!(check_notice(&[1, 2], &[r(1, 200), r(2, 300)], now).is_ok());
        assert_eq!(check_notice(&[1, 2], &[r(1, 200)], now).unwrap_err().field, "requirements");
        assert_eq!(check_notice(&[1], &[r(1, 200), r(3, 200)], now).unwrap_err().field, "requirements");
        assert_eq!(check_notice(&[1], &[r(1, 50)], now).unwrap_err().field, "deadline");
        assert!(overdue(Some(50), None, now) && !overdue(Some(50), Some(40), now) && !overdue(Some(150), None, now));
        assert_eq!(notice_number(2026, 7), "综查告〔2026〕7号");
    }

    #[test]
    fn every_catalogue_item_is_unique_across_agencies() {
        let all: Vec<PlannedItem> = CATALOGUE.iter().flat_map(|(p, items)| items.iter().map(move |i| item(p, i))).collect();
        for (i, x) in all.iter().enumerate() {
            assert!(check_new_item(&all[..i], x).is_ok(), "{} twice", x.item);
        }
        assert!(items_of("市场监管").contains(&"食品经营许可证") && items_of("党建办").is_empty());
    }
}
