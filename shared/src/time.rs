//! Beijing time (UTC+8, no daylight saving) for display, without a date library.

/// Formats milliseconds since the Unix epoch as Beijing time, `YYYY-MM-DD HH:MM:SS`.
pub fn beijing_datetime(epoch_ms: i64) -> String {
    let (date, secs) = beijing_parts(epoch_ms);
    format!("{date} {:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// A Beijing minute as a file name carries it, `YYYYMMDDHHMM` (exported files say when).
pub fn beijing_stamp(epoch_ms: i64) -> String {
    beijing_datetime(epoch_ms).chars().filter(char::is_ascii_digit).take(12).collect()
}

/// Formats milliseconds since the Unix epoch as a Beijing date, `YYYY-MM-DD`.
pub fn beijing_date(epoch_ms: i64) -> String {
    beijing_parts(epoch_ms).0
}

/// The weekday in Chinese (星期一 … 星期日) of a Beijing date.
pub fn beijing_weekday(epoch_ms: i64) -> &'static str {
    const NAMES: [&str; 7] = ["星期四", "星期五", "星期六", "星期日", "星期一", "星期二", "星期三"];
    NAMES[weekday_index(epoch_ms)]
}

/// The weekday in English (`Mon` … `Sun`) of a Beijing date.
pub fn beijing_weekday_en(epoch_ms: i64) -> &'static str {
    const NAMES: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    NAMES[weekday_index(epoch_ms)]
}

/// Days since 1970-01-01 (a Thursday) in Beijing, modulo 7.
fn weekday_index(epoch_ms: i64) -> usize {
    (epoch_ms + BEIJING_OFFSET_MS).div_euclid(DAY_MS).rem_euclid(7) as usize
}

const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;

fn beijing_parts(epoch_ms: i64) -> (String, i64) {
    let local = epoch_ms + BEIJING_OFFSET_MS;
    let days = local.div_euclid(DAY_MS);
    let secs = local.rem_euclid(DAY_MS) / 1000;
    let (y, m, d) = civil_from_days(days);
    (format!("{y:04}-{m:02}-{d:02}"), secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Milliseconds since the epoch at 00:00 Beijing time of the Beijing day holding `epoch_ms`,
/// and that day's date.
pub fn beijing_day_start(epoch_ms: i64) -> (i64, (i64, u32, u32)) {
    let days = (epoch_ms + BEIJING_OFFSET_MS).div_euclid(DAY_MS);
    (days * DAY_MS - BEIJING_OFFSET_MS, civil_from_days(days))
}

/// Milliseconds since the epoch at 00:00 Beijing time of a date.
pub fn beijing_midnight(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * DAY_MS - BEIJING_OFFSET_MS
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_evening_is_next_morning_in_beijing() {
        // 2026-04-16 23:30:00 UTC
        let ms = 1_776_382_200_000;
        assert_eq!(beijing_datetime(ms), "2026-04-17 07:30:00");
        assert_eq!(beijing_weekday(ms), "星期五");
        assert_eq!(beijing_weekday_en(ms), "Fri");
    }

    #[test]
    fn dates_and_day_counts_round_trip_and_midnight_is_beijings() {
        for days in [-800_000, -1, 0, 59, 60, 10_957, 20_789, 800_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        let midnight = beijing_midnight(2026, 12, 1);
        assert_eq!(beijing_datetime(midnight), "2026-12-01 00:00:00");
        assert_eq!(beijing_day_start(midnight + 86_399_999), (midnight, (2026, 12, 1)));
        assert_eq!(beijing_day_start(midnight - 1).1, (2026, 11, 30));
    }

    #[test]
    fn epoch_and_leap_day() {
        assert_eq!(beijing_datetime(0), "1970-01-01 08:00:00");
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(beijing_date(-1), "1970-01-01");
        assert_eq!(beijing_stamp(0), "197001010800");
    }
}
