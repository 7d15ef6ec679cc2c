//! Masking of personal data (个人信息脱敏) for display: what every view and API answer shows
//! unless a user with the right role reveals one record, with a stated reason.

/// A mobile or landline number with its middle hidden: `13812341234` → `138****1234`.
pub fn phone(p: &str) -> String {
    keep_ends(p, 3, 4)
}

/// A resident identity number with the birth date and sequence hidden:
/// `500106194203091234` → `500106********1234`.
pub fn id_number(id: &str) -> String {
    keep_ends(id, 6, 4)
}

/// A person's name with all but the surname hidden: `张三丰` → `张**`, `李四` → `李*`.
pub fn name(n: &str) -> String {
    let mut chars = n.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Keeps `head` characters at the start and `tail` at the end, stars in between. Strings too
/// short to keep anything meaningful are starred whole, so nothing leaks from short values.
fn keep_ends(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - head - tail;
    chars[..head].iter().chain(std::iter::repeat_n(&'*', hidden)).chain(chars[chars.len() - tail..].iter()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_as_the_brief_shows() {
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(id_number("500106194203091234"), "500106********1234");
        assert_eq!(id_number("11010519491231002X"), "110105********002X");
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(name("李四"), "李*");
        assert_eq!(name(""), "");
    }

    #[test]
    fn short_values_are_hidden_whole() {
        assert_eq!(phone("110"), "***");
        assert_eq!(phone("1234567"), "*******");
        assert_eq!(phone("12345678"), "123*5678");
    }
}
