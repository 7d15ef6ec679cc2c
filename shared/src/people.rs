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
