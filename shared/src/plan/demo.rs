//! The demo street's six contingency plans, written as a street office writes them.

use super::{DistrictItem, Level, LevelPlan, PlanBody, PlanTask, Target};

fn post(name: &str, instruction: &str, due_minutes: i64, checklist: &[&str]) -> PlanTask {
    PlanTask {
        target: Target::Post(name.into()),
        instruction: instruction.into(),
        due_minutes,
        checklist: checklist.iter().map(|c| c.to_string()).collect(),
    }
}

fn grid(instruction: &str, due_minutes: i64, checklist: &[&str]) -> PlanTask {
    PlanTask {
        target: Target::PlaceGrid,
        instruction: instruction.into(),
        due_minutes,
        checklist: checklist.iter().map(|c| c.to_string()).collect(),
    }
}

fn district(title: &str, ask: &str, due_minutes: i64) -> DistrictItem {
    DistrictItem {
        title: title.into(),
        ask: ask.into(),
        due_minutes,
    }
}

fn level(
    level: Level,
    condition: &str,
    tasks: Vec<PlanTask>,
    district: Vec<DistrictItem>,
) -> LevelPlan {
    LevelPlan {
        level,
        condition: condition.into(),
        tasks,
        district,
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The name of the plan the 28 March story activates.
pub const TOURISM_DISPUTE: &str = "重大旅游消费纠纷处置预案";

/// The six plans, in the order the plan list shows them.
pub fn plans() -> Vec<PlanBody> {
    vec![
        PlanBody {
            name: TOURISM_DISPUTE.into(),
            kind: "社会安全".into(),
            categories: strings(&["consumer", "order.crowd"]),
            trigger: "古镇景区内发生游客与商户之间的消费纠纷，引发人员聚集围观、网络传播或冲突苗头"
                .into(),
            levels: vec![
                level(
                    Level::Iv,
                    "纠纷引发 50 人以上围观，或视频 AI 报告人员聚集经网格员核实属实",
                    vec![
                        post(
                            "宣传统战",
                            "开展网络舆情搜索研判，发现相关帖文及时报告并做好引导",
                            30,
                            &["检索微博、抖音、本地论坛", "形成舆情简报报指挥中心"],
                        ),
                        post(
                            "城市管理",
                            "疏散围观人员，维护现场通行秩序",
                            30,
                            &["设置临时隔离带", "疏散围观群众"],
                        ),
                        post(
                            "综合执法",
                            "到场核查纠纷事实，固定证据",
                            30,
                            &["询问双方当事人", "调取商户监控并拍照取证"],
                        ),
                        post(
                            "市场监管",
                            "依法调解消费纠纷，核查商品价格与质量",
                            30,
                            &["核对明码标价", "现场调解并记录结果"],
                        ),
                        post(
                            "文旅服务",
                            "安抚游客情绪，联系旅行社或导游协助",
                            30,
                            &["安抚当事游客", "提供休息和饮水"],
                        ),
                        post(
                            "派出所",
                            "到场警戒，防止冲突升级，必要时依法处置",
                            15,
                            &["民警到场", "劝离滋事人员"],
                        ),
                    ],
                    vec![
                        district(
                            "食品质量检测",
                            "请区市场监管局对涉事商品抽样送检并反馈结果",
                            24 * 60,
                        ),
                        district(
                            "行政处罚决定",
                            "请区市场监管局对查实的违法行为依法作出处罚决定",
                            3 * 24 * 60,
                        ),
                        district("网络舆情管控", "请区委网信办协同处置相关网络舆情", 120),
                    ],
                ),
                level(
                    Level::Iii,
                    "围观超过 200 人，或出现肢体冲突、媒体到场",
                    vec![
                        post(
                            "平安建设",
                            "启动现场指挥部，协调各方力量",
                            20,
                            &["指定现场指挥员"],
                        ),
                        grid(
                            "网格员到场报告人员变化，引导群众有序离开",
                            15,
                            &["每 10 分钟报告一次人数"],
                        ),
                    ],
                    vec![],
                ),
                level(
                    Level::Ii,
                    "发生人员受伤或事态持续扩大",
                    vec![post("卫生健康", "调派医护人员和救护车到场待命", 15, &[])],
                    vec![district(
                        "区级联合处置",
                        "请区城运中心统筹区级部门到场联合处置",
                        60,
                    )],
                ),
            ],
            notify: strings(&["街道党工委书记", "街道办事处主任", "分管平安法治副主任"]),
        },
        PlanBody {
            name: "防范拥挤踩踏事故应急预案".into(),
            kind: "社会安全".into(),
            categories: strings(&["order.crowd"]),
            trigger: "节假日古镇游客瞬时密度过大，或视频 AI 报告重点部位人员聚集".into(),
            levels: vec![
                level(
                    Level::Iv,
                    "重点部位人员密度接近承载量",
                    vec![
                        post(
                            "文旅服务",
                            "启动景区限流，发布游览提示",
                            15,
                            &["景区入口限流", "广播提示分流"],
                        ),
                        post(
                            "城市管理",
                            "在古镇正街、码头设置单向通行和疏导点",
                            20,
                            &["设置疏导点", "清理占道"],
                        ),
                        post("派出所", "加派警力到入口和狭窄路段", 15, &[]),
                        grid("网格员到场报告人员密度和变化", 10, &[]),
                    ],
                    vec![],
                ),
                level(
                    Level::Iii,
                    "人员密度超过承载量或出现拥堵滞留",
                    vec![
                        post(
                            "应急管理",
                            "调集应急队伍，准备疏散通道",
                            20,
                            &["打开应急通道"],
                        ),
                        post("宣传统战", "发布分流信息，回应网络关切", 30, &[]),
                    ],
                    vec![district(
                        "交通管制",
                        "请区交巡警支队对周边道路实施临时交通管制",
                        30,
                    )],
                ),
            ],
            notify: strings(&["街道办事处主任", "分管平安法治副主任", "磁器口派出所所长"]),
        },
        PlanBody {
            name: "古镇消防应急预案".into(),
            kind: "事故灾难".into(),
            categories: strings(&["fire"]),
            trigger: "古镇木结构建筑区域发生火情，或烟感、视频 AI 报告烟火经核实".into(),
            levels: vec![
                level(
                    Level::Iv,
                    "初起火灾或烟感报警核实有烟",
                    vec![
                        post(
                            "消防救援站",
                            "立即出动，扑救初起火灾",
                            10,
                            &["出动消防车", "到场报告火情"],
                        ),
                        grid(
                            "网格员组织邻近住户撤离，引导消防车进入",
                            10,
                            &["敲门通知住户", "清理消防通道"],
                        ),
                        post("城市管理", "清理消防通道上的占道物品", 15, &[]),
                    ],
                    vec![],
                ),
                level(
                    Level::Iii,
                    "火势蔓延至相邻建筑",
                    vec![
                        post(
                            "应急管理",
                            "组织周边商户和游客疏散，设置警戒区",
                            15,
                            &["划定警戒区", "清点疏散人数"],
                        ),
                        post("卫生健康", "调派医护人员到场", 20, &[]),
                        post("派出所", "现场警戒和交通疏导", 15, &[]),
                    ],
                    vec![district("区级增援", "请区消防救援支队增派力量", 20)],
                ),
            ],
            notify: strings(&["街道党工委书记", "街道办事处主任", "分管安全副主任"]),
        },
        PlanBody {
            name: "防汛应急预案".into(),
            kind: "自然灾害".into(),
            categories: strings(&["flood"]),
            trigger: "嘉陵江磁器口站水位接近或超过警戒水位，或发布暴雨预警".into(),
            levels: vec![
                level(
                    Level::Iv,
                    "蓝色暴雨预警，低洼处积水",
                    vec![
                        post(
                            "应急管理",
                            "启动防汛值守，巡查沿江和低洼地段",
                            60,
                            &["24 小时值班", "巡查沿江商户"],
                        ),
                        post("城市管理", "疏通排水设施，处置道路积水", 60, &[]),
                        grid(
                            "网格员通知沿江商户和住户做好转移准备",
                            60,
                            &["逐户通知", "登记需协助转移人员"],
                        ),
                    ],
                    vec![],
                ),
                level(
                    Level::Iii,
                    "黄色预警，江水超过警戒水位",
                    vec![
                        post(
                            "社区治理",
                            "组织沿江住户转移，清点人数",
                            60,
                            &["先转移老弱病残", "逐户清点"],
                        ),
                        post(
                            "社会事务",
                            "开放安置点，保障转移群众食宿",
                            90,
                            &["开放安置点", "发放生活物资"],
                        ),
                        post("派出所", "设置卡点，劝离观潮人员", 30, &[]),
                    ],
                    vec![district(
                        "防汛物资",
                        "请区防汛办调拨沙袋、冲锋舟等物资",
                        120,
                    )],
                ),
                level(
                    Level::Ii,
                    "橙色预警，江水漫溢",
                    vec![post("卫生健康", "安置点医疗保障和防疫消杀", 120, &[])],
                    vec![],
                ),
                level(
                    Level::I,
                    "红色预警，超过保证水位",
                    vec![post("党建办", "组织党员突击队参与转移和值守", 60, &[])],
                    vec![district("区级统一指挥", "请区防汛抗旱指挥部统一指挥", 30)],
                ),
            ],
            notify: strings(&["街道党工委书记", "街道办事处主任", "区防汛办"]),
        },
        PlanBody {
            name: "地质灾害应急预案".into(),
            kind: "自然灾害".into(),
            categories: vec![],
            trigger: "连续强降雨后发现山体裂缝、滑坡、崩塌或房屋开裂".into(),
            levels: vec![level(
                Level::Iv,
                "发现地质灾害隐患点变化",
                vec![
                    grid(
                        "网格员到隐患点查看并拍照报告",
                        30,
                        &["拍照", "设置警示标志"],
                    ),
                    post("应急管理", "组织受威胁住户临时避让", 60, &[]),
                    post("社区治理", "安排避让住户临时住所", 120, &[]),
                ],
                vec![district(
                    "专业监测",
                    "请区规划自然资源局派专业人员监测评估",
                    24 * 60,
                )],
            )],
            notify: strings(&["街道办事处主任", "分管安全副主任"]),
        },
        PlanBody {
            name: "突发公共卫生事件应急预案".into(),
            kind: "公共卫生".into(),
            categories: strings(&["care.fall", "consumer.food"]),
            trigger: "景区或社区出现群体性不明原因疾病、食物中毒等".into(),
            levels: vec![level(
                Level::Iv,
                "3 人以上出现相同症状",
                vec![
                    post(
                        "卫生健康",
                        "组织医护人员救治，报告疾控机构",
                        15,
                        &["现场救治", "登记患者信息"],
                    ),
                    post("市场监管", "封存可疑食品，控制相关经营场所", 30, &[]),
                    post("宣传统战", "统一对外发布信息", 60, &[]),
                ],
                vec![district(
                    "流行病学调查",
                    "请区疾控中心开展流行病学调查",
                    120,
                )],
            )],
            notify: strings(&["街道办事处主任", "分管民生副主任"]),
        },
    ]
}
