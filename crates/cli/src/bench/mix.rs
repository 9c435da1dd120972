//! Feedback bodies for the intake benchmark.
//!
//! The realistic mix is what a company's public form receives: many different problems in
//! Chinese, English and both, each worded several ways, with random details (orders, models,
//! days) and a new customer every time, so clustering, search and routing see varied input.
//! The worst case sends four fixed texts, so every ticket joins one of four growing clusters.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Which bodies the benchmark sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MixKind {
    /// Many problems, several wordings each, random details, a new customer each time.
    Realistic,
    /// Four fixed texts: every ticket joins one of four ever-growing clusters.
    WorstCase,
}

/// `{product}`, `{order}`, `{days}` and `{when}` are filled in per request. Several entries
/// describe the same problem in other words or the other language, as customers do.
const PROBLEMS: &[&str] = &[
    "{product}用了{days}天就坏了，开机没反应，订单号{order}，希望尽快换货",
    "刚买的{product}开不了机，按电源键一点反应都没有，订单{order}",
    "My new {product} won't turn on at all, bought it {days} days ago, order {order}",
    "{when}收到的快递外箱破损，里面的{product}屏幕碎了，单号{order}",
    "The {product} arrived with a cracked screen, the box was crushed. Order {order}",
    "已经{days}天了退款还没到账，订单{order}，客服说三个工作日，现在都过了",
    "Refund for order {order} still not received after {days} days",
    "同一笔订单{order}被扣了两次钱，请把多扣的退给我",
    "I was charged twice for {order}, please return the second payment",
    "{product}充电的时候特别烫，还闻到一股焦味，{when}差点冒烟，太吓人了",
    "The {product} smelled like burning plastic while charging {when}, I unplugged it right away",
    "App{when}升级以后一打开就闪退，卸载重装也不行，手机型号{product}",
    "After the latest update the app crashes on launch, tried reinstalling, still crashing",
    "登录一直提示验证码错误，收不到短信，{days}天都登不上去了",
    "Verification SMS never arrives so I cannot log in, it's been {days} days",
    "客服电话打了{days}次都没人接，在线客服也一直排队，太失望了",
    "Nobody answers the support line, I called {days} times {when}",
    "建议在订单详情页加一个开发票的按钮，现在每次都要找客服",
    "Please add an option to download invoices from the order page",
    "配送员没打电话就把{product}放在门口，{when}回家发现不见了，单号{order}",
    "Courier left my {product} outside the door without calling and it's gone. Tracking {order}",
    "会员自动续费我完全不知情，{when}被扣了钱，请取消并退款",
    "安装师傅{when}迟到了三个小时，还额外收了两百块材料费，{product}安装单{order}",
    "The installer came three hours late and asked for extra cash for the {product}",
    "{product}的遥控器失灵，换了电池也没用，型号{order}",
    "优惠券明明还没过期，下单时却提示不可用，订单{order}",
    "Coupon says expired at checkout but it is valid until next week, order {order}",
    "我在App里看到了别人的收货地址和电话，这是不是信息泄露了？",
    "I can see another customer's name and address in my order history, this is a privacy problem",
    "{product}质量不错，客服小王{when}处理得很快，给你们点个赞",
    "Great service {when}, the agent sorted out my {product} issue in minutes, thanks!",
    "门店店员说{product}不能七天无理由退货，跟官网写的不一样，小票{order}",
    "热水器{when}打不着火，家里老人小孩{days}天没热水洗澡了，请尽快上门",
    "The {product} leaks water all over the kitchen floor, order {order}, please send someone",
    "洗衣机漏水把楼下邻居家天花板泡了，{when}开始的，订单{order}，急！",
    "订单{order}显示已签收但我根本没收到{product}，快递员电话也打不通",
];

const PRODUCTS: &[&str] = &[
    "扫地机器人X20",
    "空气净化器AP-500",
    "Mate 70",
    "智能手表W3",
    "冰箱BCD-452",
    "蓝牙耳机Pro",
    "kettle K1",
    "router AX3000",
    "电动牙刷T9",
    "laptop L14",
    "空调KFR-35",
    "洗碗机D8",
];
const WHEN: &[&str] = &["今天", "昨天", "上周", "刚才", "this morning", "yesterday", "周末", "last night"];
const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛"];
const ENGLISH: &[&str] = &["Alice Chen", "Tom Li", "Grace Wong", "David Zhang", "Emma Liu", "Jack Ma"];

/// The four fixed texts of the worst case.
const FIXED: &[&str] = &[
    "扫地机器人X20充电后只能用十分钟，电池是不是有问题？订单号 DD20261103001",
    "The app logs me out every time I switch networks, please fix this.",
    "空气净化器AP-500滤芯提示一直不消失，已经换过新的了。",
    "快递已经五天没有更新物流信息了，请帮忙查一下。",
];

/// A generator of request bodies; one per client, seeded differently.
pub struct Mix {
    kind: MixKind,
    rng: StdRng,
}

impl Mix {
    pub fn new(kind: MixKind, seed: u64) -> Mix {
        Mix { kind, rng: StdRng::seed_from_u64(seed) }
    }

    /// The next `POST /api/v1/feedback` body; `i` is a run-wide sequence number.
    pub fn next(&mut self, i: u64) -> Value {
        match self.kind {
            MixKind::WorstCase => json!({
                "channel": "app",
                "content": format!("{} (#{i})", FIXED[i as usize % FIXED.len()]),
                "customer": { "name": "压测用户", "phone": format!("139{:08}", i % 100_000_000) },
            }),
            MixKind::Realistic => self.realistic(),
        }
    }

    fn realistic(&mut self) -> Value {
        let r = &mut self.rng;
        let template = PROBLEMS.choose(r).copied().unwrap_or(PROBLEMS[0]);
        let order = format!(
            "{}{}",
            ["JD", "DD", "SF", "YT", ""].choose(r).copied().unwrap_or(""),
            r.gen_range(10_000_000u64..9_999_999_999)
        );
        let content = template
            .replace("{product}", PRODUCTS.choose(r).copied().unwrap_or(""))
            .replace("{order}", &order)
            .replace("{days}", &r.gen_range(2..=15).to_string())
            .replace("{when}", WHEN.choose(r).copied().unwrap_or(""));
        let english = content.is_ascii();
        let name = if english {
            ENGLISH.choose(r).copied().unwrap_or("Alex").to_string()
        } else {
            let surname = SURNAMES.choose(r).copied().unwrap_or("王");
            let given = GIVEN.choose(r).copied().unwrap_or("伟");
            format!("{surname}{given}")
        };
        let prefix = ["138", "139", "150", "186", "177", "135"].choose(r).copied().unwrap_or("138");
        let phone = format!("{prefix}{:08}", r.gen_range(0..100_000_000u32));
        let mut customer = json!({ "name": name, "phone": phone });
        if r.gen_bool(0.3) {
            customer["email"] = json!(format!("user{}@example.com", r.gen_range(0..10_000_000u32)));
        }
        let channel = if r.gen_bool(0.6) { "web" } else { "app" };
        json!({ "channel": channel, "content": content, "customer": customer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_bodies_vary_and_fill_every_slot() {
        let mut mix = Mix::new(MixKind::Realistic, 7);
        let bodies: Vec<Value> = (0..200).map(|i| mix.next(i)).collect();
        let contents: std::collections::HashSet<&str> = bodies.iter().filter_map(|b| b["content"].as_str()).collect();
        // A few problems carry no detail, so their texts repeat, as they do in real feedback.
        assert!(contents.len() > 150, "only {} distinct texts", contents.len());
        assert!(contents.iter().all(|c| !c.contains('{')), "a slot was left unfilled");
        assert!(contents.iter().any(|c| c.is_ascii()) && contents.iter().any(|c| !c.is_ascii()));
        let phones: std::collections::HashSet<&str> =
            bodies.iter().filter_map(|b| b["customer"]["phone"].as_str()).collect();
        assert!(phones.len() > 190);
    }

    #[test]
    fn worst_case_repeats_four_texts() {
        let mut mix = Mix::new(MixKind::WorstCase, 1);
        let firsts: std::collections::HashSet<String> = (0..40)
            .map(|i| mix.next(i)["content"].as_str().unwrap_or_default().split(" (#").next().unwrap_or("").to_string())
            .collect();
        assert_eq!(firsts.len(), 4);
    }
}
