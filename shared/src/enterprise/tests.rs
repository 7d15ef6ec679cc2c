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
    let got: Vec<(&str, CreditRating)> = flags(&f, now).iter().map(|f| (f.code, f.suggests)).collect();
    assert_eq!(
        got,
        vec![("repeated_cases", CreditRating::B), ("licence_expired", CreditRating::C), ("failed_inspection", CreditRating::D), ("rectification_overdue", CreditRating::C)]
    );
    // A business already at C is flagged only for what points lower.
    let at_c = Facts { grade: CreditRating::C, ..f.clone() };
    assert_eq!(flags(&at_c, now).iter().map(|f| f.code).collect::<Vec<_>>(), vec!["failed_inspection"]);
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
