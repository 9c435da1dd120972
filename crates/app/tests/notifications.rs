//! Every customer notification, in both languages, as the customer receives it: the
//! built-in templates rendered by the composer for a fixed ticket (snapshots; the
//! Message-ID, random by design, is left out). A template change shows up as a reviewed
//! snapshot diff.

use chrono::TimeZone;
use loopdesk_app::config::channels::ChannelsConfig;
use loopdesk_app::notify::{Composer, CustomerNotice, PortalLinks};
use loopdesk_app::portal::branding::Brand;
use loopdesk_app::Key;
use loopdesk_channels::email::MessageIdIssuer;
use loopdesk_channels::templates::{NotificationKind, TemplateSet};
use loopdesk_core::{Channel, Customer, Email, Ticket, TicketId, TrackingNo};

fn ticket(chinese: bool) -> Ticket {
    let at = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 1, 30, 0).unwrap();
    let (text, name) = match chinese {
        true => ("扫地机器人充不进电，指示灯一直闪红灯。", "张伟"),
        false => ("The robot vacuum does not charge; the light keeps blinking red.", "Jane Smith"),
    };
    let customer = Customer {
        name: Some(name.into()),
        email: Some(Email::parse("customer@example.com").unwrap()),
        ..Customer::default()
    };
    let mut t = Ticket::draft(Channel::Web, text.into(), customer, at, at);
    t.id = TicketId(1042);
    t.tracking_no = TrackingNo::new(t.id, at);
    t
}

fn vars(kind: NotificationKind) -> Vec<(&'static str, String)> {
    let v = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
    match kind {
        NotificationKind::Acknowledgement => Vec::new(),
        NotificationKind::ProgressUpdate => {
            v(&[("progress", "工程师已确认是电池问题 / the engineer confirmed a battery fault")])
        }
        NotificationKind::InformationRequest => v(&[("questions", "请提供序列号 / please send the serial number")]),
        NotificationKind::ExtensionNotice => {
            v(&[("reason", "等待配件到货 / waiting for the part"), ("new_due", "2026-11-09 18:00")])
        }
        NotificationKind::ResultSolved => v(&[("summary", "已更换电池 / battery replaced")]),
        NotificationKind::ResultPartiallySolved => v(&[
            ("summary", "已更换电池 / battery replaced"),
            ("unresolved", "充电座仍需检测 / the dock still needs a check"),
            ("reason", "配件缺货 / part out of stock"),
            ("alternative", "补偿 50 元优惠券 / a 50 yuan voucher"),
        ]),
        NotificationKind::ResultUnable => v(&[
            ("summary", "无法复现故障 / could not reproduce"),
            ("reason", "设备已过保 / out of warranty"),
            ("alternative", "可到门店付费维修 / paid repair at a store"),
        ]),
        NotificationKind::Survey => {
            v(&[("survey_url", "https://support.example.com/survey/abc"), ("expires", "2026-11-12 10:00")])
        }
    }
}

/// A configured public address, a fixed link key and a branding with a stored logo.
fn portal_links() -> PortalLinks {
    let brand = Brand {
        company: Some("海川电器 Haichuan".into()),
        logo_src: Some("/brand/logo?v=2".into()),
        accent: Some("#0b5394".into()),
        contact_within_working_hours: 8,
        version: 2,
        ..Brand::default()
    };
    PortalLinks {
        public_url: Some("https://support.example.com".into()),
        key: Some(b"snapshot-key".to_vec()),
        brand: std::sync::Arc::new(brand),
    }
}

#[test]
fn every_customer_notification_in_both_languages() {
    let templates = TemplateSet::builtin();
    let config = ChannelsConfig {
        company: "示例电器 Example Appliances".into(),
        public_url: Some("https://support.example.com".into()),
        ..ChannelsConfig::default()
    };
    let issuer = MessageIdIssuer::new("support.example.com", b"snapshot-key");
    for chinese in [true, false] {
        let t = ticket(chinese);
        let composer = Composer {
            config: &config,
            templates: &templates,
            gateway: None,
            issuer: &issuer,
            now: t.received_at,
            portal: portal_links(),
        };
        for kind in NotificationKind::ALL {
            let notice = CustomerNotice::new(t.id, kind, vars(kind));
            let d = composer.delivery(&t, &notice, &Key::acknowledgement(t.id), None).unwrap();
            let mail = &d.payload["email"];
            let shown = format!(
                "to: {}\nsubject: {}\n\n{}\n\n---- html ----\n{}\n",
                mail["to"].as_str().unwrap(),
                mail["subject"].as_str().unwrap(),
                mail["text"].as_str().unwrap(),
                mail["html"].as_str().unwrap()
            );
            let lang = if chinese { "zh" } else { "en" };
            insta::assert_snapshot!(format!("{}_{lang}", kind.as_str()), shown);
        }
    }
}
