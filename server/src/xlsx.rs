//! A small Excel (.xlsx) writer for exported tables: one workbook of sheets of text and
//! numbers, the header row bold and frozen. An .xlsx file is a zip of XML parts (ECMA-376
//! part 1, SpreadsheetML); the parts here are the fewest Excel, WPS and LibreOffice open
//! without a repair prompt, stored uncompressed (the tables are small).

/// A cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Cell {
        v.filter(|v| v.is_finite()).map_or(Cell::Empty, Cell::Number)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Number(v as f64)
    }
}

/// A sheet: its name (at most 31 characters, none of `[]:*?/\`) and rows, the first the
/// header.
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The column letters of a 0-based column: A … Z, AA …
fn column(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

fn sheet_xml(sheet: &Sheet) -> String {
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"#,
    );
    for (r, row) in sheet.rows.iter().enumerate() {
        x.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column(c), r + 1);
            let style = if r == 0 { " s=\"1\"" } else { "" };
            match cell {
                Cell::Text(t) => x.push_str(&format!("<c r=\"{at}\" t=\"inlineStr\"{style}><is><t xml:space=\"preserve\">{}</t></is></c>", escape(t))),
                Cell::Number(n) => x.push_str(&format!("<c r=\"{at}\"{style}><v>{n}</v></c>")),
                Cell::Empty => {}
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

fn sheet_name(name: &str, i: usize) -> String {
    let clean: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if clean.trim().is_empty() {
        format!("Sheet{}", i + 1)
    } else {
        clean
    }
}

/// The workbook's bytes.
pub fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let mut parts: Vec<(String, String)> = Vec::new();
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    parts.push((
        "[Content_Types].xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>"#
        ),
    ));
    parts.push((
        "_rels/.rels".into(),
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            .into(),
    ));
    let entries: String = sheets
        .iter()
        .enumerate()
        .map(|(i, s)| format!(r#"<sheet name="{}" sheetId="{}" r:id="rId{}"/>"#, escape(&sheet_name(&s.name, i)), i + 1, i + 1))
        .collect();
    parts.push((
        "xl/workbook.xml".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{entries}</sheets></workbook>"#
        ),
    ));
    let rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    parts.push((
        "xl/_rels/workbook.xml.rels".into(),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
            sheets.len() + 1
        ),
    ));
    parts.push((
        "xl/styles.xml".into(),
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>"#
            .into(),
    ));
    for (i, s) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), sheet_xml(s)));
    }
    zip_stored(&parts)
}

/// A zip archive of `files`, stored (no compression), as APPNOTE 6.3 describes: a local
/// header and the data per file, then the central directory and its end record.
fn zip_stored(files: &[(String, String)]) -> Vec<u8> {
    fn u16le(v: &mut Vec<u8>, x: u16) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    fn u32le(v: &mut Vec<u8>, x: u32) {
        v.extend_from_slice(&x.to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let (name, data) = (name.as_bytes(), data.as_bytes());
        let crc = crc32fast::hash(data);
        let offset = out.len() as u32;
        // Local file header; flag bit 11: names are UTF-8. Time and date: 1980-01-01 00:00.
        u32le(&mut out, 0x0403_4b50);
        for x in [20u16, 1 << 11, 0, 0, 0x21] {
            u16le(&mut out, x);
        }
        for x in [crc, data.len() as u32, data.len() as u32] {
            u32le(&mut out, x);
        }
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        u32le(&mut central, 0x0201_4b50);
        for x in [20u16, 20, 1 << 11, 0, 0, 0x21] {
            u16le(&mut central, x);
        }
        for x in [crc, data.len() as u32, data.len() as u32] {
            u32le(&mut central, x);
        }
        for x in [name.len() as u16, 0, 0, 0, 0] {
            u16le(&mut central, x);
        }
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name);
    }
    let (at, size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    for x in [0u16, 0, files.len() as u16, files.len() as u16] {
        u16le(&mut out, x);
    }
    u32le(&mut out, size);
    u32le(&mut out, at);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a stored zip back: (name, text) per local header.
    fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut i = 0;
        while bytes[i..].starts_with(&[0x50, 0x4b, 0x03, 0x04]) {
            let u16at = |o: usize| u16::from_le_bytes([bytes[i + o], bytes[i + o + 1]]) as usize;
            let u32at = |o: usize| u32::from_le_bytes(bytes[i + o..i + o + 4].try_into().unwrap());
            let (crc, size, name_len, extra) = (u32at(14), u32at(18) as usize, u16at(26), u16at(28));
            let name = String::from_utf8(bytes[i + 30..i + 30 + name_len].to_vec()).unwrap();
            let data = &bytes[i + 30 + name_len + extra..i + 30 + name_len + extra + size];
            assert_eq!(crc32fast::hash(data), crc, "{name}");
            out.push((name, String::from_utf8(data.to_vec()).unwrap()));
            i += 30 + name_len + extra + size;
        }
        assert!(bytes[i..].starts_with(&[0x50, 0x4b, 0x01, 0x02]), "the central directory follows");
        assert!(bytes.ends_with(&[0, 0]) && bytes[bytes.len() - 22..].starts_with(&[0x50, 0x4b, 0x05, 0x06]));
        out
    }

    #[test]
    fn a_workbook_holds_its_sheets_cells_escaped_and_columns_named() {
        let book = workbook(&[Sheet {
            name: "考核排名 2026年11月".into(),
            rows: vec![vec!["岗位".into(), "得分".into()], vec!["城市管理 <A&B>".into(), Cell::Number(92.5)], vec![Cell::Empty, Some(f64::NAN).into()]],
        }]);
        let parts = unzip(&book);
        let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"]);
        assert!(parts[2].1.contains(r#"<sheet name="考核排名 2026年11月" sheetId="1" r:id="rId1"/>"#));
        let sheet = &parts[5].1;
        assert!(sheet.contains(r#"<c r="A1" t="inlineStr" s="1"><is><t xml:space="preserve">岗位</t></is></c>"#), "{sheet}");
        assert!(sheet.contains("城市管理 &lt;A&amp;B&gt;"));
        assert!(sheet.contains(r#"<c r="B2"><v>92.5</v></c>"#));
        assert!(sheet.contains(r#"<row r="3"></row>"#), "empty cells and NaN are left out");
        assert_eq!((column(0), column(25), column(26), column(27), column(701), column(702)), ("A".into(), "Z".into(), "AA".into(), "AB".into(), "ZZ".into(), "AAA".into()));
        assert_eq!(sheet_name("a/b:c", 0), "abc");
        assert_eq!(sheet_name("??", 1), "Sheet2");
    }
}
