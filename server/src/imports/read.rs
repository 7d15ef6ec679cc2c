//! Reading an uploaded spreadsheet into its header row and data rows of text, whatever it is:
//! .xlsx, .xls, .xlsb and .ods through calamine, .csv (UTF-8, or GBK as Excel saves it on a
//! Chinese Windows) through the csv crate. Numbers come back as people wrote them (`13812341234`,
//! not `1.3812341234e10`), date cells as `YYYY-MM-DD`.

use calamine::{Data, Reader};
use std::io::Cursor;
use zhizhi_shared::import::excel_serial_date;

/// A sheet's rows: the header, then each data row with its number as the spreadsheet shows it
/// (the header is row 1). Blank rows are left out.
#[derive(Debug, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The first sheet with anything in it, read whole; the error in words.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    let grid = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        workbook(bytes)?
    } else {
        csv_rows(bytes)?
    };
    let mut rows = grid.into_iter().enumerate().filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    let Some((_, headers)) = rows.next() else { return Err("文件是空的：第一行应为列名，下面每行一条记录".into()) };
    Ok(Table { headers, rows: rows.map(|(i, r)| (i + 1, r)).collect() })
}

fn workbook(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| format!("无法读取这个表格文件（{e}），请另存为 .xlsx 或 .csv 后重试"))?;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| format!("无法读取工作表「{name}」：{e}"))?;
        if range.is_empty() {
            continue;
        }
        // Rows as the sheet numbers them, even when the used range starts below row 1.
        let top = range.start().map_or(0, |(r, _)| r as usize);
        let mut grid = vec![Vec::new(); top];
        grid.extend(range.rows().map(|r| r.iter().map(text).collect()));
        return Ok(grid);
    }
    Err("文件中没有数据".into())
}

/// A cell as text.
fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.into(),
        Data::DateTime(d) => excel_serial_date(d.as_f64()).unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err("文件既不是 UTF-8 也不是 GBK 编码的文本，请用 Excel 另存为 .xlsx 后上传".into());
            }
            s
        }
    };
    // A blank line is a row of its own, as Excel numbers it when it opens the file: the reader
    // would skip it, so it is given an (empty) field.
    let text: String = text.split('\n').map(|l| if l.trim_end_matches('\r').is_empty() { "," } else { l }).collect::<Vec<_>>().join("\n");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("第 {} 行无法读取：{e}", e.position().map_or(0, |p| p.line())))?;
        rows.push(record.iter().map(String::from).collect());
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_bom_or_gbk() {
        let t = read("\u{feff}姓名,身份证号\n\n张三,\"500106194203091230\"\n".as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["姓名", "身份证号"]);
        assert_eq!(t.rows, vec![(3, vec!["张三".to_string(), "500106194203091230".to_string()])]);
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,地址\n李四,磁器口正街1号\n");
        let t = read(&gbk).unwrap();
        assert_eq!(t.rows[0].1, vec!["李四", "磁器口正街1号"]);
        assert!(read(b"").unwrap_err().contains("文件是空的"));
    }

    #[test]
    fn our_own_workbooks_read_back() {
        use crate::xlsx::{workbook, Cell, Sheet};
        let book = workbook(&[Sheet { name: "居民".into(), rows: vec![vec!["姓名".into(), "电话".into()], vec!["张三".into(), Cell::Number(13812341234.0)]] }]);
        let t = read(&book).unwrap();
        assert_eq!(t.headers, vec!["姓名", "电话"]);
        assert_eq!(t.rows, vec![(2, vec!["张三".to_string(), "13812341234".to_string()])]);
        assert!(read(b"PK\x03\x04garbage").unwrap_err().contains("无法读取这个表格文件"));
    }
}
