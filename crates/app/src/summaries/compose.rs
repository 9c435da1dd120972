//! A summary as what each recipient gets: the headline figures against the period before,
//! on-time rates per priority, the top problems and the period's spikes; as plain text and
//! HTML with the summary workbook attached for mailboxes, and as a short card for robots.

use super::Schedule;
use crate::documents::channel::RobotsDoc;
use crate::documents::{load_or_default, DocumentKind};
use crate::keys::Key;
use crate::outbound::{EmailPayload, HttpPayload};
use crate::reports::{self, ReportBody, ReportRequest};
use crate::sheet;
use crate::{App, AppError};
use loopdesk_channels::email::{MailAttachment, OutboundEmail};
use loopdesk_channels::robots::{Alert, Link, Mentions, Severity};
use loopdesk_channels::templates::{escape_html, Lang};
use loopdesk_core::report::schedule::Every;
use loopdesk_core::report::{Filter, Grain, Measure, Period, ReportName, SummaryRow, Unit};
use loopdesk_core::{Principal, Role, TicketId, UserId};
use loopdesk_store::NewDelivery;

/// The figures a summary leads with, in order.
const HEADLINE: [Measure; 8] = [
    Measure::Volume,
    Measure::IntakeTimeliness,
    Measure::FirstResponseMedian,
    Measure::Resolved,
    Measure::HandlingMean,
    Measure::OnTimeRate,
    Measure::SatisfiedShare,
    Measure::FollowUpRate,
];

/// Problems listed.
const TOP_PROBLEMS: usize = 5;
/// Spikes listed.
const SPIKES: usize = 10;

fn label(m: Measure, lang: Lang) -> &'static str {
    let (zh, en) = match m {
        Measure::Volume => ("反馈量", "Feedback received"),
        Measure::IntakeTimeliness => ("及时登记率", "Recorded on time"),
        Measure::FirstResponseMedian => ("首次响应（中位）", "First response (median)"),
        Measure::Resolved => ("办结量", "Resolved"),
        Measure::HandlingMean => ("平均处理时长", "Mean handling time"),
        Measure::OnTimeRate => ("按时办结率", "Resolved on time"),
        Measure::SatisfiedShare => ("满意率", "Satisfied"),
        Measure::FollowUpRate => ("回访率", "Follow-up rate"),
        _ => (m.as_str(), m.as_str()),
    };
    match lang {
        Lang::ZhCn => zh,
        Lang::En => en,
    }
}

/// A value as people read it: counts whole, shares in percent, durations in hours.
fn value(v: Option<f64>, unit: Unit, lang: Lang) -> String {
    let Some(v) = v else {
        return "—".into();
    };
    match unit {
        Unit::Count => format!("{v:.0}"),
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Milliseconds => match lang {
            Lang::ZhCn => format!("{:.1} 小时", v / 3_600_000.0),
            Lang::En => format!("{:.1} h", v / 3_600_000.0),
        },
        Unit::Score => format!("{v:.2}"),
    }
}

/// A change as people read it: shares in percentage points.
fn change(v: Option<f64>, unit: Unit, lang: Lang) -> String {
    let Some(v) = v else {
        return "—".into();
    };
    let sign = if v > 0.0 { "+" } else { "" };
    match unit {
        Unit::Ratio => format!("{sign}{:.1} pt", v * 100.0),
        _ => format!("{sign}{}", value(Some(v), unit, lang)),
    }
}

/// One line of the summary: label, value, change against the period before.
struct Line {
    label: String,
    value: String,
    change: String,
}

fn lines(rows: &[SummaryRow], lang: Lang) -> Vec<Line> {
    let mut out = Vec::new();
    let overall = |m: Measure| rows.iter().find(|r| r.measure == m && r.priority.is_none() && r.target.is_none());
    for m in HEADLINE {
        if let Some(r) = overall(m) {
            out.push(Line {
                label: label(m, lang).into(),
                value: value(r.value, r.unit, lang),
                change: change(r.change, r.unit, lang),
            });
        }
    }
    // Against the targets: the on-time rate of each priority.
    for r in rows.iter().filter(|r| r.measure == Measure::OnTimeRate && r.priority.is_some() && r.target.is_none()) {
        let p = r.priority.map(|p| p.as_str()).unwrap_or_default();
        out.push(Line {
            label: format!("{} · {p}", label(Measure::OnTimeRate, lang)),
            value: value(r.value, r.unit, lang),
            change: change(r.change, r.unit, lang),
        });
    }
    out
}

fn title(schedule: &Schedule, period: Period, tz: chrono_tz::Tz) -> String {
    let from = period.from.with_timezone(&tz).date_naive();
    let last = (period.to - chrono::Duration::seconds(1)).with_timezone(&tz).date_naive();
    match (schedule.language, schedule.every) {
        (Lang::ZhCn, Every::Month) => format!("客户反馈月报 {}", from.format("%Y年%m月")),
        (Lang::ZhCn, Every::Week) => format!("客户反馈周报 {} 至 {}", from, last),
        (Lang::En, Every::Month) => format!("Customer feedback, {}", from.format("%B %Y")),
        (Lang::En, Every::Week) => format!("Customer feedback, week {from} to {last}"),
    }
}

/// The summary's text, HTML and robot card.
struct Composed {
    title: String,
    text: String,
    html: String,
    card: Vec<(String, String)>,
}

fn compose(title: String, lines: &[Line], problems: &[(i64, i64)], spikes: &[String], lang: Lang) -> Composed {
    let (figure, now, vs, top, tickets, surges) = match lang {
        Lang::ZhCn => ("指标", "本期", "较上期", "高频问题", "件", "异常激增"),
        Lang::En => ("Figure", "This period", "Change", "Top problems", "tickets", "Spikes"),
    };
    let mut text = format!("{title}\n\n");
    let mut html = format!(
        "<h2>{}</h2><table border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr><th>{figure}</th><th>{now}</th><th>{vs}</th></tr>",
        escape_html(&title)
    );
    let mut card = Vec::new();
    for l in lines {
        text.push_str(&format!("{}: {} ({vs} {})\n", l.label, l.value, l.change));
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&l.label),
            escape_html(&l.value),
            escape_html(&l.change)
        ));
        card.push((l.label.clone(), format!("{} ({vs} {})", l.value, l.change)));
    }
    html.push_str("</table>");
    if !problems.is_empty() {
        text.push_str(&format!("\n{top}:\n"));
        html.push_str(&format!("<h3>{top}</h3><ol>"));
        let mut listed = Vec::new();
        for (cluster, n) in problems {
            text.push_str(&format!("  #{cluster}: {n} {tickets}\n"));
            html.push_str(&format!("<li>#{cluster}: {n} {tickets}</li>"));
            listed.push(format!("#{cluster} ({n})"));
        }
        html.push_str("</ol>");
        card.push((top.into(), listed.join(", ")));
    }
    if !spikes.is_empty() {
        text.push_str(&format!("\n{surges}:\n"));
        html.push_str(&format!("<h3>{surges}</h3><ul>"));
        for s in spikes {
            text.push_str(&format!("  {s}\n"));
            html.push_str(&format!("<li>{}</li>", escape_html(s)));
        }
        html.push_str("</ul>");
        card.push((surges.into(), spikes.join("; ")));
    }
    Composed { title, text, html, card }
}

/// Who the job acts as: the node itself, seeing every department.
fn system() -> Principal {
    Principal {
        user_id: UserId(0),
        name: "Loopdesk".into(),
        role: Role::Admin,
        department_id: None,
        intake_only: false,
    }
}

/// Computes the summary of `period` and queues a delivery per recipient, each keyed under
/// `key` so a second run adds nothing.
pub(super) async fn send(app: &App, schedule: &Schedule, period: Period, key: &Key) -> Result<(), AppError> {
    let request = ReportRequest {
        name: ReportName::Summary,
        period,
        grain: Grain::Day,
        dimensions: Vec::new(),
        filter: Filter::default(),
    };
    let report = reports::run(app, &system(), request).await?;
    let ReportBody::Summary { rows } = &report.body else {
        return Err(AppError::internal("a summary report without summary rows"));
    };
    let tz = reports::company_time_zone(app);
    let dashboard = app.read().dashboard(period.from, period.to).await?;
    let problems: Vec<(i64, i64)> =
        dashboard.top_problems.iter().take(TOP_PROBLEMS).map(|p| (p.cluster_id, p.tickets)).collect();
    let lang = schedule.language;
    let usual = match lang {
        Lang::ZhCn => "通常",
        Lang::En => "usually",
    };
    let spikes: Vec<String> = app
        .read()
        .spikes(period.from, period.to, SPIKES)
        .await?
        .iter()
        .map(|s| {
            let at = s.window_start.with_timezone(&tz).format("%m-%d %H:%M");
            format!("{} {} · {at} · {} ({usual} {:.0})", s.dimension.as_str(), s.value, s.observed, s.baseline)
        })
        .collect();
    let c = compose(title(schedule, period, tz), &lines(rows, lang), &problems, &spikes, lang);
    let workbook =
        sheet::to_xlsx(&sheet::sheet(&report, &sheet::Names::new())).map_err(|e| AppError::Internal(Box::new(e)))?;
    let file = format!("summary-{}-{}.xlsx", schedule.name, period.from.with_timezone(&tz).format("%Y-%m-%d"));
    let mut list = Vec::new();
    if schedule.robots {
        let doc: RobotsDoc = load_or_default(app, &DocumentKind::Robots).await?;
        let link = app.config.channels.public_url.as_deref().map(|url| Link {
            label: match lang {
                Lang::ZhCn => "查看报表".into(),
                Lang::En => "Open the reports".into(),
            },
            url: format!("{}/console/reports", url.trim_end_matches('/')),
        });
        let alert = Alert {
            title: c.title.clone(),
            severity: Severity::Info,
            fields: c.card.clone(),
            link,
            mentions: Mentions::default(),
        };
        for r in doc.robots.iter().filter(|r| r.alerts.is_empty() || r.alerts.iter().any(|a| a == "summary")) {
            list.push(NewDelivery {
                key: key.robot_delivery(&r.name).to_string(),
                ticket_id: None,
                transport: "http".into(),
                kind: "summary".into(),
                target: format!("robot {}", r.name),
                payload: serde_json::to_value(HttpPayload::Robot { robot: r.name.clone(), alert: alert.clone() })?,
                failed: None,
            });
        }
    }
    let from = app.config.channels.smtp.clone().unwrap_or_default().from;
    for addr in &schedule.emails {
        let mail = OutboundEmail {
            from: from.clone(),
            to: addr.clone(),
            reply_to: None,
            subject: c.title.clone(),
            text: c.text.clone(),
            html: Some(c.html.clone()),
            message_id: app.outbound.issuer.issue_random(TicketId(0)),
            in_reply_to: None,
            references: Vec::new(),
            ticket: TicketId(0),
            automatic: true,
            date: app.now(),
            attachments: vec![MailAttachment::new(file.clone(), sheet::Format::Xlsx.content_type(), &workbook)],
        };
        list.push(NewDelivery {
            key: key.email_delivery(addr).to_string(),
            ticket_id: None,
            transport: "email".into(),
            kind: "summary".into(),
            target: crate::notify::mask(addr),
            payload: serde_json::to_value(EmailPayload { email: mail })?,
            failed: None,
        });
    }
    app.store.add_deliveries(&list, app.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use loopdesk_core::Priority;

    fn row(measure: Measure, priority: Option<Priority>, value: f64, change: f64) -> SummaryRow {
        SummaryRow {
            measure,
            priority,
            target: None,
            unit: measure.unit(),
            value: Some(value),
            previous: None,
            year_ago: None,
            change: Some(change),
            change_year: None,
        }
    }

    #[test]
    fn figures_read_as_people_read_them_in_both_languages() {
        let rows = vec![
            row(Measure::Volume, None, 1234.0, 56.0),
            row(Measure::OnTimeRate, None, 0.925, -0.013),
            row(Measure::OnTimeRate, Some(Priority::Urgent), 1.0, 0.0),
            row(Measure::FirstResponseMedian, None, 5_400_000.0, -1_800_000.0),
        ];
        let spikes = vec!["category 支付 · 11-12 09:00 · 24 (通常 3)".to_string()];
        let zh = compose("月报".into(), &lines(&rows, Lang::ZhCn), &[(42, 17)], &spikes, Lang::ZhCn);
        assert!(zh.text.contains("反馈量: 1234 (较上期 +56)"), "{}", zh.text);
        assert!(zh.text.contains("按时办结率: 92.5% (较上期 -1.3 pt)"), "{}", zh.text);
        assert!(zh.text.contains("按时办结率 · urgent: 100.0%"), "{}", zh.text);
        assert!(zh.text.contains("首次响应（中位）: 1.5 小时 (较上期 -0.5 小时)"), "{}", zh.text);
        assert!(zh.text.contains("#42: 17 件"), "{}", zh.text);
        assert!(zh.text.contains("异常激增:\n  category 支付 · 11-12 09:00 · 24 (通常 3)"), "{}", zh.text);
        assert_eq!(zh.card.last().map(|(l, _)| l.as_str()), Some("异常激增"));
        let en = compose("<Summary>".into(), &lines(&rows, Lang::En), &[], &[], Lang::En);
        assert!(en.text.contains("Feedback received: 1234 (Change +56)"), "{}", en.text);
        assert!(en.html.contains("<h2>&lt;Summary&gt;</h2>"), "{}", en.html);
        assert!(!en.text.contains("Top problems") && !en.text.contains("Spikes"));
    }
}
