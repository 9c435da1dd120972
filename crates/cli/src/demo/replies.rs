//! What staff and customers write after the first message: replies, questions, notes,
//! approval plans, survey comments, and the spam that gets rejected. Each table
//! is `(Chinese, English)`; the ticket's language picks the column.

use super::text::{pick, rendered, Slots};
use rand::rngs::StdRng;

/// Phrases in both languages.
pub type Pairs = &'static [(&'static str, &'static str)];

/// Picks a phrase in the ticket's language and fills its slots.
pub fn say(rng: &mut StdRng, table: Pairs, en: bool, slots: &Slots) -> String {
    let (zh, english) = pick(rng, table);
    rendered(if en { english } else { zh }, slots)
}

/// First public replies: received, on it, when to expect news.
pub const FIRST_REPLIES: Pairs = &[
    (
        "您好，已收到您的反馈，我们正在核实，会尽快给您答复。",
        "Hello, thanks for reaching out. We are looking into it and will get back to you shortly.",
    ),
    (
        "您好，非常抱歉给您带来不便，已安排专人跟进，预计{n}个工作日内给您回复。",
        "Sorry for the trouble. A specialist is on it and will contact you within {n} working days.",
    ),
    (
        "您好，您反馈的{p}问题我们已经记录，工程师会在24小时内联系您。",
        "We've logged the issue with your {p}; an engineer will call you within 24 hours.",
    ),
];

/// A question to the customer and the customer's answer to it.
pub type Exchange = ((&'static str, &'static str), (&'static str, &'static str));

/// Questions about a device or the app, with answers.
pub const DEVICE_QUESTIONS: &[Exchange] = &[
    (
        ("麻烦提供一下故障照片或视频，方便我们判断。", "Could you send a photo or video of the fault?"),
        ("视频已经上传了，麻烦看下", "Video uploaded, please have a look."),
    ),
    (
        ("请问设备的序列号是多少？在机身背面的标签上。", "What is the serial number? It is on the label at the back."),
        ("序列号拍照发过去了", "I've sent a photo of the serial number."),
    ),
    (
        ("请问是在什么情况下出现的？", "When exactly does it happen?"),
        ("每次开机十分钟左右就会出现", "About ten minutes after switching it on."),
    ),
];

/// Questions about an order or a service experience, with answers.
pub const ORDER_QUESTIONS: &[Exchange] = &[
    (
        ("请提供一下订单号和下单手机号，方便我们查询。", "Could you send the order number and the phone number used?"),
        ("订单号 {o}，手机号就是留的这个", "Order {o}, same phone number as on file."),
    ),
    (
        ("麻烦补充一下具体时间和经过，方便我们核实。", "Could you tell us when it happened and what was said?"),
        ("大概是上周三下午，详细经过已经补充在附件里", "Last Wednesday afternoon, details attached."),
    ),
];

/// Plans that need a supervisor's approval.
pub const PLANS: Pairs = &[
    ("客户为老用户，建议直接换新，需主管审批。", "Long-time customer; suggest a straight replacement, needs approval."),
    ("建议补偿{x}元优惠券，超出权限需审批。", "Suggest a ¥{x} voucher as compensation, above my limit."),
    (
        "需要物流部配合补发，申请跨部门协调。",
        "Needs logistics to resend the item; requesting cross-department approval.",
    ),
];

/// A supervisor's approval comments.
pub const APPROVALS: Pairs =
    &[("同意，按方案执行。", "Approved, go ahead."), ("同意，注意跟进回访。", "Approved; make sure to follow up.")];

/// Internal notes.
pub const NOTES: Pairs = &[
    ("已电话联系客户，确认了问题细节。", "Called the customer and confirmed the details."),
    ("同类问题本周已有{n}起，已同步相关部门。", "{n} similar reports this week, passed on."),
    ("已查询订单 {o}，信息无误。", "Checked order {o}, details are correct."),
];

/// Why a customer comes back after closing.
pub const REOPEN_REASONS: Pairs = &[
    ("问题又出现了，还是老样子", "The problem is back."),
    ("对处理结果不满意，希望重新处理", "I'm not happy with the outcome, please look again."),
    ("说好的处理到现在也没落实", "What you promised still hasn't happened."),
];

/// Why a reopened ticket goes to a supervisor.
pub const ESCALATIONS: Pairs =
    &[("客户对处理结果不满意，升级至主管跟进。", "Customer unhappy with the outcome; escalated to a supervisor.")];

/// Survey comments: satisfied.
pub const SURVEY_GOOD: Pairs = &[
    ("处理很快，满意", "Quick and helpful, thanks!"),
    ("客服态度很好", "Very friendly support."),
    ("问题解决了，谢谢", "Problem solved, thank you."),
];

/// Survey comments: neutral.
pub const SURVEY_NEUTRAL: Pairs = &[("还行吧，就是等得有点久", "OK, but it took a while."), ("一般", "Average.")];

/// Survey comments: unsatisfied.
pub const SURVEY_BAD: Pairs =
    &[("问题根本没解决", "The problem isn't actually fixed."), ("处理太慢了，不满意", "Far too slow.")];

/// What a duplicate says first.
pub const DUPLICATE_PREFIX: (&str, &str) =
    ("之前反馈过还没人理，再发一次：", "Sending this again since nobody replied: ");

/// Spam and out-of-scope messages, with the reason they are rejected.
pub const SPAM: &[(&str, &str)] = &[
    ("兼职刷单，日结300-500元，有意者加微信 jz{x}{n}", "广告/垃圾信息：兼职刷单"),
    ("低价出售各品牌家电配件，量大从优，联系QQ {n}{x}", "广告/垃圾信息"),
    ("恭喜您获得iPhone一部，点击领取 http://t.cn/A6{x}k{n}", "诈骗链接"),
    ("代开各类发票，价格优惠，联系微信 fp{n}{x}", "广告/垃圾信息"),
    ("请问附近哪里有好吃的火锅", "与我司产品和服务无关"),
    ("测试测试 123", "无效内容（测试）"),
    ("Make $500/day from home! Visit http://bit.ly/3q{x}z{n}", "spam: advertising"),
    ("Cheap followers and likes, DM us now", "spam: advertising"),
    ("test test test", "empty test message"),
];
