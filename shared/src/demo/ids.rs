//! Well-formed but fake identifiers: resident identity numbers, mobile numbers and unified
//! social credit codes. Each carries a valid check character, so validators accept them, but
//! the demo never draws them from any real register.

use super::rng::Rng;

/// The administrative division code of 沙坪坝区, 重庆市.
pub const SHAPINGBA: &str = "500106";

/// An 18-character resident identity number for someone born on `birth` (`YYYY-MM-DD`).
/// The sequence number is odd for men and even for women, as the standard (GB 11643) says.
pub fn id_number(rng: &mut Rng, birth: &str, male: bool) -> String {
    let seq = rng.range(0, 499) * 2 + if male { 1 } else { 0 };
    let body = format!("{SHAPINGBA}{}{seq:03}", birth.replace('-', ""));
    let check = id_check_char(&body);
    format!("{body}{check}")
}

/// The ISO 7064 MOD 11-2 check character of the first 17 digits of an identity number.
pub fn id_check_char(body17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = body17.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    CHECK[(sum % 11) as usize]
}

/// Whether an identity number is well-formed: 17 digits and the right check character.
pub fn is_valid_id_number(id: &str) -> bool {
    id.len() == 18
        && id[..17].chars().all(|c| c.is_ascii_digit())
        && id.chars().last() == Some(id_check_char(&id[..17]))
}

/// An 11-digit mainland mobile number.
pub fn mobile(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 12] =
        ["135", "136", "137", "138", "139", "158", "159", "177", "186", "187", "188", "199"];
    format!("{}{:08}", rng.pick(&PREFIXES), rng.range(0, 99_999_999))
}

const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// An 18-character unified social credit code (GB 32100) registered in Shapingba.
/// `sole_trader` gives the 92 prefix of 个体工商户, otherwise 91 (enterprise).
pub fn uscc(rng: &mut Rng, sole_trader: bool) -> String {
    let mut body = String::from(if sole_trader { "92" } else { "91" });
    body.push_str(SHAPINGBA);
    for _ in 0..9 {
        body.push(USCC_CHARS[rng.range(0, 30) as usize] as char);
    }
    let check = uscc_check_char(&body);
    body.push(check);
    body
}

/// The check character of the first 17 characters of a unified social credit code.
pub fn uscc_check_char(body17: &str) -> char {
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let sum: usize = body17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| USCC_CHARS.iter().position(|&c| c == b).unwrap_or(0) * w)
        .sum();
    USCC_CHARS[(31 - sum % 31) % 31] as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_validate_and_encode_sex_and_birth() {
        let mut rng = Rng::new(1);
        for male in [true, false] {
            let id = id_number(&mut rng, "1942-03-09", male);
            assert!(is_valid_id_number(&id), "{id}");
            assert!(id.starts_with("50010619420309"));
            let seq: u32 = id[14..17].parse().unwrap();
            assert_eq!(seq % 2 == 1, male);
        }
        // A published example of the check rule (GB 11643): 11010519491231002X.
        assert!(is_valid_id_number("11010519491231002X"));
        assert!(!is_valid_id_number("110105194912310021"));
    }

    #[test]
    fn credit_codes_carry_their_check_character() {
        // A well-known published code: 91350100M000100Y43.
        assert_eq!(uscc_check_char("91350100M000100Y4"), '3');
        let mut rng = Rng::new(2);
        let code = uscc(&mut rng, true);
        assert_eq!(code.len(), 18);
        assert!(code.starts_with("92500106"));
        assert_eq!(code.chars().last().unwrap(), uscc_check_char(&code[..17]));
    }

    #[test]
    fn mobiles_have_eleven_digits() {
        let mut rng = Rng::new(3);
        let m = mobile(&mut rng);
        assert_eq!(m.len(), 11);
        assert!(m.starts_with('1') && m.chars().all(|c| c.is_ascii_digit()));
    }
}
