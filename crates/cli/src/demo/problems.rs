//! Core sentences of feedback about something broken, charged wrongly, badly served or
//! mis-delivered, per sub-tag, in Chinese and English. Slots: `{p}` product (with model),
//! `{s}` its typical symptom, `{o}` order number, `{t}` when, `{n}` a small number, `{x}`
//! an amount of money, `{v}` an app version.

use super::catalog::{tag, Subtag, Target};
use Target::{App, Device};

/// technical › crash, login, connectivity, performance, data_sync.
pub static TECHNICAL: &[Subtag] = &[
    tag(
        "crash",
        App,
        &[
            "{p}{t}更新到 {v} 以后，一打开首页就闪退",
            "用{p}绑定设备的时候程序直接崩溃，试了{n}次都一样",
            "{p}在后台放一会儿再切回来就卡死，只能强制关闭",
        ],
        &[
            "{p} crashes every time I open the home page since the {v} update {t}",
            "The {p} freezes and closes itself when I try to add a device",
        ],
    ),
    tag(
        "login",
        App,
        &[
            "{p}登录一直提示验证码错误，{t}开始就登不上了",
            "换了新手机以后{p}账号登录不上，密码重置了{n}次也不行",
            "{p}收不到短信验证码，没法登录",
        ],
        &[
            "I can't log in to the {p}, it keeps saying the verification code is wrong",
            "My password reset email for the {p} never arrives, tried {n} times",
        ],
    ),
    tag(
        "connectivity",
        Device,
        &[
            "{p}总是连不上家里的 wifi，配网到 90% 就失败",
            "{p}蓝牙老是断开，{t}一天掉线{n}次",
            "{p}在 App 里一直显示离线，但设备本身是通电的",
        ],
        &[
            "My {p} keeps dropping off the wifi, {n} times a day since {t}",
            "The {p} shows as offline in the app although it is powered on",
        ],
    ),
    tag(
        "performance",
        App,
        &["{p}最近特别卡，打开设备页面要等十几秒", "{p}加载很慢，控制指令要延迟好几秒才响应"],
        &[
            "The {p} has become really slow, the device page takes ages to load",
            "Commands in the {p} take several seconds to reach the device",
        ],
    ),
    tag(
        "data_sync",
        App,
        &["{p}里的历史记录{t}突然都不见了，数据丢失", "手表上的运动数据同步不到{p}，显示同步失败"],
        &[
            "All my history in the {p} disappeared {t}",
            "My workout data won't sync to the {p}, it just says sync failed",
        ],
    ),
];

/// payment › refund, charge, invoice, payment_failure.
pub static PAYMENT: &[Subtag] = &[
    tag(
        "refund",
        Device,
        &["订单 {o} 的{p}已经退货{n}天了，退款{x}元还没到账", "申请退款一直显示审核中，订单号 {o}"],
        &[
            "I returned the {p} (order {o}) {n} days ago and still have no refund of ¥{x}",
            "My refund for order {o} has been pending for weeks",
        ],
    ),
    tag(
        "charge",
        App,
        &["{p}会员自动续费了，我根本没开通过，扣了{x}元", "{t}在{p}买延保被扣了两次钱，订单 {o}"],
        &[
            "I was charged ¥{x} for an auto-renewal in the {p} I never signed up for",
            "Order {o} was charged twice on my card",
        ],
    ),
    tag(
        "invoice",
        Device,
        &["订单 {o} 买的{p}需要开增值税专用发票，一直没收到", "电子发票抬头开错了，麻烦重开，订单号 {o}"],
        &[
            "I still haven't received the invoice for order {o}",
            "The company name on my invoice for order {o} is wrong",
        ],
    ),
    tag(
        "payment_failure",
        App,
        &["在{p}下单用微信支付一直失败，提示系统繁忙", "{p}里付款显示成功但订单还是待支付，钱已经扣了{x}元"],
        &[
            "Payment in the {p} keeps failing with a system busy error",
            "The {p} took ¥{x} but the order still says unpaid",
        ],
    ),
];

/// product_quality › appearance, performance, software, durability.
pub static QUALITY: &[Subtag] = &[
    tag(
        "appearance",
        Device,
        &["收到的{p}外壳有划痕，边角还有磕碰", "{p}用了{n}个月外壳就开始掉漆发黄"],
        &["The {p} arrived with scratches all over the casing", "The paint on my {p} started peeling after {n} months"],
    ),
    tag(
        "performance",
        Device,
        &["{p}{s}", "{t}开始{p}{s}", "买了才{n}个月，{p}{s}"],
        &["Since {t} my {p} has a problem: {s}", "Bought the {p} {n} months ago and {s}"],
    ),
    tag(
        "software",
        Device,
        &["{p}升级固件以后屏幕一直显示错误代码 E{n}", "{p}{t}开始自己重启，一天好几次"],
        &["After the firmware update my {p} shows error code E{n}", "The {p} keeps rebooting by itself since {t}"],
    ),
    tag(
        "durability",
        Device,
        &["{p}才买了{n}个月就坏了，按键失灵", "{p}用了不到一年就频繁出故障，已经修过{n}次"],
        &["My {p} broke after only {n} months", "The {p} keeps breaking down, it has been repaired {n} times already"],
    ),
];

/// service_complaint › attitude, response_time, after_sales, commitment.
pub static SERVICE: &[Subtag] = &[
    tag(
        "attitude",
        Device,
        &["打客服电话问{p}的问题，客服态度很差，直接挂我电话", "上门维修{p}的师傅态度恶劣，还乱收费{x}元"],
        &[
            "The agent I spoke to about my {p} was rude and hung up on me",
            "The technician who came to fix my {p} was unprofessional",
        ],
    ),
    tag(
        "response_time",
        Device,
        &["{p}报修{n}天了都没人联系我，热线一直排队", "在线客服等了一个多小时都没人回复"],
        &[
            "I reported my {p} problem {n} days ago and nobody has contacted me",
            "I've been waiting over an hour in the chat queue",
        ],
    ),
    tag(
        "after_sales",
        Device,
        &["{p}返厂维修{n}周了还没寄回来，问进度也说不清", "{p}在保修期内，售后却说要收费{x}元"],
        &["My {p} has been at the repair center for {n} weeks", "The {p} is under warranty but after-sales wants ¥{x}"],
    ),
    tag(
        "commitment",
        Device,
        &["之前说好{p}的维修48小时内上门，结果等了{n}天都没来", "客服承诺给我补偿{x}元优惠券，到现在也没收到"],
        &[
            "You promised a technician for my {p} within 48 hours, it's been {n} days",
            "I was promised a ¥{x} voucher and never got it",
        ],
    ),
];

/// logistics › delay, lost, damaged, wrong_item.
pub static LOGISTICS: &[Subtag] = &[
    tag(
        "delay",
        Device,
        &["订单 {o} 的{p}说好三天到，现在{n}天了物流还没更新", "{t}买的{p}一直显示待发货，订单号 {o}"],
        &[
            "Order {o} ({p}) was due {n} days ago and tracking hasn't moved",
            "My {p} still says awaiting shipment, order {o}",
        ],
    ),
    tag(
        "lost",
        Device,
        &["物流显示{p}已签收，但我根本没收到，订单 {o}", "快递把{p}弄丢了，快递员让我找商家，订单 {o}"],
        &["Tracking says my {p} was delivered but I never got it (order {o})", "The courier lost my {p}, order {o}"],
    ),
    tag(
        "damaged",
        Device,
        &["收到的{p}包装箱破了，机器外壳摔裂了，订单 {o}", "{p}送到的时候箱子被压扁，开机没反应"],
        &[
            "The {p} arrived with a crushed box and a cracked casing (order {o})",
            "My {p} was damaged in transit and doesn't turn on",
        ],
    ),
    tag(
        "wrong_item",
        Device,
        &["买的是{p}，寄来的却是别的型号，订单 {o}", "{p}少发了配件，滤网和充电座都没有"],
        &["I ordered the {p} but received a different model (order {o})", "The {p} box was missing the charging dock"],
    ),
];
