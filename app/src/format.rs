//! Numbers as a Chinese coordinator reads them.

/// An integer with thousands separators: `12901` → `12,901`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn separators() {
        assert_eq!(super::count(0), "0");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::count(12_901), "12,901");
        assert_eq!(super::count(1_234_567), "1,234,567");
        assert_eq!(super::count(-4500), "-4,500");
    }
}

/// `s` percent-encoded for a URL's query (every byte but ASCII letters and digits).
pub fn query_value(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
