//! Every text the interface shows exists in Chinese and English.
//!
//! This test reads every `.rs` file under `app/src` with a small tokenizer of its own (string,
//! byte, C and raw string literals `r".."`/`r#".."#`, char literals and lifetimes, nested block
//! comments, line and doc comments, so a `//` inside a string is not a comment) and fails,
//! naming `file:line`, for every string or char literal that contains Chinese — a Han character
//! (U+4E00–U+9FFF, U+3400–U+4DBF) or Chinese punctuation (U+3000–U+303F, full-width forms
//! U+FF00–U+FFEF) — unless it is one of these:
//!
//! 1. **The Chinese half of a pair whose English half is beside it.** A pair is
//!    - the two arguments of a call `bi(zh, en)` or `pick(zh, en)` (`crate::i18n::…` paths too), or
//!    - the last two elements of a tuple: `(zh, en)` (the arms of `i18n::t`, small tables such
//!      as `Form::title` in `components/case_view.rs`) or `(key, .., zh, en)` (rows of tables of
//!      tabs and filters, e.g. `("/iot", "设备概况", "Health")`),
//!
//!    where each half is a string literal, optionally behind `&`, or the format string of a
//!    `format!(..)` call, and the English half reads as English (`reads_as_english`): no
//!    Chinese, and not an identifier such as `form-error` or `case_view.rs` (lower-case with
//!    `-`, `_`, `.`, `/` or `:` and no space). It may be empty only for a measure word after a count (`MEASURE_WORDS`). Chinese
//!    in the *other* arguments of such a `format!` is checked like any other literal.
//! 2. **Comments and doc comments**, which are not literals and never reach the screen.
//! 3. **Server error messages**: the arguments of `ServerFnError::new(..)` and of
//!    `Problem::new(..)`/`Problem::in_field(..)` (any `Problem::f(..)`) in `src/api.rs`,
//!    `src/api/*.rs` and `src/backend.rs` only (server functions and the `Backend` glue, run on
//!    the server). ARCHITECTURE.md: "Server messages (errors, refusals) are Chinese."
//! 4. **Five literals by name** (`AS_THEY_ARE`): the logo 治 of the top bar and of the sign-in
//!    card (a mark, hidden from screen readers), 中文, the English-mode label of the language
//!    switch, and the two names the grid editor gives new micro-grids (street data, which is
//!    Chinese whatever the language of the screen that made it).
//!
//! Nothing else is exempt: not attributes such as `placeholder`, `title` or `aria-label` (read
//! aloud by screen readers), not separators such as `、`, and not `if lang == Lang::Zh { .. }`
//! (write `bi`/`pick` instead, so this test can see both halves).
//!
//! Separately, `Msg` in `src/i18n.rs` is checked: every variant has exactly one arm
//! `Msg::X => ("中文", "English")` in `t()`, and its English text is non-empty and has no
//! Chinese — except `Msg::SwitchLanguage`, the language switch, whose English-mode label is the
//! name of the other language, 中文.

use std::fs;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// A string literal's value (escapes left as written; they never involve Chinese).
    Str(String),
    /// A char literal's value.
    Char(String),
    Ident(String),
    Punct(char),
    /// Numbers and lifetimes: nothing this test looks at.
    Other,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits Rust source into tokens, dropping whitespace and comments.
fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let n = chars.len();
    let at = |i: usize| chars.get(i).copied();
    while i < n {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == Some('/') {
            while i < n && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    (None, _) => return Err(format!("line {start_line}: unterminated block comment")),
                    (Some('/'), Some('*')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some('*'), Some('/')) => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    }
                    (Some(ch), _) => {
                        if ch == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            }
        } else if c == '"' {
            let (value, next) = quoted(&chars, i + 1, &mut line).ok_or(format!("line {start_line}: unterminated string"))?;
            out.push(Token { kind: Kind::Str(value), line: start_line });
            i = next;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{4e00}', '\'') or a lifetime / label ('a, 'static).
            if at(i + 1) == Some('\\') {
                let mut j = i + 2;
                while j < n && chars[j] != '\'' {
                    j += 1;
                }
                // '\'' : the quote right after the backslash is escaped.
                if j == i + 2 {
                    j += 1;
                    while j < n && chars[j] != '\'' {
                        j += 1;
                    }
                }
                let value: String = chars[i + 1..j.min(n)].iter().collect();
                out.push(Token { kind: Kind::Char(value), line: start_line });
                i = j + 1;
            } else if at(i + 2) == Some('\'') {
                out.push(Token { kind: Kind::Char(chars[i + 1].to_string()), line: start_line });
                i += 3;
            } else {
                i += 1;
                while i < n && is_ident_continue(chars[i]) {
                    i += 1;
                }
                out.push(Token { kind: Kind::Other, line: start_line });
            }
        } else if is_ident_start(c) {
            let mut j = i;
            while j < n && is_ident_continue(chars[j]) {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            let prefix_of_literal = matches!(word.as_str(), "b" | "c" | "r" | "br" | "cr");
            if prefix_of_literal && word.ends_with('r') && matches!(at(j), Some('"') | Some('#')) {
                // Raw string r"..", r#".."#, or a raw identifier r#name.
                let mut hashes = 0;
                while at(j + hashes) == Some('#') {
                    hashes += 1;
                }
                if at(j + hashes) == Some('"') {
                    let body_start = j + hashes + 1;
                    let mut k = body_start;
                    let end = loop {
                        if k >= n {
                            return Err(format!("line {start_line}: unterminated raw string"));
                        }
                        if chars[k] == '"' && (1..=hashes).all(|h| at(k + h) == Some('#')) {
                            break k;
                        }
                        if chars[k] == '\n' {
                            line += 1;
                        }
                        k += 1;
                    };
                    out.push(Token { kind: Kind::Str(chars[body_start..end].iter().collect()), line: start_line });
                    i = end + 1 + hashes;
                } else {
                    let mut k = j + hashes;
                    while k < n && is_ident_continue(chars[k]) {
                        k += 1;
                    }
                    out.push(Token { kind: Kind::Ident(chars[j + hashes..k].iter().collect()), line: start_line });
                    i = k;
                }
            } else if prefix_of_literal && word != "r" && at(j) == Some('"') {
                let (value, next) = quoted(&chars, j + 1, &mut line).ok_or(format!("line {start_line}: unterminated string"))?;
                out.push(Token { kind: Kind::Str(value), line: start_line });
                i = next;
            } else if word == "b" && at(j) == Some('\'') {
                // A byte literal b'x': let the char branch read it.
                i = j;
            } else {
                out.push(Token { kind: Kind::Ident(word), line: start_line });
                i = j;
            }
        } else if c.is_ascii_digit() {
            while i < n && (is_ident_continue(chars[i]) || (chars[i] == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit()))) {
                i += 1;
            }
            out.push(Token { kind: Kind::Other, line: start_line });
        } else {
            out.push(Token { kind: Kind::Punct(c), line: start_line });
            i += 1;
        }
    }
    Ok(out)
}

/// Reads a quoted literal's body from `start` (just after the opening quote); returns the body
/// and the index after the closing quote.
fn quoted(chars: &[char], start: usize, line: &mut usize) -> Option<(String, usize)> {
    let mut k = start;
    while k < chars.len() {
        match chars[k] {
            '\\' => {
                if chars.get(k + 1) == Some(&'\n') {
                    *line += 1;
                }
                k += 2;
            }
            '"' => return Some((chars[start..k].iter().collect(), k + 1)),
            ch => {
                if ch == '\n' {
                    *line += 1;
                }
                k += 1;
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The rule

/// Whether `c` is written only in Chinese text: a Han character or Chinese punctuation (the
/// full-width symbols ＄＋＜＝＞＾｀｜～ are not: they serve as icons, like ◉ or ☰).
fn is_chinese(c: char) -> bool {
    let symbol = "＄＋＜＝＞＾｀｜～".contains(c);
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}') && !symbol
}

/// The Chinese literals allowed as they are, by file: `(file under app/src, literal, why)`.
const AS_THEY_ARE: [(&str, &str, &str); 5] = [
    ("components/top_bar.rs", "治", "the logo: the mark of 智治, not a word (aria-hidden)"),
    ("pages/login.rs", "治", "the logo: the mark of 智治, not a word (aria-hidden)"),
    ("i18n.rs", "中文", "Msg::SwitchLanguage in English: the switch names the other language"),
    ("pages/admin/grids.rs", "{}（分）", "the name a split micro-grid is saved with: street data, Chinese like every name there"),
    ("pages/admin/grids/panels.rs", "导入微网格{}", "the name an unnamed imported micro-grid is saved with: street data"),
];

fn has_chinese(s: &str) -> bool {
    s.chars().any(is_chinese)
}

fn is_punct(t: &Token, c: char) -> bool {
    t.kind == Kind::Punct(c)
}

fn is_ident(t: &Token, word: &str) -> bool {
    matches!(&t.kind, Kind::Ident(w) if w == word)
}

/// The index of the bracket closing the one at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Punct('(' | '[' | '{') => depth += 1,
            Kind::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The top-level, comma-separated arguments between the brackets at `open` and `close`, as
/// index ranges.
fn arguments(tokens: &[Token], open: usize, close: usize) -> Vec<(usize, usize)> {
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut start = open + 1;
    for k in open + 1..close {
        match tokens[k].kind {
            Kind::Punct('(' | '[' | '{') => depth += 1,
            Kind::Punct(')' | ']' | '}') => depth -= 1,
            Kind::Punct(',') if depth == 0 => {
                args.push((start, k));
                start = k + 1;
            }
            _ => {}
        }
    }
    if start < close {
        args.push((start, close));
    }
    args
}

/// The text an argument stands for, if it is a string literal (`"..."`, `&"..."`) or a
/// `format!("...", ..)` (optionally behind `&`): the index of that literal.
fn text_of(tokens: &[Token], (mut from, to): (usize, usize)) -> Option<usize> {
    if from < to && is_punct(&tokens[from], '&') {
        from += 1;
    }
    if to == from + 1 && matches!(tokens[from].kind, Kind::Str(_)) {
        return Some(from);
    }
    let is_format = to > from + 4
        && is_ident(&tokens[from], "format")
        && is_punct(&tokens[from + 1], '!')
        && is_punct(&tokens[from + 2], '(')
        && closing(tokens, from + 2) == Some(to - 1)
        && matches!(tokens[from + 3].kind, Kind::Str(_));
    is_format.then_some(from + 3)
}

fn str_value(tokens: &[Token], k: usize) -> &str {
    match &tokens[k].kind {
        Kind::Str(s) | Kind::Char(s) => s,
        _ => "",
    }
}

/// Chinese words that are units or measure words: their English may be empty ("3 栋" is "3").
const MEASURE_WORDS: [&str; 14] = ["个", " 个", "栋", " 栋", "条", " 条", "台", " 台", "户", " 户", "人", " 人", "家", " 家"];

/// Whether `en` can be the English of `zh`: no Chinese, and not an identifier such as
/// `form-error` (an empty English only for a measure word).
fn reads_as_english(zh: &str, en: &str) -> bool {
    if has_chinese(en) {
        return false;
    }
    if en.trim().is_empty() {
        return MEASURE_WORDS.contains(&zh);
    }
    let code_like = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-./:".contains(c);
    let identifier = en.chars().all(code_like) && en.contains(['_', '-', '.', '/', ':']) && en.chars().any(|c| c.is_ascii_alphabetic());
    en.chars().any(|c| c.is_alphanumeric() || c.is_ascii_punctuation()) && !identifier
}

/// The indices of the Chinese literals the rule allows in `tokens` (the file `rel`).
fn allowed(tokens: &[Token], rel: &str) -> Vec<usize> {
    let mut ok = Vec::new();
    let server_file = rel == "api.rs" || rel.starts_with("api/") || rel == "backend.rs";
    for (k, t) in tokens.iter().enumerate() {
        if !is_punct(t, '(') {
            continue;
        }
        let Some(close) = closing(tokens, k) else { continue };
        let args = arguments(tokens, k, close);
        let before = |d: usize| k.checked_sub(d).map(|p| &tokens[p]);
        let called = before(1).filter(|_| before(2).is_none_or(|p| !is_ident(p, "fn")));
        let is_pair_call = called.is_some_and(|f| is_ident(f, "bi") || is_ident(f, "pick"));
        // A tuple: a bracket not directly after a name or a closing bracket (a call, a macro).
        // `=> (` is an arm's value; `> (` after a generic is a call (`collect::<Vec<_>>()`).
        let arm = called.is_some_and(|f| is_punct(f, '>')) && before(2).is_some_and(|p| is_punct(p, '='));
        let is_tuple = arm || called.is_none_or(|f| matches!(f.kind, Kind::Punct(p) if !")]!>".contains(p)));
        let pair = match args.len() {
            2 if is_pair_call || is_tuple => Some((args[0], args[1])),
            n if n > 2 && is_tuple => Some((args[n - 2], args[n - 1])),
            _ => None,
        };
        if let Some((zh, en)) = pair {
            if let (Some(zh), Some(en)) = (text_of(tokens, zh), text_of(tokens, en)) {
                if reads_as_english(str_value(tokens, zh), str_value(tokens, en)) {
                    ok.push(zh);
                }
            }
        }
        // `ServerFnError::new(..)`, `Problem::new(..)`, `Problem::in_field(.., ..)`.
        let is_server_error = server_file
            && before(2).is_some_and(|p| is_punct(p, ':'))
            && before(3).is_some_and(|p| is_punct(p, ':'))
            && ((before(1).is_some_and(|f| is_ident(f, "new")) && before(4).is_some_and(|p| is_ident(p, "ServerFnError")))
                || (before(1).is_some_and(|f| matches!(f.kind, Kind::Ident(_))) && before(4).is_some_and(|p| is_ident(p, "Problem"))));
        if is_server_error {
            ok.extend(args.iter().filter_map(|a| text_of(tokens, *a)));
        }
    }
    for (k, t) in tokens.iter().enumerate() {
        if let Kind::Str(s) = &t.kind {
            if AS_THEY_ARE.iter().any(|(file, text, _)| *file == rel && text == s) {
                ok.push(k);
            }
        }
    }
    ok
}

/// The Chinese literals of one file's source that have no English: `(line, text)`.
fn untranslated(src: &str, rel: &str) -> Result<Vec<(usize, String)>, String> {
    let tokens = tokenize(src)?;
    let ok = allowed(&tokens, rel);
    Ok(tokens
        .iter()
        .enumerate()
        .filter(|(k, t)| matches!(&t.kind, Kind::Str(s) | Kind::Char(s) if has_chinese(s)) && !ok.contains(k))
        .map(|(k, t)| (t.line, str_value(&tokens, k).to_string()))
        .collect())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("read app/src").map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_chinese_text_has_english() {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "expected the app's sources under {}", src.display());
    let mut problems = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(path).unwrap();
        match untranslated(&text, &rel) {
            Ok(found) => problems.extend(found.into_iter().map(|(line, s)| format!("app/src/{rel}:{line}: \"{s}\""))),
            Err(e) => problems.push(format!("app/src/{rel}: cannot read: {e}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} Chinese text(s) without English (give them as bi(\"中文\", \"English\"), pick(..), a (\"中文\", \"English\") pair \
         or an i18n::Msg; see the rules at the top of app/tests/i18n.rs):\n{}\n",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_msg_has_english() {
    let text = fs::read_to_string(src_dir().join("i18n.rs")).unwrap();
    let tokens = tokenize(&text).unwrap();
    // The variants: the names between the braces of `enum Msg`.
    let start = tokens.windows(2).position(|w| is_ident(&w[0], "enum") && is_ident(&w[1], "Msg")).expect("enum Msg") + 2;
    let close = closing(&tokens, start).expect("end of enum Msg");
    let variants: Vec<String> = arguments(&tokens, start, close)
        .into_iter()
        .filter_map(|(a, b)| match &tokens[b - 1].kind {
            Kind::Ident(name) if b > a => Some(name.clone()),
            _ => None,
        })
        .collect();
    assert!(variants.len() > 10, "expected Msg's variants, found {variants:?}");
    // The arms: `Msg :: Name => ( "zh" , "en" )`.
    let mut arms: Vec<(String, String, String, usize)> = Vec::new();
    for w in tokens.windows(10) {
        if is_ident(&w[0], "Msg") && is_punct(&w[1], ':') && is_punct(&w[2], ':') && is_punct(&w[4], '=') && is_punct(&w[5], '>') {
            let Kind::Ident(name) = &w[3].kind else { continue };
            if let (Kind::Punct('('), Kind::Str(zh), Kind::Punct(','), Kind::Str(en)) = (&w[6].kind, &w[7].kind, &w[8].kind, &w[9].kind) {
                arms.push((name.clone(), zh.clone(), en.clone(), w[0].line));
            }
        }
    }
    let mut problems = Vec::new();
    for v in &variants {
        let mine: Vec<_> = arms.iter().filter(|a| &a.0 == v).collect();
        match mine.as_slice() {
            [(_, zh, en, line)] => {
                if zh.trim().is_empty() {
                    problems.push(format!("app/src/i18n.rs:{line}: Msg::{v} has no Chinese text"));
                }
                if en.trim().is_empty() {
                    problems.push(format!("app/src/i18n.rs:{line}: Msg::{v} has no English text"));
                } else if has_chinese(en) && v != "SwitchLanguage" {
                    problems.push(format!("app/src/i18n.rs:{line}: Msg::{v}'s English text \"{en}\" has Chinese in it"));
                }
            }
            [] => problems.push(format!("app/src/i18n.rs: Msg::{v} has no (\"中文\", \"English\") arm in t()")),
            _ => problems.push(format!("app/src/i18n.rs: Msg::{v} has {} arms in t()", mine.len())),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The checker checked

fn lines_of(src: &str, rel: &str) -> Vec<usize> {
    untranslated(src, rel).unwrap().into_iter().map(|(line, _)| line).collect()
}

#[test]
fn tokenizer_reads_rust_literals_and_comments() {
    let src = r####"
// "注释" is a comment
/* block /* nested "中" */ still comment */
let a = "http://example.com/中";   // the string holds `//`
let b = r#"原始 "quoted" 字符串"#;
let c = r"raw";
let d = '中';
let e: &'static str = "x";
let f = '\'';
let g = b"bytes";
let h = r#type;
"####;
    let tokens = tokenize(src).unwrap();
    let strs: Vec<(usize, &str)> = tokens
        .iter()
        .filter_map(|t| match &t.kind {
            Kind::Str(s) | Kind::Char(s) => Some((t.line, s.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        strs,
        vec![
            (4, "http://example.com/中"),
            (5, "原始 \"quoted\" 字符串"),
            (6, "raw"),
            (7, "中"),
            (8, "x"),
            (9, "\\'"),
            (10, "bytes"),
        ]
    );
    assert!(tokens.iter().any(|t| t.kind == Kind::Ident("type".into())));
}

#[test]
fn the_rule_flags_chinese_without_english() {
    let src = r##"
fn v() {
    let a = bi("事件", "Case");
    let b = pick(&format!("共 {n} 条"), &format!("{n} in all"));
    let c = ("结案", "Close");
    let d = crate::i18n::bi("派遣", "Dispatch");
    view! { <p>"仅中文"</p> }
    let e = bi("核查", "核查");
    let f = pick(x, "处置");
    let g = if zh { "条" } else { "records" };
    let h = ("一", "二", "three");
    let i = ServerFnError::new("请先登录");
    let j = format!("{}{}", pick("。", "."), "、");
    let k = Problem::in_field("confirm", format!("两次输入不一致 {n}"));
    let l = ("＋", "治");
    let m = ("保存失败", "form-error");
    let n = bi("家", "");
    let o = bi("事件", "");
}
"##;
    assert_eq!(lines_of(src, "pages/x.rs"), vec![7, 8, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18]);
    assert_eq!(lines_of(src, "api.rs"), vec![7, 8, 8, 9, 10, 11, 13, 15, 16, 18]);
    assert_eq!(lines_of(src, "components/top_bar.rs"), vec![7, 8, 8, 9, 10, 11, 12, 13, 14, 16, 18]);
}
