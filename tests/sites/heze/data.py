"""Article data of the fixture 菏泽日报 site: Founder new, template family "ii", GBK bytes declared gb2312.

The 2025-03-19 A1版 articles are the real (partly abridged) text of the seed front page
(/work/shared/seed/000_ded83a70d0bdf8dd.txt; 西海岸 news, fine as fixture text) with the hard wrapping undone
and bylines and datelines split off; everything else is written for the fixture in the same house style.

Pages are node_A1.html, node_A2.html, node_A3.html and node_A10.html (natural order A1 < A2 < A3 < A10, not
string order). It covers: a continuation A1版 → A2版 ("（下转A2版）"/"（上接A1版）"), 引题 + 副题, missing 副题,
an author only in the byline (site_author ""), a photo with caption, a 今日导读 box, a page whose title list
runs in reverse reading order (A3版: position follows the markup, so its list below is in markup order), a
notice without body (kind "notice"), characters outside GB2312 (镕 堃 喆). 2025-03-20 has no issue (404).
"""

from __future__ import annotations

from tests.sites.model import Article, Issue, Page

PAPER = "heze"
PAPER_NAME = "菏泽日报"
FAMILY = "ii"
ENCODING = "gbk"
FIRST_NODE = "node_A1.html"  # the platform default is node_01.html: a profile must say this

# A date inside the crawl range on which the site has no issue (answers 404).
MISSING_DATES = ["2025-03-20"]


# --- 2025-03-19 A1版: real text of the seed front page -------------------------------------------

MEETING = Article(
    key="3265101",
    title="孙永红会见交通银行青岛分行客人",
    authors=["仪博文"],
    site_author="仪博文",
    byline="□记者 仪博文 报道",
    dateline="本报3月18日讯",
    paragraphs=[
        "今天上午，西海岸新区工委书记、区委书记孙永红会见了交通银行青岛分行党委书记周曦一行。",
        "孙永红对客人的到来表示欢迎，并简要介绍了新区经济社会发展情况。他说，作为青岛经济发展的龙头，新区经济"
        "体量大、工业经济强、民营经济活跃。近年来，新区金融业呈现快速发展态势，各类金融业态加速集聚，金融规模"
        "总量持续扩大，为新区高质量发展注入了源源不断的金融“活水”。希望交通银行青岛分行在双方良好合作基础上，"
        "继续加大对新区科技创新、城市更新建设、普惠金融等领域的关注和支持，进一步拓展合作的广度和深度。我们将"
        "为包括交通银行青岛分行在内的广大金融机构在新区发展提供优质服务，推动互利共赢。",
        "周曦表示，交通银行青岛分行将继续发挥自身优势，深入对接新区发展所需，不断创新金融产品和服务模式，更好"
        "助力新区高质量发展。",
    ],
)

SERVICE_POINT = Article(
    key="3265102",
    title="“资源延伸·网点办”便民服务网点启用",
    authors=["丁霞"],
    site_author="",
    byline="□记者 丁霞 报道",
    dateline="本报讯",
    paragraphs=[
        "3月14日，青岛市氢能产业园第二次集中签约暨重点项目投产（启用）活动举行，氢能大厦、氢能国际会客厅正式"
        "启用。位于氢能大厦的氢能产业园便民服务点同步启用，这也是西海岸新区首个启用的“资源延伸·网点办”便民服务"
        "网点。",
        "青岛市氢能产业园是新区四个新兴产业专业园区之一。泊里镇立足产业园区发展实际，紧扣企业办事需求，高标准"
        "建设氢能产业园便民服务点，将百余个高频事项归为“氢能产业园特色服务一件事”，持续拓展“高效办成一件事”服"
        "务场景。服务点配备电脑、打印机等硬件设备，制定标准化工作指引和办事指南，搭建起流程明晰、操作简捷的服"
        "务体系；推行“肩并肩”服务模式，从“面对面”受理到“肩并肩”帮办，让企业群众办事实现“少跑腿”“零跑腿”；通过"
        "“一站式”服务，搭建跨层级、跨领域政务服务联动机制，通过常规业务“就地办”、",
    ],
    jump_to="A2版",
    continues="3265104",
)

PROJECTS = Article(
    key="3265103",
    pretitle="董家口经济区召开“项目攻坚年”动员大会，发起“五大攻坚行动”",
    title="以项目之“进”聚发展之“势”",
    subtitle="加快打造全市高质量发展重要增长极、循环经济区、绿色新港城",
    authors=["董梅雪"],
    site_author="董梅雪",
    byline="□本报记者 董梅雪",
    paragraphs=[
        "3月18日，青岛董家口经济区“项目攻坚年”动员大会召开。这场以“项目攻坚”为主题的大会，既发出了全面贯彻党"
        "的二十大和二十届二中、三中全会精神，认真落实省、市决策部署的“动员令”，更敲响了助力“品质西海岸”建设，"
        "打造全市高质量发展重要增长极、循环经济区、绿色新港城的出征战鼓。",
        "会上发布了《青岛董家口经济区“项目攻坚年”工作方案》，并对《青岛董家口经济区容错纠错工作办法》进行了解"
        "读，前者以“五大攻坚行动”“12项攻坚任务”明确全年作战路径，后者以制度温情为担当者撑腰壮胆。会上，董家口"
        "经济区投资促进部、公共服务部、项目推进专班以及董发集团作出精准招商、靠前服务、提升作风的铿锵表态，进"
        "一步彰显了“闯”的锐气、“拼”的斗志，奏响了“大抓项目、抓大项目”的最强音。",
        "“1531”思路锚定发展航向",
        "破题之钥",
        "“项目攻坚是破局高质量发展的关键抓手。”动员大会上，区委副书记，董家口经济区工委书记、管委主任毛军响开"
        "宗明义。",
        "会议明确了2025年董家口经济区的“1531”发展思路：锚定打造全市高质量发展重要增长极、循环经济区、绿色新港"
        "城一个目标，实施招大引强、产业提质、港口升级、平台搭建、城市更新五大攻坚行动，强化新区意识、优化营商"
        "环境、提升作风能力三项保障措施，守牢安全、环保、廉政等一排底线。",
        "这一思路既是对标中央和省、市、区战略的顶层设计，亦是立足经济区实际的解题之道。",
        "“五大行动”挂出作战图",
        "攻坚之道",
        "项目攻坚是董家口经济区高质量发展的制胜之策、关键之举。攻坚，往哪里攻？着力点在哪儿？",
        "港口升级攻坚行动，对照《青岛国际航运中心建设三年行动方案（2024-2026年）》任务要求，建立重点项目库，"
        "实行顶格协调、顶格推进，全力推动董家口港区550余亿元重点项目投资尽快释放，当好世界级海洋港口群建设主"
        "力军。",
        "平台搭建攻坚行动，一是培育拓展平台载体，围绕培育新质生产力，按照“产学研用”融合的思路，搭建科技创新、"
        "产业孵化平台，加快构建研发、中试、科技成果转化的全链条科技创新体系；二是加快现有平台开发，进一步提升"
        "绿色低碳新材料新兴产业专业园区发展水平；三是优化平台投资管理，激发各类主体投资活力，加快平台开发建设。",
    ],
    jump_to="A2版",
    continues="3265105",
)

# --- 2025-03-19 A2版 ------------------------------------------------------------------------------

SERVICE_POINT_CONT = Article(
    key="3265104",
    title="“资源延伸·网点办”便民服务网点启用",
    authors=[],  # the continued half prints no byline; its author is on the first half
    paragraphs=[
        "特殊业务“帮代办”、复杂业务“协同办”，让企业群众在家门口就能办成事、办好事。",
        "据了解，便民服务点启用以来，已为园区企业提供营业执照变更、社保登记、税务申报等咨询和帮办服务60余件次，"
        "企业办事平均用时缩短一半以上。",
        "下一步，泊里镇将持续完善便民服务点服务功能，动态调整服务事项清单，推动更多涉企服务事项向园区延伸。",
    ],
    jump_from="A1版",
    continues="3265102",
)

PROJECTS_CONT = Article(
    key="3265105",
    title="以项目之“进”聚发展之“势”",
    authors=[],
    paragraphs=[
        "城市更新攻坚行动，聚焦完善城市功能、提升城市品质，加快推进道路、管网、公园绿地等基础设施建设，让港城"
        "融合发展成果更多更公平惠及群众。",
        "“我们将把项目攻坚作为检验作风能力的主战场，全员进一线、全力抓项目，确保各项攻坚任务按月推进、按季见效。”"
        "董家口经济区相关负责人表示。",
    ],
    jump_from="A1版",
    continues="3265103",
)

PEONY = Article(
    key="3265106",
    title="曹州牡丹园迎来首批赏花游客",
    authors=["赵堃"],
    site_author="赵堃",
    byline="□记者 赵堃 报道",
    dateline="本报讯",
    paragraphs=[
        "3月18日，曹州牡丹园内早开品种陆续绽放，吸引不少市民和外地游客前来踏青赏花。",
        "“每年这个时候都来看看，今年的花开得比往年早一些。”来自济南的游客张女士说。",
        "据介绍，今年牡丹文化旅游节将于4月上旬开幕，园区新增夜游、非遗展演等项目，并推出线上预约购票服务。",
    ],
    images=[("pc/pic/202503/19/pic_3265106_1.jpg", "3月18日，游客在曹州牡丹园赏花拍照。□记者 赵堃 摄")],
)

# --- 2025-03-19 A3版: the title list runs bottom-up (reverse reading order); listed here in MARKUP order --

VOLUNTEERS = Article(
    key="3265109",
    title="志愿服务进社区 文明新风润民心",
    authors=["王喆"],
    site_author="王喆",
    byline="□通讯员 王喆 报道",
    paragraphs=[
        "近日，牡丹区西城街道组织志愿者走进辖区各小区，开展义诊、义剪、家电维修等志愿服务活动。",
        "活动现场，志愿者们耐心为居民测量血压、讲解健康知识，维修小家电30余件，受到居民欢迎。",
        "街道相关负责人表示，将持续深化新时代文明实践，推动志愿服务常态化、制度化。",
    ],
)

FARMING = Article(
    key="3265108",
    title="春耕时节农事忙",
    authors=[],
    site_author="",
    paragraphs=[
        "眼下正值春耕备耕关键时期，各县区抢抓农时，田间地头处处呈现出一派繁忙景象。",
        "在郓城县的小麦种植基地，农技人员正指导种植户开展镇压划锄、追肥浇水等田间管理。“今年小麦长势不错，"
        "只要后期管理跟得上，丰收有盼头。”种植户王师傅说。",
        "为保障春耕生产顺利开展，农业农村部门组织农技人员深入田间地头，开展技术指导和农资质量检查。",
    ],
)

TRAINING = Article(
    key="3265107",
    pretitle="聚焦重点群体 精准对接岗位",
    title="我市启动春季职业技能培训",
    subtitle="计划培训城乡劳动者2万人次",
    authors=["陈镕", "刘洋"],
    site_author="陈镕 刘洋",
    byline="□记者 陈镕 通讯员 刘洋 报道",
    dateline="本报3月18日讯",
    paragraphs=[
        "今天，我市2025年春季职业技能培训启动仪式在市公共实训基地举行。",
        "今年春季，我市将围绕高端装备、生物医药、家政服务等重点领域，开设电工、焊工、养老护理员等30余个工种的"
        "培训班，计划培训城乡劳动者2万人次。",
        "市人社局相关负责人介绍，培训结束后将组织专场招聘会，推动培训与就业有效衔接。",
    ],
)

# --- 2025-03-19 A10版: legal notices ----------------------------------------------------------------

LOST_NOTICE = Article(
    key="3265110",
    title="遗失声明",
    paragraphs=[],
    kind="notice",
)

ISSUE_0319 = Issue(
    date="2025-03-19",
    enpproperty=False,
    pages=[
        Page(
            node="node_A1.html",
            page_no="A1",
            page_name="要闻",
            guide=["曹州牡丹园迎来首批赏花游客", "我市启动春季职业技能培训"],
            articles=[MEETING, SERVICE_POINT, PROJECTS],
        ),
        Page(node="node_A2.html", page_no="A2", page_name="要闻",
             articles=[SERVICE_POINT_CONT, PROJECTS_CONT, PEONY]),
        Page(node="node_A3.html", page_no="A3", page_name="综合", articles=[VOLUNTEERS, FARMING, TRAINING]),
        Page(node="node_A10.html", page_no="A10", page_name="公告", pdf=False, articles=[LOST_NOTICE]),
    ],
)


# --- 2025-03-21 -----------------------------------------------------------------------------------

RAIL_STATION = Article(
    key="3266101",
    title="鲁南高铁菏泽东站旅客发送量稳步增长",
    authors=["孙晓"],
    site_author="孙晓",
    byline="□记者 孙晓 报道",
    dateline="本报讯",
    paragraphs=[
        "记者从菏泽东站获悉，今年以来，车站累计发送旅客同比增长一成以上，开往济南、北京、上海方向的列车客座率"
        "保持高位。",
        "为方便旅客出行，车站增设自助取票、爱心服务等设施，推出“无陪儿童”“重点旅客”预约服务。",
        "车站相关负责人表示，将根据客流变化及时增开临客，全力保障旅客平安有序出行。",
    ],
)

FOOD_FAIR = Article(
    key="3266102",
    title="菏泽特色农产品展销会开幕",
    authors=["李晓"],
    site_author="",
    byline="□记者 李晓 报道",
    dateline="本报3月20日讯",
    paragraphs=[
        "今天，菏泽特色农产品展销会在市会展中心开幕，200余家企业携牡丹籽油、单县羊肉汤、曹县芦笋等特色产品参展。",
        "展销会设置线上直播带货专区，邀请网络主播现场推介，首日线上线下成交额超过500万元。",
        "近年来，我市持续擦亮农产品区域公用品牌，推动农业增效、农民增收。",
    ],
)

LIBRARY = Article(
    key="3266103",
    title="市图书馆推出“周末亲子共读”活动",
    authors=["刘洋"],
    site_author="刘洋",
    byline="□记者 刘洋 报道",
    paragraphs=[
        "每逢周末，市图书馆少儿阅览室里书声琅琅。今年起，市图书馆推出“周末亲子共读”活动，每期邀请专业阅读推广人"
        "带领家长和孩子一起读绘本、做手工。",
        "活动开展以来，已举办12期，吸引500余组家庭参加。",
        "市图书馆相关负责人表示，将持续丰富活动形式，让阅读成为更多家庭的生活方式。",
    ],
)

ISSUE_0321 = Issue(
    date="2025-03-21",
    enpproperty=False,
    pages=[
        Page(node="node_A1.html", page_no="A1", page_name="要闻", articles=[RAIL_STATION, FOOD_FAIR]),
        Page(node="node_A2.html", page_no="A2", page_name="综合", articles=[LIBRARY]),
    ],
)

ISSUES = [ISSUE_0319, ISSUE_0321]
