//! Word lists for plausible, fictional Chinese names and places.

use super::rng::Rng;

/// Common surnames, most frequent first; the first ones are drawn more often.
const SURNAMES: [&str; 40] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余",
];

const GIVEN_MALE: [&str; 32] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "华", "建", "国", "平", "刚", "俊", "波",
    "辉", "鹏", "斌", "宇", "浩", "凯", "健", "林", "峰", "成", "志", "文", "德", "福", "昌", "川",
];

const GIVEN_FEMALE: [&str; 32] = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "红", "梅", "兰", "琴",
    "燕", "萍", "倩", "洁", "颖", "秀", "英", "莉", "佳", "欣", "蓉", "瑶", "珍", "凤", "桂", "淑",
];

/// A full name: a surname and one or two given-name characters.
pub fn person(rng: &mut Rng, male: bool) -> String {
    // Squaring the uniform draw favours the common surnames at the head of the list.
    let u = rng.unit();
    let surname = SURNAMES[((u * u) * SURNAMES.len() as f64) as usize];
    let pool: &[&str] = if male { &GIVEN_MALE } else { &GIVEN_FEMALE };
    if rng.chance(0.7) {
        format!("{surname}{}{}", rng.pick(pool), rng.pick(pool))
    } else {
        format!("{surname}{}", rng.pick(pool))
    }
}

/// The streets of the demo's old town (古镇), nearest the river.
pub const OLD_TOWN_STREETS: [&str; 6] = ["磁南街", "磁正街", "磁横街", "金碧正街", "宝善宫巷", "翰林院巷"];

/// Streets and roads of the newer residential quarters.
pub const NEW_STREETS: [&str; 10] = [
    "童家桥正街", "磁童路", "凤鸣山路", "嘉陵新路", "沙滨路", "杨公桥路", "小龙坎新街", "土湾路",
    "歌乐山路", "詹家溪路",
];

/// Residential compounds (小区) for building names.
pub const COMPOUNDS: [&str; 16] = [
    "嘉陵苑", "磁韵花园", "江景名都", "青瓦小区", "凤鸣雅居", "瓷都新城", "古镇人家", "临江公寓",
    "金碧华庭", "童家桥小区", "沙磁景苑", "滨江春晓", "宝轮苑", "沙坪新居", "红岩新村", "歌乐雅苑",
];

/// Shop name heads and their trades, as the old town has them.
pub const SHOPS: [(&str, &str); 16] = [
    ("陈麻花", "食品零售"),
    ("毛血旺", "餐饮"),
    ("千张", "餐饮"),
    ("火锅", "餐饮"),
    ("茶馆", "餐饮"),
    ("客栈", "住宿"),
    ("民宿", "住宿"),
    ("瓷器", "工艺品零售"),
    ("蜀绣", "工艺品零售"),
    ("糖画", "食品零售"),
    ("川剧茶楼", "文化娱乐"),
    ("土特产", "食品零售"),
    ("便利店", "零售"),
    ("药房", "医药零售"),
    ("理发店", "生活服务"),
    ("五金店", "零售"),
];

/// The communities (社区) of the demo street, west to east, river side first.
pub const COMMUNITIES: [&str; 6] = ["磁器口社区", "金碧社区", "横街社区", "童家桥社区", "凤鸣社区", "嘉陵社区"];

/// Numbering in Chinese for names like 第三网格.
pub fn chinese_ordinal(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[n % 10]),
        _ => format!("{}十{}", DIGITS[n / 10], if n % 10 == 0 { "" } else { DIGITS[n % 10] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(chinese_ordinal(3), "三");
        assert_eq!(chinese_ordinal(10), "十");
        assert_eq!(chinese_ordinal(16), "十六");
        assert_eq!(chinese_ordinal(30), "三十");
        assert_eq!(chinese_ordinal(33), "三十三");
    }

    #[test]
    fn names_are_two_or_three_characters() {
        let mut rng = Rng::new(5);
        for i in 0..200 {
            let n = person(&mut rng, i % 2 == 0).chars().count();
            assert!((2..=3).contains(&n));
        }
    }
}
