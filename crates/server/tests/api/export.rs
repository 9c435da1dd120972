//! The queue as CSV: opens in Excel with Chinese intact, follows the queue's filters, checks
//! and masking, and defuses formulas customers write.

use crate::common::{feedback, TestApp};
use reqwest::StatusCode;

async fn export(app: &TestApp, role: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let url = format!("{}/api/v1/tickets/export.csv{query}", app.base);
    let resp = app.http.get(url).header("cookie", app.cookies[role].clone()).send().await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

fn records(bytes: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(bytes.strip_prefix("\u{feff}".as_bytes()).expect("starts with a BOM")).unwrap();
    text.split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[tokio::test]
async fn the_queue_exports_as_csv_that_excel_opens_on_every_backend() {
    crate::common::each_backend(|app| async move {
        app.submit(feedback("洗衣机漏水，地面全是水", "13800138000")).await;
        app.submit(feedback("=HYPERLINK(\"http://evil.example\",\"点我\") 退款还没到账", "13900139000")).await;

        let (status, content_type, bytes) = export(&app, "admin", "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let lines = records(&bytes);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("id,tracking_no,state,priority"), "{}", lines[0]);
        let all = lines.join("\n");
        assert!(all.contains("洗衣机漏水，地面全是水"), "{all}");
        assert!(all.contains("\"'=HYPERLINK(\"\"http://evil.example\"\""), "a formula is defused: {all}");
        assert!(all.contains("8613800138000"), "staff who may see contacts get them: {all}");

        // The queue's filters and checks.
        let (_, _, bytes) = export(&app, "admin", "?q=%E6%B4%97%E8%A1%A3%E6%9C%BA").await;
        assert_eq!(records(&bytes).len(), 2, "only the washing machine");
        let (status, _, _) = export(&app, "admin", "?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Masking as the queue shows it to a viewer.
        let (status, _, bytes) = export(&app, "viewer", "").await;
        assert_eq!(status, StatusCode::OK);
        let viewer = records(&bytes).join("\n");
        assert!(!viewer.contains("13800138000") && !viewer.contains("zhang.wei@example.com"), "{viewer}");
        // Not for anonymous callers.
        let anonymous = app.http.get(format!("{}/api/v1/tickets/export.csv", app.base)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}

fn unzip(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    let mut out = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut out).unwrap();
    out
}

async fn export_xlsx(app: &TestApp, role: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let url = format!("{}/api/v1/tickets/export.xlsx{query}", app.base);
    let resp = app.http.get(url).header("cookie", app.cookies[role].clone()).send().await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_queue_exports_as_an_excel_workbook_on_every_backend() {
    crate::common::each_backend(|app| async move {
        app.submit(feedback("洗衣机漏水，地面全是水", "13800138000")).await;
        app.submit(feedback("=HYPERLINK(\"http://evil.example\",\"点我\") 退款还没到账", "13900139000")).await;

        let (status, content_type, bytes) = export_xlsx(&app, "admin", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert!(bytes.starts_with(b"PK\x03\x04"), "ZIP magic");
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert_eq!(sheet.matches("<row ").count(), 3, "header and two tickets: {sheet}");
        assert!(sheet.contains("ySplit=\"1\""), "frozen header: {sheet}");
        assert!(sheet.contains("<autoFilter ref=\"A1:O3\""), "autofilter over the rows: {sheet}");
        assert!(sheet.contains("<cols>"), "column widths: {sheet}");
        assert!(sheet.contains("洗衣机漏水，地面全是水"), "Chinese text intact: {sheet}");
        assert!(sheet.contains("8613800138000"), "staff who may see contacts get them");
        // The id is a number, the times are dates; the formula a customer wrote is text.
        assert!(sheet.contains("<c r=\"A2\" s=\"") && !sheet.contains("<c r=\"A2\" t=\"inlineStr\""), "{sheet}");
        assert!(unzip(&bytes, "xl/styles.xml").contains("yyyy-mm-dd hh:mm"), "dates are dates");
        assert!(!sheet.contains("<f>"), "no formulas: {sheet}");

        // The queue's filters and checks.
        let (_, _, bytes) = export_xlsx(&app, "admin", "?q=%E6%B4%97%E8%A1%A3%E6%9C%BA").await;
        assert_eq!(unzip(&bytes, "xl/worksheets/sheet1.xml").matches("<row ").count(), 2, "only the washing machine");
        let (status, _, _) = export_xlsx(&app, "admin", "?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // Masking as the queue shows it to a viewer.
        let (status, _, bytes) = export_xlsx(&app, "viewer", "").await;
        assert_eq!(status, StatusCode::OK);
        let viewer = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!viewer.contains("13800138000") && !viewer.contains("zhang.wei@example.com"), "{viewer}");
        let anonymous = app.http.get(format!("{}/api/v1/tickets/export.xlsx", app.base)).send().await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    })
    .await;
}
