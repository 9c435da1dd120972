//! What the demo company sells: the 优家 App and its appliances, with names in three
//! scripts, models, serial prefixes and the way each typically fails.

/// A product line: names in simplified, traditional and English, its model, and the way it
/// typically fails (`{s}` in templates).
pub struct Product {
    pub zh: &'static str,
    pub hant: &'static str,
    pub en: &'static str,
    pub model: &'static str,
    /// Serial number prefix; empty for the app.
    pub serial: &'static str,
    /// Typical symptoms: (Chinese, English clause).
    pub symptoms: &'static [(&'static str, &'static str)],
}

/// The app, the one non-device product.
pub const APP: Product = Product {
    zh: "优家 App",
    hant: "優家 App",
    en: "Youjia App",
    model: "",
    serial: "",
    symptoms: &[("推送通知经常延迟", "notifications arrive very late")],
};

/// Physical products, most sold first (the generator draws the first ones more often).
pub static DEVICES: &[Product] = &[
    Product {
        zh: "扫地机器人",
        hant: "掃地機器人",
        en: "robot vacuum",
        model: "X20",
        serial: "RX20",
        symptoms: &[
            ("吸力明显变弱，地上的头发都吸不干净", "the suction has become much weaker"),
            ("经常卡在沙发底下出不来，回充也找不到底座", "it keeps getting stuck and can't find its dock"),
        ],
    },
    Product {
        zh: "智能手表",
        hant: "智慧手錶",
        en: "smartwatch",
        model: "W3",
        serial: "SW3",
        symptoms: &[
            ("心率测量一直不准，睡眠记录也是乱的", "the heart-rate readings are way off"),
            ("电池不耐用，充满电只能用半天", "the battery only lasts half a day"),
        ],
    },
    Product {
        zh: "空气净化器",
        hant: "空氣清淨機",
        en: "air purifier",
        model: "AP-500",
        serial: "AP5",
        symptoms: &[
            ("净化效果很差，开了一晚上数值还是很高", "the air quality reading stays high all night"),
            ("运行噪音特别大，晚上根本没法睡觉", "it is so loud I can't sleep"),
        ],
    },
    Product {
        zh: "洗衣机",
        hant: "洗衣機",
        en: "washing machine",
        model: "WD-10",
        serial: "WD10",
        symptoms: &[
            ("脱水的时候震动特别大，整台机器在地上挪动", "it shakes violently during the spin cycle"),
            ("洗完的衣服上总有白色残留", "clothes come out with white residue"),
        ],
    },
    Product {
        zh: "电热水器",
        hant: "電熱水器",
        en: "water heater",
        model: "EH-60",
        serial: "EH60",
        symptoms: &[("水温忽冷忽热，加热特别慢", "the water temperature keeps jumping and heating is slow")],
    },
    Product {
        zh: "蓝牙耳机",
        hant: "藍牙耳機",
        en: "wireless earbuds",
        model: "B2 Pro",
        serial: "B2P",
        symptoms: &[
            ("左耳经常没声音，降噪也没效果", "the left earbud keeps cutting out"),
            ("充电盒充不进电", "the charging case won't charge"),
        ],
    },
    Product {
        zh: "电饭煲",
        hant: "電鍋",
        en: "rice cooker",
        model: "RC-3",
        serial: "RC3",
        symptoms: &[("煮出来的饭底部总是糊的", "the rice always burns at the bottom")],
    },
    Product {
        zh: "空调",
        hant: "冷氣機",
        en: "air conditioner",
        model: "KF-35",
        serial: "KF35",
        symptoms: &[("制冷效果很差，开了一小时房间还是很热", "it barely cools the room")],
    },
];
