//! Near-duplicate clustering at intake, through the indexed band keys in the database.

use crate::common;

use common::TestApp;
use loopdesk_app::Config;
use serde_json::{json, Value};

const OPENINGS: [&str; 10] = [
    "你好，",
    "客服您好，",
    "急！",
    "请帮忙看看，",
    "",
    "我想反馈一下，",
    "麻烦处理一下：",
    "各位好，",
    "又来了，",
    "说一下，",
];
const CORES: [&str; 5] = [
    "扫地机器人X20升级固件2.3后一直连不上WiFi，App里显示设备离线",
    "扫地机器人X20升级到2.3固件以后连不上WiFi了，App显示离线",
    "X20扫地机器人固件升级2.3之后WiFi连接不上，App一直提示设备离线",
    "升级固件2.3后，我的扫地机器人X20就连不上家里WiFi，App上设备离线",
    "扫地机器人X20固件2.3升级完成后无法连接WiFi，App显示设备离线状态",
];
const ENDINGS: [&str; 10] = [
    "",
    "，重启也没用。",
    "，请尽快解决。",
    "。",
    "，已经两天了。",
    "，路由器是好的。",
    "，怎么办？",
    "，换了网络也不行。",
    "！",
    "，谢谢。",
];

async fn report(app: &TestApp, text: &str, phone: &str) -> Value {
    app.submit(json!({"content": text, "customer": {"phone": phone}})).await
}

#[tokio::test]
async fn fifty_customers_one_problem_one_cluster_with_rising_scope_and_priority() {
    for backend in loopdesk_store::testing::TestDatabase::backends() {
        let mut config = Config::default();
        config.limits.feedback_per_minute = 1000;
        let app = TestApp::start(backend, config).await;
        let mut answers = Vec::new();
        for i in 0..50 {
            let text = format!("{}{}{}", OPENINGS[i % 10], CORES[(i / 10 + i) % 5], ENDINGS[(i * 3) % 10]);
            answers.push(report(&app, &text, &format!("1391234{i:04}")).await);
        }
        let first = answers[0]["id"].as_i64().unwrap();
        let clusters: std::collections::BTreeSet<i64> =
            answers.iter().map(|a| a["cluster_id"].as_i64().unwrap()).collect();
        assert_eq!(clusters, [first].into_iter().collect(), "{backend:?}: every report joins the first one's cluster");
        let scopes: Vec<&str> = answers.iter().map(|a| a["impact_scope"].as_str().unwrap()).collect();
        assert_eq!(scopes[0], "single");
        assert_eq!(scopes[10], "some", "{scopes:?}");
        assert_eq!(scopes[49], "all", "{scopes:?}");
        let rank = |a: &Value| ["urgent", "high", "medium", "low"].iter().position(|p| a["priority"] == *p).unwrap();
        assert!(
            rank(&answers[49]) < rank(&answers[0]),
            "priority rose: {} → {}",
            answers[0]["priority"],
            answers[49]["priority"]
        );
        assert!(answers[49]["priority_reasons"].to_string().contains("50"), "{}", answers[49]["priority_reasons"]);
        // The earlier members were raised as the cluster grew, with the reason on record.
        let first_now = app.get(&format!("/api/v1/tickets/{first}")).await.body["ticket"].clone();
        assert!(rank(&first_now) < rank(&answers[0]), "first report raised: {}", first_now["priority"]);
        assert!(
            first_now["priority_reasons"].to_string().contains("problem cluster grew"),
            "{}",
            first_now["priority_reasons"]
        );

        // The same customer sending it again is merged into their open original.
        let again = report(&app, &format!("{}{}", OPENINGS[0], CORES[0]), "13912340000").await;
        assert_eq!(again["state"], "merged", "{again}");
        assert_eq!(again["merged_into"], first);
        // An unrelated problem starts its own cluster.
        let other = report(&app, "物流显示已签收，但我根本没收到快递包裹", "13700000000").await;
        assert_eq!(other["cluster_id"], other["id"]);
        assert_eq!(other["impact_scope"], "single");
    }
}
