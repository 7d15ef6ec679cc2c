//! People and enterprises (人房企). This is personal data: it is masked wherever it is shown.

use serde::{Deserialize, Serialize};

/// A reason the grid network looks after someone in particular.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareTag {
    /// 独居老人
    ElderlyAlone,
    /// 留守儿童
    LeftBehindChild,
    /// 残疾人
    Disabled,
    /// 低保户
    Subsistence,
    /// 退役军人
    Veteran,
}

impl CareTag {
    /// Every tag.
    pub const ALL: [CareTag; 5] = [
        Self::ElderlyAlone,
        Self::LeftBehindChild,
        Self::Disabled,
        Self::Subsistence,
        Self::Veteran,
    ];

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::ElderlyAlone => "elderly_alone",
            Self::LeftBehindChild => "left_behind_child",
            Self::Disabled => "disabled",
            Self::Subsistence => "subsistence",
            Self::Veteran => "veteran",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The tag's Chinese label.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::ElderlyAlone => "独居老人",
            Self::LeftBehindChild => "留守儿童",
            Self::Disabled => "残疾人",
            Self::Subsistence => "低保户",
            Self::Veteran => "退役军人",
        }
    }
}

/// Sex as recorded on the resident identity card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

/// A resident (居民) registered in a household.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resident {
    pub id: i64,
    pub household_id: i64,
    pub name: String,
    pub sex: Sex,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// 18-character resident identity number.
    pub id_number: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
}

/// Credit rating of an enterprise or shop, A best to D worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CreditRating {
    A,
    B,
    C,
    D,
}

impl CreditRating {
    /// The rating as a letter.
    pub fn letter(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
        }
    }

    /// Parses a stored letter.
    pub fn from_letter(s: &str) -> Option<Self> {
        match s {
            "A" => Some(Self::A),
            "B" => Some(Self::B),
            "C" => Some(Self::C),
            "D" => Some(Self::D),
            _ => None,
        }
    }
}

/// An enterprise or shop (企业/商户) operating in a building.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    /// Trade, e.g. 餐饮, 住宿, 零售.
    pub industry: String,
    pub building_id: i64,
    /// 18-character unified social credit code (统一社会信用代码) from the business licence.
    pub licence_no: String,
    pub credit: CreditRating,
    pub contact_name: String,
    pub contact_phone: String,
}

/// A resident as the API and the pages show them: masked unless one record was revealed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentView {
    pub id: i64,
    pub name: String,
    /// `male` or `female`.
    pub sex: String,
    /// Only the year: enough to see who is elderly, without the full date of birth.
    pub birth_year: String,
    pub id_number: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
    pub address: String,
    pub unit: String,
    pub masked: bool,
}

impl ResidentView {
    /// The resident at `address`, `unit` as shown to a user: masked unless `masked` is false
    /// (a recorded reveal).
    pub fn new(p: Resident, address: String, unit: String, masked: bool) -> Self {
        let m = |s: String, f: fn(&str) -> String| if masked { f(&s) } else { s };
        ResidentView {
            id: p.id,
            name: m(p.name, crate::mask::name),
            sex: match p.sex {
                Sex::Male => "male".into(),
                Sex::Female => "female".into(),
            },
            birth_year: p.birth_date.chars().take(4).collect(),
            id_number: m(p.id_number, crate::mask::id_number),
            phone: m(p.phone, crate::mask::phone),
            care_tags: p.care_tags,
            address,
            unit,
            masked,
        }
    }
}

/// A resident as the grid worker's phone list shows them: masked, and only what the list shows
/// (no identity number, not even masked: the page has no use for it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentRow {
    pub id: i64,
    pub name: String,
    pub birth_year: String,
    pub phone: String,
    pub care_tags: Vec<CareTag>,
    pub address: String,
    pub unit: String,
}

impl From<ResidentView> for ResidentRow {
    fn from(v: ResidentView) -> Self {
        ResidentRow { id: v.id, name: v.name, birth_year: v.birth_year, phone: v.phone, care_tags: v.care_tags, address: v.address, unit: v.unit }
    }
}

/// An age band the lists filter by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// 0–17: children (留守儿童 among them).
    Child,
    /// 18–59.
    Adult,
    /// 60–79.
    Elderly,
    /// 80 and over (高龄).
    Aged,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [AgeBand::Child, AgeBand::Adult, AgeBand::Elderly, AgeBand::Aged];

    /// The band's code.
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::Child => "child",
            AgeBand::Adult => "adult",
            AgeBand::Elderly => "elderly",
            AgeBand::Aged => "aged",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The band's name in Chinese and English.
    pub fn name(self) -> (&'static str, &'static str) {
        match self {
            AgeBand::Child => ("未成年（0–17 岁）", "Under 18"),
            AgeBand::Adult => ("18–59 岁", "18–59"),
            AgeBand::Elderly => ("60–79 岁", "60–79"),
            AgeBand::Aged => ("80 岁以上", "80 and over"),
        }
    }

    /// The dates of birth (`YYYY-MM-DD`) of the band's people on `today` (`YYYY-MM-DD`), as
    /// `(after, up_to)`: born after the first, on or before the second.
    pub fn births(self, today: &str) -> (String, String) {
        let year: i32 = today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
        let md = today.get(4..).unwrap_or("-01-01");
        // `n` years old or more on `today`: born on or before this day `n` years earlier.
        let born = |years: i32| format!("{:04}{md}", year - years);
        match self {
            AgeBand::Child => (born(18), born(0)),
            AgeBand::Adult => (born(60), born(18)),
            AgeBand::Elderly => (born(80), born(60)),
            AgeBand::Aged => ("0000-00-00".into(), born(80)),
        }
    }
}

/// A search of people, houses and enterprises (人房企).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeopleQuery {
    /// A name, an address, a building's name, a phone or an identity number — whole, a
    /// fragment, or as shown masked (`张*`, `138****1234`: the stars match anything).
    #[serde(default)]
    pub q: String,
    /// Only residents with this care tag.
    #[serde(default)]
    pub care: Option<CareTag>,
    #[serde(default)]
    pub age: Option<AgeBand>,
    /// Only this grid.
    #[serde(default)]
    pub grid_id: Option<i64>,
    /// Only residents of rented (or owned) homes.
    #[serde(default)]
    pub tenure: Option<crate::place::Tenure>,
}

impl PeopleQuery {
    /// The query as a `LIKE` pattern: `%` around it, each run of stars (a masked part) a `%`,
    /// `%` and `_` typed by the user taken literally (escaped with `\`).
    pub fn pattern(&self) -> String {
        let mut p = String::from("%");
        let mut star = false;
        for c in self.q.trim().chars() {
            match c {
                '*' | '＊' if star => continue,
                '*' | '＊' => {
                    p.push('%');
                    star = true;
                    continue;
                }
                '%' | '_' | '\\' => {
                    p.push('\\');
                    p.push(c);
                }
                c => p.push(c),
            }
            star = false;
        }
        if !p.ends_with('%') {
            p.push('%');
        }
        p
    }

    /// The query as the audit log records it: each run of digits masked (seven or more: as a
    /// phone is, `138****1234`; four to six: all but the first two), so that no phone or
    /// identity number typed into a search is copied into the log.
    pub fn for_audit(&self) -> String {
        let mut out = String::new();
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut String| {
            let n = run.chars().count();
            if n >= 7 {
                out.push_str(&crate::mask::phone(run));
            } else if n >= 4 {
                out.push_str(&run[..2]);
                out.push_str(&"*".repeat(n - 2));
            } else {
                out.push_str(run);
            }
            run.clear();
        };
        for c in self.q.trim().chars() {
            if c.is_ascii_digit() {
                run.push(c);
            } else {
                flush(&mut run, &mut out);
                out.push(c);
            }
        }
        flush(&mut run, &mut out);
        out
    }
}

/// A resident found: masked, with their place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentHit {
    pub resident: ResidentView,
    pub age: i32,
    pub building_id: i64,
    pub grid_id: i64,
}

/// A device that watches over a resident or their home, as the resident's page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CareDevice {
    pub id: i64,
    pub code: String,
    pub kind: crate::device::DeviceKind,
    pub model: String,
    /// Set for this resident (a door sensor watching over them), not only their household.
    pub for_resident: bool,
    pub retired: bool,
}

/// One resident's page (人房企): the resident masked, their household and the others living in
/// it (masked), and the devices watching over them; the building's floors and cases come from
/// the building's own page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResidentPage {
    pub resident: ResidentHit,
    pub household_id: i64,
    pub floor: i32,
    pub tenure: crate::place::Tenure,
    /// The others of the household, masked.
    pub members: Vec<ResidentHit>,
    pub devices: Vec<CareDevice>,
}

/// A building found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingHit {
    pub id: i64,
    pub name: String,
    pub address: String,
    pub grid: String,
    pub households: i64,
    pub residents: i64,
}

/// What a search found. Residents only for those who may list them (their grids, or the whole
/// street for command staff); at most [`SEARCH_LIMIT`] of each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeopleFound {
    pub residents: Vec<ResidentHit>,
    /// More residents matched than are listed.
    pub more_residents: bool,
    pub buildings: Vec<BuildingHit>,
    pub enterprises: Vec<crate::enterprise::view::EnterpriseRow>,
    /// Whether the user may see residents at all.
    pub residents_shown: bool,
}

/// The most hits of each kind a search lists.
pub const SEARCH_LIMIT: usize = 200;

/// Age in whole years on `today` of someone born on `birth` (both `YYYY-MM-DD`).
pub fn age_on(birth: &str, today: &str) -> i32 {
    let y = |s: &str| s.get(..4).and_then(|v| v.parse::<i32>().ok()).unwrap_or(0);
    let before_birthday = today.get(4..) < birth.get(4..);
    y(today) - y(birth) - i32::from(before_birthday)
}

#[cfg(test)]
mod search_tests {
    use super::*;

    #[test]
    fn masked_queries_become_patterns_and_audits_hide_digits() {
        let q = |s: &str| PeopleQuery { q: s.into(), ..Default::default() };
        assert_eq!(q("138****1234").pattern(), "%138%1234%");
        assert_eq!(q("张*").pattern(), "%张%");
        assert_eq!(q(" 磁器口正街 ").pattern(), "%磁器口正街%");
        assert_eq!(q("50%_").pattern(), "%50\\%\\_%");
        assert_eq!(q("").pattern(), "%");
        assert_eq!(q("13812341234").for_audit(), "138****1234");
        assert_eq!(q("磁器口正街").for_audit(), "磁器口正街");
        assert_eq!(q("091230").for_audit(), "09****");
        assert_eq!(q("磁器口正街12号").for_audit(), "磁器口正街12号");
    }

    #[test]
    fn ages_and_bands() {
        assert_eq!(age_on("1942-03-09", "2026-03-08"), 83);
        assert_eq!(age_on("1942-03-09", "2026-03-09"), 84);
        assert_eq!(AgeBand::Aged.births("2026-12-04"), ("0000-00-00".to_string(), "1946-12-04".to_string()));
        assert_eq!(AgeBand::Child.births("2026-12-04"), ("2008-12-04".to_string(), "2026-12-04".to_string()));
    }
}
