//! Core sentences of wishes, questions and praise, per sub-tag, in Chinese and English
//! (slots as in [`super::problems`]).

use super::catalog::{tag, Subtag, Target};
use Target::{App, Device};

/// feature_request › new_feature, integration, customization.
pub static FEATURE: &[Subtag] = &[
    tag(
        "new_feature",
        App,
        &[
            "希望{p}能增加定时预约功能，下班前就能提前开机",
            "建议{p}增加家庭共享，家里{n}个人都能控制",
            "能不能在{p}里加一个耗材剩余提醒",
        ],
        &[
            "Please add a schedule feature to the {p}",
            "It would be great if the {p} supported sharing devices with family members",
        ],
    ),
    tag(
        "integration",
        App,
        &["希望{p}支持导出用电数据到 Excel", "能否让{p}接入小爱同学和天猫精灵语音控制"],
        &["Could the {p} export usage data as CSV?", "Please add HomeKit and Google Home integration to the {p}"],
    ),
    tag(
        "customization",
        App,
        &["{p}能不能出个夜间模式，晚上看太刺眼了", "希望{p}可以自定义首页卡片顺序，字体也能调大一点"],
        &[
            "Dark mode for the {p} please, it is too bright at night",
            "Let me customise the order of cards on the {p} home screen",
        ],
    ),
];

/// ux › layout, flow, popups.
pub static UX: &[Subtag] = &[
    tag(
        "layout",
        App,
        &["{p}新版界面字太小，老人根本看不清", "{p}的设置入口藏得太深，找了半天找不到"],
        &["The new {p} layout is confusing, I can't find the settings", "Text in the {p} is too small to read"],
    ),
    tag(
        "flow",
        App,
        &["在{p}里申请售后步骤太多，填了{n}页表格还没提交成功", "{p}配网流程太复杂，说明书也看不懂"],
        &["Too many steps to request a repair in the {p}", "Pairing a device in the {p} is not intuitive at all"],
    ),
    tag(
        "popups",
        App,
        &["{p}每次打开都弹广告，关都关不掉，很影响使用", "{p}推送消息太多了，一天{n}条，能不能少一点"],
        &["The {p} shows an ad pop-up every time I open it", "Way too many notifications from the {p}, {n} a day"],
    ),
];

/// inquiry › usage, policy, pricing, status.
pub static INQUIRY: &[Subtag] = &[
    tag(
        "usage",
        Device,
        &["请问{p}的滤网多久换一次？在哪里买", "{p}怎么设置童锁？说明书找不到了", "请问{p}可以连5G的wifi吗"],
        &["How often should I replace the filter of the {p}?", "How do I turn on the child lock on the {p}?"],
    ),
    tag(
        "policy",
        Device,
        &["{p}的保修期是多久？过了一年还能免费修吗", "请问{p}支持七天无理由退货吗，已经拆封了"],
        &["How long is the warranty on the {p}?", "Can I still return the {p} if I've opened the box?"],
    ),
    tag(
        "pricing",
        Device,
        &["{p}双十一会降价吗？现在买能保价吗", "{p}以旧换新能抵多少钱"],
        &[
            "Will the {p} be on sale soon? Do you offer price protection?",
            "How much is the trade-in value for an old {p}?",
        ],
    ),
    tag(
        "status",
        Device,
        &["想问一下订单 {o} 的维修进度", "我{t}提交的换货申请现在到哪一步了？订单 {o}"],
        &["What's the status of my repair for order {o}?", "Any update on the exchange I requested {t}? Order {o}"],
    ),
];

/// suggestion › product, service, praise.
pub static SUGGESTION: &[Subtag] = &[
    tag(
        "product",
        Device,
        &["建议{p}出一个更小的款，现在的放不进床底", "{p}的充电线可以做长一点，现在太短了"],
        &["Suggestion: make a smaller version of the {p}", "The cable of the {p} could be a bit longer"],
    ),
    tag(
        "service",
        Device,
        &["建议售后上门前先打电话确认时间", "建议客服热线晚上也有人工服务，下班后打不通"],
        &[
            "It would help if technicians called before coming over",
            "Please offer phone support in the evening as well",
        ],
    ),
    tag(
        "praise",
        Device,
        &["{p}很好用，安装师傅也很专业，给你们点个赞", "客服处理{p}的问题很耐心，特别感谢"],
        &[
            "Love the {p}, the installer was very professional",
            "Thanks to your support team for the quick help with my {p}",
        ],
    ),
];

/// other › praise, misc.
pub static OTHER: &[Subtag] = &[
    tag(
        "praise",
        Device,
        &["用了你们的{p}两年了，一直很满意，谢谢"],
        &["Two years with the {p} and still happy, thank you"],
    ),
    tag(
        "misc",
        Device,
        &["你们门店的营业时间是几点到几点", "想申请成为{p}的经销商，应该联系谁"],
        &["What are your store opening hours?", "Who should I contact about becoming a reseller of the {p}?"],
    ),
];
