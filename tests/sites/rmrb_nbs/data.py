"""Article data of the fixture 人民日报 "nbs era" e-paper site (the layout used until Dec 2024).

Written in the paper's house style, not copied from it: national news with 本报 / 新华社 datelines,
bylines in the h4 author line and/or the first body paragraph, a photo with caption, an article
continued from 01 to 04版, a 今日导读 box, an ad, and names outside GB2312 (镕 堃 喆).
2024-11-29 is written in GBK declared as gb2312, 2024-11-30 in UTF-8; 2024-11-28 has no issue (404).
"""

from __future__ import annotations

from tests.sites.model import Article, Issue, Page

PAPER = "rmrb-nbs"
PAPER_NAME = "人民日报"
SITE_CODE = "D110000renmrb"  # the node / article file name code: nbs.{code}_NN.htm, nw.{code}_{ymd}_K-NN.htm
FILE_PREFIX = "rmrb"  # page scans and PDFs: rmrb{YYYYMMDD}{NN}.pdf

# A date inside the crawled range on which the site has no issue (its first page answers 404).
MISSING_DATES = ["2024-11-28"]

# The byte encoding of each issue's files (GBK pages declare gb2312, the real-world lie).
ENCODINGS = {"2024-11-29": "gbk", "2024-11-30": "utf-8"}


def node(page_no: str) -> str:
    """The page file name, e.g. nbs.D110000renmrb_01.htm."""
    return f"nbs.{SITE_CODE}_{page_no}.htm"


# --- 2024-11-29 (GBK) -----------------------------------------------------------------------------

WINTER_1_01 = Article(
    key="1-01",
    pretitle="坚持以人民为中心 推动高质量发展",
    title="各地扎实做好冬季民生保障工作",
    subtitle="供暖保障有力 市场供应充足 群众温暖过冬",
    authors=["王浩", "刘诗瑶"],
    site_author="本报记者 王浩 刘诗瑶",
    byline="本报记者 王浩 刘诗瑶",
    dateline="本报北京11月28日电",
    paragraphs=[
        "入冬以来，各地区各部门认真贯彻落实党中央、国务院决策部署，统筹抓好能源保供、市场稳价、"
        "困难群众帮扶等工作，切实保障人民群众温暖过冬。",
        "在北方采暖地区，各供热企业提前完成管网检修和设备调试，多地根据气温变化提前启动供暖。"
        "国家发展改革委有关负责人表示，今冬明春能源供应总体有保障，将加强煤炭、天然气产供储销"
        "体系建设，守牢民生用能底线。",
        "各地还加大“菜篮子”产品保供稳价力度。商务部数据显示，全国重点监测的蔬菜、猪肉、鸡蛋等"
        "生活必需品供应充足，价格总体平稳。",
        "民政部门持续开展冬季困难群众走访慰问，及时将符合条件的人员纳入救助范围。专家认为，做好"
        "冬季民生保障，是推动高质量发展、增进民生福祉的应有之义。",
    ],
    images=[
        (
            "pic/2024-11/29/01/rmrb2024112901p1_b.jpg",
            "11月27日，河北省石家庄市一家热力公司工作人员在检修供热设备。新华社记者 杨世尧摄",
        )
    ],
)

SCIENCE_2_01 = Article(
    key="2-01",
    title="我国科技创新能力持续提升",
    authors=["张泉", "温竞华"],
    site_author="新华社记者 张泉 温竞华",
    dateline="新华社北京11月28日电",
    jump_to="第四版",
    continues="1-04",
    paragraphs=[
        "记者从科技部获悉，我国全社会研发经费投入持续增长，基础研究投入占比稳步提高，"
        "一批重大科技成果相继涌现，国家创新体系整体效能不断增强。",
        "今年以来，嫦娥六号完成人类首次月球背面采样返回，量子计算、人工智能、生物医药等领域"
        "取得一系列突破。科技部有关负责人说，我们将坚持把科技自立自强",
    ],
)

BRIEF_3_01 = Article(
    key="3-01",
    title="全国冬季森林草原防灭火工作电视电话会议召开",
    dateline="本报讯",
    paragraphs=[
        "全国冬季森林草原防灭火工作电视电话会议11月28日召开。会议要求，各地区各有关部门要压紧压实"
        "防灭火责任，强化火源管控和隐患排查，确保人民群众生命财产安全。",
        "会议强调，要加强监测预警和应急值守，做好扑火力量和物资装备准备，坚持打早、打小、打了，"
        "坚决防范遏制重特大森林草原火灾发生。",
        "应急管理部、国家林草局有关负责同志作了部署。",
    ],
)

FARMER_1_02 = Article(
    key="1-02",
    title="李家喆：扎根乡村的“新农人”",
    authors=["李晓堃"],
    site_author="",
    byline="本报记者 李晓堃",
    dateline="本报长沙11月28日电",
    paragraphs=[
        "清晨六点，湖南省浏阳市一处智慧农业大棚里，90后“新农人”李家喆已经开始查看手机上的"
        "温湿度数据。大学毕业后，他放弃城市工作回到家乡，流转土地200多亩种植蔬菜。",
        "“种地也要讲科学。”李家喆说，借助物联网设备，大棚的灌溉、施肥都能远程控制，"
        "人工成本降低了三成。去年，合作社销售收入突破300万元，带动周边40多户村民增收。",
        "当地农业农村部门负责人介绍，近年来浏阳持续完善返乡创业扶持政策，已吸引2000多名青年"
        "回乡创业，为乡村全面振兴注入新活力。",
    ],
)

JJJ_2_02 = Article(
    key="2-02",
    title="京津冀协同发展取得新成效",
    authors=["陈镕", "贺勇"],
    site_author="本报记者 陈镕 贺勇",
    dateline="本报北京11月28日电",
    paragraphs=[
        "记者从京津冀协同发展领导小组办公室获悉，今年前三季度，京津冀地区生产总值合计超过"
        "8万亿元，区域交通一体化、生态环境联防联治、产业协同发展取得新进展。",
        "“轨道上的京津冀”加快形成，三地间日均开行城际列车数量持续增加；北京·天津两地"
        "企业在河北设立分支机构超过1万家。",
        "下一步，三地将聚焦推动高质量发展，深化科技创新和产业协同，携手打造中国式现代化"
        "建设的先行区、示范区。",
    ],
)

INDUSTRY_1_03 = Article(
    key="1-03",
    title="前10个月全国规模以上工业增加值同比增长5.8%",
    authors=["丁怡婷"],
    site_author="本报记者 丁怡婷",
    byline="本报记者 丁怡婷",
    dateline="本报北京11月28日电",
    paragraphs=[
        "国家统计局日前发布数据，1—10月份，全国规模以上工业增加值同比增长5.8%，"
        "装备制造业和高技术制造业增加值分别增长7.7%和9.1%，持续发挥引领作用。",
        "分产品看，新能源汽车、集成电路、工业机器人等产品产量保持较快增长。"
        "国家统计局有关负责人表示，工业生产总体平稳，新动能加快成长。",
        "业内人士认为，随着一揽子增量政策落地见效，市场预期逐步改善，"
        "工业经济有望保持回升向好态势，为高质量发展提供有力支撑。",
    ],
)

PROJECTS_2_03 = Article(
    key="2-03",
    title="国家发展改革委：加快推进重大项目建设",
    authors=["魏玉坤"],
    site_author="新华社记者 魏玉坤",
    byline="新华社记者 魏玉坤",
    dateline="新华社北京11月28日电",
    paragraphs=[
        "国家发展改革委有关负责人28日在新闻发布会上表示，将加快推进“两重”建设项目实施，"
        "推动中央预算内投资和超长期特别国债项目尽快形成实物工作量。",
        "这位负责人说，截至目前，今年增加的1000亿元中央预算内投资已全部下达，"
        "重点支持城市地下管网、防洪排涝等领域建设。",
        "下一步，国家发展改革委将加强项目调度，及时协调解决项目推进中的困难和问题。",
    ],
)

SCIENCE_1_04 = Article(
    key="1-04",
    title="我国科技创新能力持续提升",
    authors=["张泉", "温竞华"],
    site_author="新华社记者 张泉 温竞华",
    jump_from="第一版",
    continues="2-01",
    paragraphs=[
        "作为国家发展的战略支撑，加快建设科技强国，以科技创新引领新质生产力发展。",
        "据介绍，我国已建成全球规模最大的研发人员队伍，企业研发投入占全社会研发投入比重超过"
        "四分之三，企业科技创新主体地位进一步巩固。",
    ],
)

AD_2_04 = Article(
    key="2-04",
    title="广告",
    kind="ad",
    paragraphs=[],
    images=[("pic/2024-11/29/04/rmrb2024112904p2_b.jpg", "")],
)

ISSUE_2024_11_29 = Issue(
    date="2024-11-29",
    enpproperty=False,
    pages=[
        Page(
            node=node("01"),
            page_no="01",
            page_name="要闻",
            articles=[WINTER_1_01, SCIENCE_2_01, BRIEF_3_01],
            guide=[
                "李家喆：扎根乡村的“新农人”（2版）",
                "前10个月全国规模以上工业增加值同比增长5.8%（3版）",
                "国家发展改革委：加快推进重大项目建设（3版）",
            ],
        ),
        Page(node=node("02"), page_no="02", page_name="要闻", articles=[FARMER_1_02, JJJ_2_02]),
        Page(node=node("03"), page_no="03", page_name="经济", articles=[INDUSTRY_1_03, PROJECTS_2_03]),
        Page(node=node("04"), page_no="04", page_name="要闻", articles=[SCIENCE_1_04, AD_2_04]),
    ],
)

# --- 2024-11-30 (UTF-8) ---------------------------------------------------------------------------

JOBS_1_01 = Article(
    key="1-01",
    title="各地多措并举稳就业促增收",
    authors=["李心萍"],
    site_author="本报记者 李心萍",
    byline="本报记者 李心萍",
    dateline="本报北京11月29日电",
    paragraphs=[
        "记者从人力资源和社会保障部获悉，今年以来，各地认真落实就业优先政策，"
        "1—10月全国城镇新增就业1100万人以上，就业形势总体稳定。",
        "各地聚焦高校毕业生、农民工等重点群体，密集举办招聘活动，加大职业技能培训力度。"
        "“家门口就业”服务站点遍布城乡社区，让求职者少跑腿、好就业。",
        "人社部有关负责人表示，将持续强化就业公共服务，推动就业与高质量发展良性互动，"
        "确保就业局势保持稳定。",
    ],
)

FORUM_2_01 = Article(
    key="2-01",
    pretitle="携手构建人类命运共同体",
    title="中外嘉宾共话全球发展合作",
    authors=["许可", "王卓伦"],
    site_author="新华社记者 许可 王卓伦",
    byline="新华社记者 许可 王卓伦",
    dateline="新华社北京11月29日电",
    paragraphs=[
        "以“共享机遇 共促发展”为主题的全球发展合作论坛29日在北京开幕，来自50多个国家和地区"
        "以及国际组织的代表参加论坛。",
        "与会嘉宾表示，中华人民共和国提出的全球发展倡议契合各国特别是发展中国家的共同期待，"
        "为推动落实联合国2030年可持续发展议程注入强劲动力。",
        "论坛期间，各方围绕减贫、粮食安全、数字经济等议题开展交流，并发布了一批务实合作成果。",
        "多位外方代表说，期待同中方深化合作，共同推动全球发展事业行稳致远。",
    ],
)

FIRE_1_02 = Article(
    key="1-02",
    title="国家森林草原防灭火指挥部部署冬季防火工作",
    dateline="本报讯",
    paragraphs=[
        "国家森林草原防灭火指挥部近日印发通知，要求各地针对今冬明春火险形势，"
        "严格落实防灭火责任制，强化野外火源治理，扎实做好各项防灭火准备。",
        "通知要求，各地要加强重点时段、重点区域巡护管控，充实基层扑火力量，"
        "提高快速反应和科学扑救能力。",
        "据了解，今年以来全国森林草原火灾发生次数和受害面积同比均明显下降。",
    ],
)

HEATING_2_02 = Article(
    key="2-02",
    title="北京冬季供暖平稳运行",
    authors=["贺勇"],
    site_author="本报记者 贺勇",
    dateline="本报北京11月29日电",
    images=[
        (
            "pic/2024-11/30/02/rmrb2024113002p2_b.jpg",
            "11月29日，北京市朝阳区一处供热厂内，工作人员在巡检设备。本报记者 贺勇摄",
        )
    ],
    paragraphs=[
        "记者从北京市城市管理委员会获悉，今年北京提前启动供暖，全市供热系统运行平稳，"
        "居民室温普遍达到标准要求。",
        "为保障群众温暖过冬，北京供热企业开展“访民问暖”活动，上门排查室温不达标等问题，"
        "接诉即办，及时处置群众反映的供热诉求。",
        "北京市城市管理委员会有关负责人表示，将加强能源调度，确保整个供暖季安全稳定运行。",
    ],
)

COMMENT_1_03 = Article(
    key="1-03",
    title="以高质量发展推动中国式现代化",
    authors=["何鼎鼎"],
    site_author="何鼎鼎",  # a signed comment: the name only in the h4 line, not in the body
    paragraphs=[
        "高质量发展是全面建设社会主义现代化国家的首要任务。中华人民共和国成立75年来，"
        "我国经济社会发展取得举世瞩目的成就，发展方式正在发生深刻变化。",
        "推动高质量发展，必须完整、准确、全面贯彻新发展理念，因地制宜发展新质生产力，"
        "加快构建新发展格局。",
        "实践证明，只要坚定不移走自己的路，就一定能够把宏伟蓝图一步步变为美好现实。",
    ],
)

CIVILITY_2_03 = Article(
    key="2-03",
    title="让文明新风浸润百姓生活",
    authors=["孙喆"],
    site_author="孙喆",
    paragraphs=[
        "走进各地城乡社区，志愿服务、邻里互助蔚然成风，移风易俗深入人心。"
        "文明实践活动越来越贴近群众需求，成为凝聚人心的重要载体。",
        "培育文明新风，既要久久为功，也要创新方式方法，让群众在参与中感受文明、践行文明。",
        "点滴善举汇聚成河，社会文明程度必将不断提升。",
    ],
)

ISSUE_2024_11_30 = Issue(
    date="2024-11-30",
    enpproperty=False,
    pages=[
        Page(
            node=node("01"),
            page_no="01",
            page_name="要闻",
            articles=[JOBS_1_01, FORUM_2_01],
            guide=["北京冬季供暖平稳运行（2版）", "以高质量发展推动中国式现代化（3版）"],
        ),
        Page(node=node("02"), page_no="02", page_name="要闻", articles=[FIRE_1_02, HEATING_2_02]),
        Page(node=node("03"), page_no="03", page_name="评论", articles=[COMMENT_1_03, CIVILITY_2_03], pdf=False),
    ],
)

ISSUES = [ISSUE_2024_11_29, ISSUE_2024_11_30]
