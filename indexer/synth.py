"""Deterministic sample text: the real articles of one Chinese e-newspaper front page
(西海岸新闻, 2025-03-19, page 01, unwrapped) and a synthetic corpus generator built from
its sentences plus jieba dictionary words drawn by frequency (for tests and the benchmark).
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

SEED_ARTICLES: list[dict] = [
    {
        "key": "sun",
        "pretitle": "",
        "title": "孙永红会见交通银行青岛分行客人",
        "subtitle": "",
        "author": "仪博文",
        "paragraphs": [
            (
                "本报3月18日讯 今天上午，西海岸新区工委书记、区委书记孙永红会见了交通银行青岛"
                "分行党委书记周曦一行。"
            ),
            (
                "孙永红对客人的到来表示欢迎，并简要介绍了新区经济社会发展情况。他说，作为青岛经济"
                "发展的龙头，新区经济体量大、工业经济强、民营经济活跃。近年来，新区金融业呈现快速"
                "发展态势，各类金融业态加速集聚，金融规模总量持续扩大，为新区高质量发展注入了源源"
                "不断的金融“活水”。希望交通银行青岛分行在双方良好合作基础上，继续加大对新区科技"
                "创新、城市更新建设、普惠金融等领域的关注和支持，进一步拓展合作的广度和深度。我们"
                "将为包括交通银行青岛分行在内的广大金融机构在新区发展提供优质服务，推动互利共赢。"
            ),
            (
                "周曦表示，交通银行青岛分行将继续发挥自身优势，深入对接新区发展所需，不断创新金融"
                "产品和服务模式，更好助力新区高质量发展。"
            ),
        ],
    },
    {
        "key": "hydro",
        "pretitle": "",
        "title": "“资源延伸·网点办”便民服务网点启用",
        "subtitle": "",
        "author": "丁霞",
        "paragraphs": [
            (
                "本报讯 3月14日，青岛市氢能产业园第二次集中签约暨重点项目投产（启用）活动举行"
                "，氢能大厦、氢能国际会客厅正式启用。位于氢能大厦的氢能产业园便民服务点同步启用，"
                "这也是西海岸新区首个启用的“资源延伸·网点办”便民服务网点。"
            ),
            (
                "青岛市氢能产业园是新区四个新兴产业专业园区之一。泊里镇立足产业园区发展实际，紧扣"
                "企业办事需求，高标准建设氢能产业园便民服务点，将百余个高频事项归为“氢能产业园特"
                "色服务一件事”，持续拓展“高效办成一件事”服务场景。服务点配备电脑、打印机等硬件"
                "设备，制定标准化工作指引和办事指南，搭建起流程明晰、操作简捷的服务体系；推行“肩"
                "并肩”服务模式，从“面对面”受理到“肩并肩”帮办，让企业群众办事实现“少跑腿”“"
                "零跑腿”；通过“一站式”服务，搭建跨层级、跨领域政务服务联动机制，通过常规业务“"
                "就地办”、（下转第二版）"
            ),
        ],
    },
    {
        "key": "project",
        "pretitle": "◆董家口经济区召开“项目攻坚年”动员大会，发起“五大攻坚行动”",
        "title": "以项目之“进”聚发展之“势”",
        "subtitle": "◆加快打造全市高质量发展重要增长极、循环经济区、绿色新港城",
        "author": "",
        "paragraphs": [
            (
                "“项目攻坚是破局高质量发展的关键抓手。”动员大会上，区委副书记，董家口经济区工委"
                "书记、管委主任毛军响开宗明义。"
            ),
            (
                "会议明确了2025年董家口经济区的“1531”发展思路：锚定打造全市高质量发展重"
                "要增长极、循环经济区、绿色新港城一个目标，实施招大引强、产业提质、港口升级、平台"
                "搭建、城市更新五大攻坚行动，强化新区意识、优化营商环境、提升作风能力三项保障措施"
                "，守牢安全、环保、廉政等一排底线。"
            ),
            "这一思路既是对标中央和省、市、区战略的顶层设计，亦是立足经济区实际的解题之道。",
            (
                "坚持“抓项目就是抓发展，谋项目就是谋未来”，围绕推动“1531”发展思路落地落实"
                "，今年，董家口经济区将按照“工作项目化、项目清单化、清单责任化”的思路，发起五大"
                "攻坚行动，尽快构建起“储备一批、签约一批、开工一批、投产一批”的项目梯次推进格局"
                "，迅速形成“月月有签约、月月有开工”的项目攻坚态势，以“一年攻坚、两年突破、三年"
                "成势”的实际成效为支撑，加快打造全市高质量发展重要增长极、循环经济区、绿色新港城"
                "，在全市和新区高质量发展中奋勇争先、勇挑大梁。"
            ),
            (
                "“通过项目攻坚，将有效促进经济区全域资源高效配置，推动产业升级、港口转型、城市功"
                "能完善协同发展、良性互动，为港产城深度融合发展注入强劲动力。”毛军响表示。"
            ),
            "破题之钥",
            "“1531”思路锚定发展航向",
            (
                "项目攻坚是董家口经济区高质量发展的制胜之策、关键之举。攻坚，往哪里攻？着力点在哪"
                "儿？"
            ),
            (
                "动员大会发布的《青岛董家口经济区“项目攻坚年”工作方案》提出了招大引强、产业提质"
                "、港口升级、平台搭建、城市更新五大攻坚行动的12项攻坚任务，通篇体现“大抓项目、"
                "抓大项目”的发展思路，把项目推进落实作为经济区贯穿全年的重点工作。"
            ),
            (
                "招大引强攻坚行动提出，精准招引重点产业项目，招引一批打基础、利长远、增后劲的大项"
                "目、好项目，突出招大引强，推动一批引领性大项目攻坚落地，突出延链补链强链，精准招"
                "引上下游产业链项目；抓实签约项目落地开工，将招商引资工作链条由项目签约向落地开工"
                "延伸，梳理已签约但尚未正式落地开工的亿元以上重点项目，建立重点开工项目库，压实责"
                "任、加快推进。"
            ),
            (
                "产业提质攻坚行动，分别以重点项目提速建设、产业项目投产达效、存量企业增资扩能促进"
                "产业提质，扎实推进省、市、区三级重点项目，一季度重点建设类项目开工率实现70%以"
                "上，上半年全部开工建设；抓实在建项目，加力提速建设；支持企业通过合资合作、增资扩"
                "能、技术改造，实现提质发展。"
            ),
            (
                "港口升级攻坚行动，对照《青岛国际航运中心建设三年行动方案（2024-2026年）"
                "》任务要求，建立重点项目库，实行顶格协调、顶格推进，全力推动董家口港区550余亿"
                "元重点项目投资尽快释放，当好世界级海洋港口群建设主力军。"
            ),
            (
                "平台搭建攻坚行动，一是培育拓展平台载体，围绕培育新质生产力，按照“产学研用”融合"
                "的思路，搭建科技创新、产业孵化平台，加快构建研发、中试、科技成果转化的全链条科技"
                "创新体系；二是加快现有平台开发，进一步提升绿色低碳新材料新兴产业专业园区发展水平"
                "；三是优化平台投资管理，激发各类主体投资活力，加快平台开发建设。 （下转第二版）"
            ),
        ],
    },
    {
        "key": "comment",
        "pretitle": "",
        "title": "奏响“大抓项目、抓大项目”的最强音",
        "subtitle": "",
        "author": "董梅雪",
        "paragraphs": [
            (
                "3月18日，青岛董家口经济区“项目攻坚年”动员大会召开。这场以“项目攻坚”为主题"
                "的大会，既发出了全面贯彻党的二十大和二十届二中、三中全会精神，认真落实省、市决策"
                "部署的“动员令”，更敲响了助力“品质西海岸”建设，打造全市高质量发展重要增长极、"
                "循环经济区、绿色新港城的出征战鼓。"
            ),
            (
                "会上发布了《青岛董家口经济区“项目攻坚年”工作方案》，并对《青岛董家口经济区容错"
                "纠错工作办法》进行了解读，前者以“五大攻坚行动”“12项攻坚任务”明确全年作战路"
                "径，后者以制度温情为担当者撑腰壮胆。会上，董家口经济区投资促进部、公共服务部、项"
                "目推进专班以及董发集团作出精准招商、靠前服务、提升作风的铿锵表态，进一步彰显了“"
                "闯”的锐气、“拼”的斗志，奏响了“大抓项目、抓大项目”的最强音。"
            ),
        ],
    },
]

PAPERS = {"xihaian": "西海岸新闻", "qingdao": "青岛日报", "jiaozhou": "胶州日报"}
PAGE_NAMES = ("要闻", "综合", "经济", "民生", "文化", "体育")
_SENTENCE_END = re.compile(r"(?<=[。！？；])")


def article_body(article: dict) -> str:
    """Return the body of a seed article as the archive stores it (paragraphs joined by newlines)."""
    return "\n".join(article["paragraphs"])


def seed_text() -> str:
    """Return the whole seed page as one text (titles and bodies)."""
    parts = []
    for article in SEED_ARTICLES:
        parts += [article["pretitle"], article["title"], article["subtitle"], article_body(article)]
    return "\n".join(part for part in parts if part)


def seed_sentences() -> list[str]:
    """Return the sentences of the seed bodies."""
    sentences = []
    for article in SEED_ARTICLES:
        for paragraph in article["paragraphs"]:
            sentences += [s for s in _SENTENCE_END.split(paragraph) if len(s) > 4]
    return sentences


def jieba_dict_path() -> Path:
    """Return the path of jieba's bundled dictionary (without importing jieba)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jieba is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


@cache
def dict_words() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Return jieba's dictionary words (CJK only) and their cumulative frequencies."""
    words: list[str] = []
    cumulative: list[int] = []
    total = 0
    with jieba_dict_path().open(encoding="utf-8") as handle:
        for line in handle:
            word, freq, *_ = line.split()
            if all("\u4e00" <= ch <= "\u9fff" for ch in word):
                total += int(freq)
                words.append(word)
                cumulative.append(total)
    return tuple(words), tuple(cumulative)


class TextMaker:
    """Seeded generator of sentences mixing seed-page sentences and dictionary words."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sentences = seed_sentences()
        self.words, self.cumulative = dict_words()

    def draw_words(self, count: int) -> list[str]:
        """Draw count dictionary words, weighted by their corpus frequency."""
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def word_sentence(self) -> str:
        """Return a sentence of 8-20 frequency-drawn words with a comma and a full stop."""
        words = self.draw_words(self.rng.randint(8, 20))
        cut = self.rng.randint(2, len(words) - 2)
        return "".join(words[:cut]) + "，" + "".join(words[cut:]) + "。"

    def sentence(self) -> str:
        """Return a seed sentence or a word sentence (about half each)."""
        return self.rng.choice(self.sentences) if self.rng.random() < 0.5 else self.word_sentence()

    def body(self, chars: int) -> str:
        """Return paragraphs (joined by newlines) totalling at least chars characters."""
        paragraphs: list[str] = []
        size = 0
        while size < chars:
            paragraph = "".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            paragraphs.append(paragraph)
            size += len(paragraph)
        return "\n".join(paragraphs)

    def title(self) -> str:
        """Return a short headline of dictionary words."""
        return "".join(self.draw_words(self.rng.randint(3, 6)))


def make_records(count: int, seed: int = 1, body_chars: int = 800) -> list[dict]:
    """Return count synthetic archive article records, identical for the same seed."""
    maker = TextMaker(seed)
    start = date(2024, 1, 1)
    records = []
    for number in range(count):
        paper = maker.rng.choice(sorted(PAPERS))
        body = maker.body(body_chars)
        title = maker.title()
        records.append({
            "type": "article",
            "id": f"synth-{seed}-{number:06d}",
            "paper": paper,
            "paper_name": PAPERS[paper],
            "date": (start + timedelta(days=maker.rng.randrange(365))).isoformat(),
            "page_no": f"{maker.rng.randint(1, 8):02d}",
            "page_name": maker.rng.choice(PAGE_NAMES),
            "pretitle": "",
            "title": title,
            "subtitle": "",
            "author": "".join(maker.draw_words(1)),
            "body": body,
            "images": [],
            "url": f"https://example.invalid/{paper}/{number}.html",
            "content_hash": hashlib.sha1((title + body).encode()).hexdigest(),
        })
    return records
