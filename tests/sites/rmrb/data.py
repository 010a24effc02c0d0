"""Article data of the fixture 人民日报 site: Founder new, template family "i", honest UTF-8.

The text is written for the fixture in the paper's house style (no real events are reported). It covers:
引题 + 副题 on one article, no 副题 on most; an article whose authors are only in the byline (site_author "");
bylines "本报记者 …" and "（记者 … 通讯员 …）"; datelines "本报北京3月17日电" / "新华社北京3月17日电"; a photo
with caption and an advertisement photo without one; a continuation 01版 → 04版; a 今日导读 box on 01版;
an advertisement (kind "ad"); characters outside GB2312 (镕 堃 喆). 2025-03-20 has no issue (404).
"""

from __future__ import annotations

from tests.sites.model import Article, Issue, Page

PAPER = "rmrb"
PAPER_NAME = "人民日报"
FAMILY = "i"
ENCODING = "utf-8"

# A date inside the crawl range on which the site has no issue (answers 404).
MISSING_DATES = ["2025-03-20"]


# --- 2025-03-18: articles carry the enpproperty comment ------------------------------------------

SPRING_FARMING = Article(
    key="30061001",
    pretitle="全国春耕生产由南向北梯次展开",
    title="春耕备耕有序推进 粮食生产开局良好",
    subtitle="——来自多地春耕一线的蹲点观察",
    authors=["李晓明", "王雨萌"],
    site_author="本报记者 李晓明 王雨萌",
    byline="本报记者 李晓明 王雨萌",
    dateline="本报北京3月17日电",
    paragraphs=[
        "时下，从华南的早稻秧田到江淮的冬小麦田，从西南的油菜花海到东北的育秧大棚，全国春耕生产由南向北梯次"
        "展开，农资供应充足，农机整装待发，农技服务下沉到田间地头。",
        "农业农村部最新农情调度显示，全国冬小麦苗情好于上年同期，一二类苗比例达到近年较高水平。南方早稻育秧"
        "进度过半，各地正抢抓晴好天气加快大田移栽。",
        "“今年我们合作社流转的1200亩地全部用上了统一供种、统一机播。”江西南昌县一家农机合作社负责人说，"
        "智能育秧工厂一次能育出够3000亩大田用的秧苗，比传统方式节省人工一半以上。",
        "记者在多地采访了解到，各地把稳定粮食播种面积作为首要任务，压实耕地保护和粮食安全责任，推动良田、良种、"
        "良机、良法集成配套，为全年粮食丰收打下坚实基础。",
    ],
    jump_to="第四版",
    continues="30061010",
)

INDUSTRY = Article(
    key="30061002",
    title="1—2月份规模以上工业增加值同比增长5.9%",
    authors=["王鹏", "陈喆"],
    site_author="",
    byline="（记者 王鹏 通讯员 陈喆）",
    dateline="新华社北京3月17日电",
    paragraphs=[
        "国家统计局17日发布数据，1—2月份，全国规模以上工业增加值同比增长5.9%，比上年全年加快0.1个百分点。"
        "分三大门类看，采矿业增长4.3%，制造业增长6.9%。",
        "高技术制造业增势较好。1—2月份，规模以上高技术制造业增加值同比增长9.1%，其中集成电路、工业机器人、"
        "新能源汽车等产品产量保持两位数增长。",
        "国家统计局新闻发言人表示，开年以来，宏观政策协同发力，国民经济起步平稳，工业生产稳中有进，新动能"
        "持续成长，但也要看到外部环境不确定性依然较多。",
    ],
)

WATER_DIVERSION = Article(
    key="30061003",
    title="南水北调中线春季调水全面启动",
    authors=["刘堃"],
    site_author="刘堃",
    byline="本报记者 刘堃",
    dateline="本报郑州3月17日电",
    paragraphs=[
        "17日上午，随着陶岔渠首闸门缓缓开启，南水北调中线工程2025年春季调水全面启动，清澈的丹江水一路向北，"
        "奔向豫冀津京沿线受水区。",
        "据介绍，今年春季调水计划向沿线省市供水约30亿立方米，并相机向白洋淀等河湖实施生态补水，助力华北地区"
        "地下水超采综合治理。",
        "中线工程通水以来，已累计向北方调水超过600亿立方米，直接受益人口超过1亿人，沿线城市供水保证率明显"
        "提高，受水区地下水水位持续回升。",
    ],
    images=[("pc/pic/202503/18/9f3c1a7e-2b4d-4e61-8a0b-5c6d7e8f9a01.jpg",
             "3月17日，南水北调中线工程陶岔渠首枢纽开闸放水。本报记者 刘堃摄")],
)

CONSUMPTION = Article(
    key="30061004",
    title="以更实举措激发消费活力",
    authors=["赵家豪"],
    site_author="赵家豪",
    byline="本报记者 赵家豪",
    dateline="本报北京3月17日电",
    paragraphs=[
        "记者从商务部获悉，今年以来，各地围绕服务消费、以旧换新、县域商业等重点，推出一批务实管用的促消费"
        "举措，消费市场总体平稳向好。",
        "1—2月份，社会消费品零售总额同比增长4.0%，比上年全年加快0.5个百分点。家用电器和音像器材类、通讯器材类"
        "商品零售额分别增长10.9%和26.2%。",
        "商务部有关负责人表示，下一步将持续扩大以旧换新政策覆盖面，丰富文旅、体育、养老、托育等服务供给，"
        "更好满足群众多样化、个性化消费需求。",
    ],
)

RAILWAY = Article(
    key="30061005",
    title="铁路部门持续优化春季列车运行图",
    authors=["孙一凡"],
    site_author="孙一凡",
    byline="本报记者 孙一凡",
    dateline="本报北京3月17日电",
    paragraphs=[
        "记者从国铁集团获悉，全国铁路将于4月上旬实行新的列车运行图，进一步优化高铁网络开行结构，增开跨区域"
        "长途列车和城际列车。",
        "调图后，京沪、京广、沪昆等高铁主通道运输能力进一步提升，部分城市间旅行时间压缩10至30分钟。",
        "国铁集团有关负责人介绍，铁路部门将同步推出计次票、定期票等灵活票制产品，方便通勤旅客出行。",
    ],
)

SMART_FACTORY = Article(
    key="30061006",
    title="“智改数转”让老厂焕发新活力",
    authors=["周晓燕"],
    site_author="周晓燕",
    byline="本报记者 周晓燕",
    dateline="本报杭州3月17日电",
    paragraphs=[
        "走进浙江一家有着40多年历史的纺织企业，数百台织机在“黑灯车间”里有序运转，巡检机器人沿着轨道往返"
        "穿梭，车间里只有寥寥几名技术人员盯着屏幕。",
        "“过去一个挡车工看8台织机，现在一个人能管60台。”企业生产部经理陈镕指着数字孪生系统介绍，改造后产品"
        "不良率下降了近四成，订单交付周期缩短三分之一。",
        "近年来，当地推动规模以上工业企业数字化改造全覆盖，一批传统产业企业通过“智改数转”提质增效，焕发出"
        "新的生机与活力。",
        "业内专家认为，推动传统产业转型升级，关键在于以场景为牵引，找准企业最迫切的痛点，分行业分步骤推进。",
    ],
)

GREEN_POWER = Article(
    key="30061007",
    pretitle="",
    title="新能源发电装机规模再创新高",
    subtitle="风电光伏合计装机占比超过四成",
    authors=["吴天宇"],
    site_author="吴天宇",
    byline="本报记者 吴天宇",
    paragraphs=[
        "国家能源局日前发布数据显示，截至2月底，全国风电、太阳能发电累计装机容量合计超过14亿千瓦，占全国发电"
        "总装机比重超过四成。",
        "今年前两个月，全国新增风电、光伏装机保持较快增长，分布式光伏在工商业屋顶、农村户用等场景加快推广。",
        "国家能源局有关负责人表示，将加快推进大型风电光伏基地建设，统筹推进配套电网和调节性电源建设，提升"
        "新能源消纳能力。",
    ],
)

SPRING_FARMING_CONT = Article(
    key="30061010",
    title="春耕备耕有序推进 粮食生产开局良好",
    authors=["李晓明", "王雨萌"],
    site_author="本报记者 李晓明 王雨萌",
    paragraphs=[
        "在黑龙江建三江，育秧大棚里温暖如春，工人们正忙着摆盘、浇水。“今年我们提前半个月备足了种子、化肥和"
        "农药，大棚全部升级了智能温控。”当地一位种粮大户说。",
        "在四川眉山，植保无人机在油菜田上空往返作业，一架无人机一天能完成400多亩的飞防任务。",
        "农业农村部有关负责人表示，将继续加强春耕生产指导服务，落实好各项强农惠农政策，切实保障农资供应和"
        "价格基本稳定，全力以赴夺取夏粮丰收。",
    ],
    jump_from="第一版",
    continues="30061001",
)

AD_0318 = Article(
    key="30061011",
    title="广告",
    paragraphs=[],
    images=[("pc/pic/202503/18/ad-3c4d5e6f-0318-04.jpg", "")],
    kind="ad",
)

ISSUE_0318 = Issue(
    date="2025-03-18",
    enpproperty=True,
    pages=[
        Page(
            node="node_01.html",
            page_no="01",
            page_name="要闻",
            guide=["以更实举措激发消费活力（2版）", "“智改数转”让老厂焕发新活力（3版）"],
            articles=[SPRING_FARMING, INDUSTRY, WATER_DIVERSION],
        ),
        Page(node="node_02.html", page_no="02", page_name="要闻", articles=[CONSUMPTION, RAILWAY]),
        Page(node="node_03.html", page_no="03", page_name="经济", articles=[SMART_FACTORY, GREEN_POWER]),
        Page(node="node_04.html", page_no="04", page_name="综合", pdf=False, articles=[SPRING_FARMING_CONT, AD_0318]),
    ],
)


# --- 2025-03-19: no enpproperty comments, the visible markup is all there is ---------------------

FOREST = Article(
    key="30062001",
    title="全国春季造林绿化工作全面展开",
    authors=["黄蕾"],
    site_author="黄蕾",
    byline="本报记者 黄蕾",
    dateline="本报北京3月18日电",
    paragraphs=[
        "记者从国家林草局获悉，随着气温回升，全国春季造林绿化工作自南向北全面展开，各地科学选择造林树种，"
        "因地制宜开展国土绿化行动。",
        "今年，各地将统筹推进山水林田湖草沙一体化保护和系统治理，持续推进“三北”等重点生态工程建设，计划完成"
        "造林种草任务1亿亩以上。",
        "国家林草局有关负责人表示，将坚持尊重自然、顺应自然，严格落实造林绿化用地空间，确保造得活、管得好、"
        "见实效。",
    ],
)

TECH_SME = Article(
    key="30062002",
    title="一批科技型中小企业加速成长",
    authors=["郑堃", "林悦"],
    site_author="",
    byline="（记者 郑堃 通讯员 林悦）",
    dateline="新华社合肥3月18日电",
    paragraphs=[
        "记者从安徽省科技厅了解到，截至今年2月底，安徽省入库科技型中小企业数量同比增长超过两成，一批企业在"
        "量子信息、人工智能等领域实现关键技术突破。",
        "当地通过设立天使投资基金、开展“科技贷”等方式，为初创期企业提供全周期金融支持，帮助企业跨越从实验室"
        "到市场的“死亡之谷”。",
        "“从拿到第一笔风险投资到产品量产，我们只用了两年。”一家量子测量企业负责人说。",
    ],
)

OPEN_ECONOMY = Article(
    key="30062003",
    title="前两个月货物贸易进出口规模稳中有增",
    authors=["马喆"],
    site_author="马喆",
    byline="本报记者 马喆",
    dateline="本报北京3月18日电",
    paragraphs=[
        "海关总署数据显示，今年前两个月，我国货物贸易进出口总值保持总体稳定，民营企业进出口占比进一步提升。",
        "从贸易方式看，一般贸易进出口比重提高；从商品结构看，机电产品出口保持增长，集成电路、汽车等产品出口"
        "表现亮眼。",
        "受访专家表示，我国外贸韧性较强，随着稳外贸政策持续发力，全年外贸有望保持稳中提质。",
    ],
)

RURAL_ROADS = Article(
    key="30062004",
    pretitle="",
    title="农村公路织密乡村振兴幸福路",
    subtitle="",
    authors=["杨帆"],
    site_author="杨帆",
    byline="本报记者 杨帆",
    paragraphs=[
        "一条条农村公路蜿蜒伸展，连通千村万户。交通运输部数据显示，全国农村公路总里程已超过460万公里，具备"
        "条件的乡镇和建制村全部通硬化路、通客车。",
        "在贵州黔东南，一条新修通的产业路直通茶园，采茶季节运茶车辆往来不息。当地茶农说，路通了，茶叶当天就能"
        "运到县城加工厂，价格每斤多卖好几元。",
        "交通运输部有关负责人表示，将持续推进农村公路提档升级，深化“四好农村路”建设，更好服务乡村全面振兴。",
    ],
)

ISSUE_0319 = Issue(
    date="2025-03-19",
    enpproperty=False,
    pages=[
        Page(
            node="node_01.html",
            page_no="01",
            page_name="要闻",
            guide=["农村公路织密乡村振兴幸福路（3版）"],
            articles=[FOREST, TECH_SME],
        ),
        Page(node="node_02.html", page_no="02", page_name="要闻", articles=[OPEN_ECONOMY]),
        Page(node="node_03.html", page_no="03", page_name="经济", articles=[RURAL_ROADS]),
    ],
)

ISSUES = [ISSUE_0318, ISSUE_0319]
