use super::*;

fn district() -> District {
    generate(DEFAULT_SEED)
}

#[test]
fn the_street_has_the_articles_scale() {
    let s = district().summary();
    assert_eq!((s.boards, s.posts), (4, 21));
    assert_eq!((s.communities, s.grids, s.micro_grids), (6, 33, 171));
    assert!(s.devices >= 2_000, "{s:?}");
    assert!(s.people_houses_enterprises() >= 45_000, "{s:?}");
    assert!((150..=250).contains(&s.staff), "{s:?}");
    assert!((200..=1_000).contains(&s.buildings), "{s:?}");
}

#[test]
fn the_same_seed_gives_the_same_street() {
    let (a, b) = (district(), district());
    assert_eq!(a.residents[1234], b.residents[1234]);
    assert_eq!(a.buildings.last(), b.buildings.last());
    let other = generate(1);
    let names = |d: &District| d.residents[..10].iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_ne!(names(&other), names(&a), "another seed gives another street");
}

#[test]
fn micro_grids_tile_the_street_and_sit_inside_their_grid() {
    let d = district();
    // Sample a lattice of points over the whole street: each is in exactly one micro-grid,
    // and that micro-grid's grid contains it too.
    for i in 0..60 {
        for j in 0..60 {
            let p = [
                STREET_SW[0] + (STREET_NE[0] - STREET_SW[0]) * (i as f64 + 0.37) / 60.0,
                STREET_SW[1] + (STREET_NE[1] - STREET_SW[1]) * (j as f64 + 0.61) / 60.0,
            ];
            let hits: Vec<_> = d.micro_grids.iter().filter(|m| m.boundary.contains(p)).collect();
            assert_eq!(hits.len(), 1, "{p:?} is in {} micro-grids", hits.len());
            let grid = d.grids.iter().find(|g| g.id == hits[0].grid_id).unwrap();
            assert!(grid.boundary.contains(p));
        }
    }
    let area: f64 = d.micro_grids.iter().map(|m| m.boundary.area_m2()).sum();
    let street = Polygon::rect(STREET_SW, STREET_NE).area_m2();
    // Areas use each polygon's own latitude scale, so the sum matches to a small fraction.
    assert!((area - street).abs() / street < 1e-4, "{area} vs {street}");
}

#[test]
fn every_building_and_device_lies_in_its_micro_grid() {
    let d = district();
    for b in &d.buildings {
        assert_eq!(d.micro_grid_at(b.anchor()).map(|m| m.id), Some(b.micro_grid_id), "{}", b.name);
    }
    for dev in &d.devices {
        assert_eq!(d.micro_grid_at(dev.position).map(|m| m.id), Some(dev.micro_grid_id), "{}", dev.code);
    }
}

#[test]
fn every_elderly_resident_living_alone_has_a_door_sensor() {
    let d = district();
    let alone: Vec<_> = d.residents.iter().filter(|r| r.care_tags.contains(&CareTag::ElderlyAlone)).collect();
    assert!(alone.len() >= 100, "{}", alone.len());
    for r in alone {
        let sensor = d.devices.iter().find(|x| x.resident_id == Some(r.id)).expect("door sensor");
        assert_eq!(sensor.kind, DeviceKind::DoorSensor);
        assert_eq!(sensor.household_id, Some(r.household_id));
    }
}

#[test]
fn the_articles_address_exists_in_the_old_town() {
    let d = district();
    let b = d.buildings.iter().find(|b| b.address == "磁南街27号").expect("磁南街27号");
    let micro = d.micro_grids.iter().find(|m| m.id == b.micro_grid_id).unwrap();
    let grid = d.grids.iter().find(|g| g.id == micro.grid_id).unwrap();
    assert_eq!(grid.community_id, 1, "磁南街 is in 磁器口社区");
}

#[test]
fn personal_identifiers_are_well_formed() {
    let d = district();
    for r in d.residents.iter().step_by(97) {
        assert!(is_valid_id_number(&r.id_number), "{}", r.id_number);
        assert_eq!(&r.id_number[6..14], r.birth_date.replace('-', ""));
        assert_eq!(r.phone.len(), 11);
    }
    for e in d.enterprises.iter().step_by(13) {
        assert_eq!(e.licence_no.chars().last().unwrap(), uscc_check_char(&e.licence_no[..17]));
    }
    let ratings: std::collections::HashSet<_> = d.enterprises.iter().map(|e| e.credit).collect();
    assert_eq!(ratings.len(), 4, "all of A–D occur");
}

#[test]
fn every_grid_has_a_grid_worker() {
    let d = district();
    for g in &d.grids {
        let w = g.worker_id.and_then(|id| d.staff.iter().find(|s| s.id == id)).expect("worker");
        assert_eq!(w.duty, Duty::GridWorker);
    }
}


#[test]
fn every_case_category_suggests_a_post_the_street_has() {
    let d = generate(DEFAULT_SEED);
    for c in crate::case::CATEGORIES {
        assert!(d.posts.iter().any(|p| p.name == c.post), "{} suggests {}, which is not a post", c.code, c.post);
    }
}
