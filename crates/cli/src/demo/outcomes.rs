//! Outcomes (处理结果) as agents record them, fitting the ticket's category and sub-tag,
//! with the fields each kind requires (`Outcome::validate`).

use super::replies::{say, Pairs};
use super::text::{rendered, Slots};
use loopdesk_core::{Outcome, OutcomeKind};
use rand::rngs::StdRng;

/// What was done (solved).
fn solved(category: &str, subtag: &str) -> Pairs {
    match (category, subtag) {
        ("technical", "crash" | "performance") => &[(
            "已在 {v} 版本修复该问题，指导客户升级后恢复正常",
            "Fixed in version {v}; the customer upgraded and it works again",
        )],
        ("technical", "login") => &[(
            "已重置账号登录状态并更换短信通道，客户可以正常登录",
            "Reset the account's login state; the customer can sign in again",
        )],
        ("technical", "connectivity") => &[(
            "远程协助客户重新配网，设备已恢复在线",
            "Helped the customer re-pair the device remotely; it is back online",
        )],
        ("technical", _) => &[(
            "已从云端备份恢复数据，客户确认记录已找回",
            "Restored the data from the cloud backup; the customer confirmed it is back",
        )],
        ("feature_request" | "ux", _) => &[
            (
                "需求已提交产品团队并排入下个版本计划，已告知客户",
                "Logged with the product team and planned for a coming release",
            ),
            ("新版本已调整相关功能，已告知客户升级", "The new version changes this; the customer was told to upgrade"),
        ],
        ("payment", "invoice") => &[("已补开发票并发送至客户邮箱", "Issued the invoice again and e-mailed it")],
        ("payment", _) => &[("已原路退回{x}元，预计1-3个工作日到账", "Refunded ¥{x} to the original payment method")],
        ("product_quality", _) => &[
            (
                "已安排上门检测并免费更换故障配件，设备恢复正常",
                "Home visit arranged; the faulty part was replaced free of charge",
            ),
            ("已为客户办理换新，新机已寄出", "Replaced the unit; the new one has shipped"),
        ],
        ("service_complaint", _) => &[(
            "已核实情况并向客户致歉，对相关人员进行了培训，补偿{x}元优惠券",
            "Apologised, coached the staff involved and issued a ¥{x} voucher",
        )],
        ("logistics", "delay") => {
            &[("已联系快递加急派送，客户已签收", "Chased the courier; the customer has received the parcel")]
        }
        ("logistics", _) => &[("已补发商品，客户已确认收到", "Sent a replacement; the customer confirmed receipt")],
        ("inquiry", "usage") => &[("已详细解答并发送使用说明", "Answered the question and sent the user guide")],
        ("inquiry", "policy") => &[("已向客户说明保修及退换货政策", "Explained the warranty and return policy")],
        ("inquiry", "pricing") => &[("已告知当前价格及促销活动", "Told the customer the current price and promotions")],
        ("inquiry", _) => &[("已查询进度并告知预计完成时间", "Checked the progress and gave the expected date")],
        _ => &[("感谢反馈，已转交相关部门", "Thanked the customer and passed it on")],
    }
}

/// Partially solved: (summary, unresolved, reason, alternative).
type Partial = [(&'static str, &'static str); 4];

fn partial(category: &str) -> &'static Partial {
    const MONEY: Partial = [
        ("已退回部分款项{x}元", "Refunded ¥{x}"),
        ("运费未退", "Shipping fee not refunded"),
        ("运费由第三方平台收取", "The shipping fee was charged by a third-party platform"),
        ("赠送等额积分", "Credited the same amount as points"),
    ];
    const DEVICE: Partial = [
        ("已修复主要故障", "Fixed the main fault"),
        ("偶发噪音仍存在", "Occasional noise remains"),
        ("属于该型号的设计特性", "It is a design trait of this model"),
        ("提供延保一年", "Offered one extra year of warranty"),
    ];
    const SOFTWARE: Partial = [
        ("新版本已支持其中一部分", "The new version covers part of it"),
        ("其余部分暂未排期", "The rest is not scheduled yet"),
        ("开发资源有限，优先处理高频需求", "Limited capacity; common requests come first"),
        ("可先使用网页版替代", "The web version can be used meanwhile"),
    ];
    match category {
        "payment" | "logistics" | "service_complaint" => &MONEY,
        "product_quality" => &DEVICE,
        _ => &SOFTWARE,
    }
}

/// Unable to solve: (finding, reason, alternative).
type Unable = [(&'static str, &'static str); 3];

fn unable(category: &str) -> &'static Unable {
    const DAMAGE: Unable = [
        ("经检测为人为损坏", "Inspection found physical damage"),
        ("不在保修范围内", "Not covered by the warranty"),
        ("可提供付费维修，费用{x}元", "Paid repair offered at ¥{x}"),
    ];
    const CLAIM: Unable = [
        ("快递公司不予理赔", "The courier refused the claim"),
        ("已超过理赔时效", "The claim period has passed"),
        ("建议通过消协调解，我司可提供证明材料", "Mediation via the consumer association; we provide the records"),
    ];
    const SCOPE: Unable = [
        ("该需求与产品定位不符", "The request does not fit the product"),
        ("暂无开发计划", "No plans to build it"),
        ("推荐使用第三方插件实现", "A third-party add-on can do it"),
    ];
    match category {
        "product_quality" | "technical" | "service_complaint" => &DAMAGE,
        "payment" | "logistics" => &CLAIM,
        _ => &SCOPE,
    }
}

/// An outcome of `kind` for a ticket of `category` › `subtag`.
pub fn outcome(
    rng: &mut StdRng,
    kind: OutcomeKind,
    (category, subtag): (&str, &str),
    en: bool,
    slots: &Slots,
) -> Outcome {
    let col = |pair: &(&str, &str)| rendered(if en { pair.1 } else { pair.0 }, slots);
    let (summary, unresolved, reason, alternative) = match kind {
        OutcomeKind::Solved => (say(rng, solved(category, subtag), en, slots), None, None, None),
        OutcomeKind::PartiallySolved => {
            let p = partial(category);
            (col(&p[0]), Some(col(&p[1])), Some(col(&p[2])), Some(col(&p[3])))
        }
        OutcomeKind::Unable => {
            let u = unable(category);
            (col(&u[0]), None, Some(col(&u[1])), Some(col(&u[2])))
        }
    };
    Outcome { kind, summary, unresolved, reason, alternative }
}
