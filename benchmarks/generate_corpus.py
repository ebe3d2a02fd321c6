"""Generate a synthetic corpus of government information-disclosure annual reports, for load and soak runs.

Usage: .venv/bin/python benchmarks/generate_corpus.py OUTPUT_DIR --documents N [--seed S]

Writes N documents ``doc_000001.txt`` / ``doc_000001.html`` … into OUTPUT_DIR, deterministically for a given
seed (one ``random.Random(seed)`` drawn in document order, so the first k documents of a larger run are the
same as a run of k). Files named like generated documents that are already in OUTPUT_DIR are replaced;
nothing else there is touched. The mix, per document:

- about 25 % reports of the 2014–2018 统计表 (``t2014``, report years 2014–2018): ``label | unit | value |``
  rows as in ``seeds/001``, some rows or whole sections blank, some heading values printed in the unit column;
- about 30 % 2019-format and 30 % 2021-format reports (years 2019–2020 and 2021–2025) with tables 2, 3 and 4;
- about 15 % prose-only reports without a table.

Tables are rendered as clean (sometimes ragged, ``006``) pipe rows (``020``), every cell on its own line
ending in `` |`` with ``||`` padding lines (``019``), or HTML ``<table>`` markup (``036``); the 2014 table as
pipe rows or HTML. Every document has a title line, prose and a closing date line. Values are random but
consistent with every rule of ``govstats/codebook/rules.csv`` and the codebook relations: table 3 per column
一 + 二 = （七）总计 + 四, （七）总计 = the sum of the outcome rows and 总计 = the sum of the six applicant
columns; table 4 totals = the sum of the four outcomes; 2014 sums, of-which parts and de-duplicated totals.
A few non-total cells are printed blank or as a placeholder (``-``, ``/``, ``无``), and then the totals that
involve them are sometimes left blank too, so a build of the corpus should report no failed check.

Importable: ``generate(output, n_documents, seed=0) -> list[Path]``; ``render_document(rng) -> (suffix, text)``
and ``draw_document(rng) -> (kind, rendering, suffix, text)`` for one document.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

# ---------------------------------------------------------------------------------------------------------
# Names and prose
# ---------------------------------------------------------------------------------------------------------

REGIONS = (
    "平潭县", "微山县", "会昌县", "大同市", "重庆市九龙坡区", "开平市", "武威市凉州区", "建平县", "杭州市",
    "黄山市徽州区", "宁乡市", "宁波市鄞州区", "佛山市南海区", "长沙县", "莆田市", "东阳市", "仙居县",
    "苏州市吴江区", "南京市江宁区", "成都市武侯区", "济南市历城区", "青岛市即墨区", "惠州市惠城区",
    "清远市清城区", "张家界市永定区", "汉川市", "宜都市", "湘潭县", "临安区", "婺源县", "景宁畲族自治县",
    "乐清市", "诸暨市", "龙岩市新罗区", "赣州市章贡区", "铜陵市", "六安市裕安区", "南阳市卧龙区",
)
DEPARTMENTS = (
    "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局",
    "统计局", "医疗保障局", "信访局", "城市管理局", "人民政府", "退役军人事务局", "林业局", "体育局",
)
TOWNS = ("两城", "中村", "张义", "城关", "东坝", "高桥", "新塘", "石门", "白沙", "青山", "马坪", "龙泉",
         "柳河", "清溪", "黄田", "梅林", "桃源", "凤凰", "金山", "永安")
TOWN_KINDS = ("镇人民政府", "乡人民政府", "街道办事处")

PROSE = (
    "{year}年，{short}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
    "紧紧围绕中心工作，扎实推进政务公开工作，为经济社会平稳健康发展提供有力保障。",
    "进一步健全政府信息公开工作机制，完善政府信息公开指南和政府信息公开目录，确保发布的信息合法、准确、及时。",
    "严格落实信息发布审查制度，坚持“先审查、后公开”和“一事一审”原则，全年未发生泄密事件。",
    "围绕群众关心关注的重点领域，持续深化财政预决算、重大建设项目、公共资源配置、社会公益事业等领域信息公开。",
    "依托政府门户网站、政务新媒体和政务公开栏等平台，及时发布工作动态、通知公告、政策文件等各类信息{n}条。",
    "畅通依申请公开渠道，规范受理、审查、答复、归档等环节工作程序，所有申请均在法定期限内予以答复。",
    "加强政策解读工作，坚持政策文件与解读材料同步组织、同步审签、同步部署，通过图文、视频等形式解读政策{m}篇。",
    "持续加强政务新媒体管理，对无人维护或更新不及时的账号进行清理整合，提升信息发布的规范化水平。",
    "将政务公开工作纳入年度绩效考核，定期开展自查整改，落实社会评议和责任追究制度，全年未发生责任追究情况。",
    "组织开展政务公开业务培训{k}次，参训人员{p}人次，工作人员业务能力进一步提高。",
    "认真做好人大代表建议和政协委员提案办理结果公开工作，全年公开办理复文{m}件。",
    "规范性文件实行统一登记、统一编号、统一发布，及时清理并公开现行有效的规范性文件目录。",
    "加强政府信息公开专栏建设，按照标准规范目录动态调整栏目设置，方便公众查询获取。",
    "建立健全政务舆情收集、研判、处置和回应机制，及时回应社会关切，主动发布权威信息。",
    "落实重大行政决策预公开制度，在决策前广泛听取公众意见，及时公开意见采纳情况。",
    "深入推进基层政务公开标准化规范化建设，编制完善基层政务公开事项目录，打通服务群众“最后一公里”。",
    "对照上级要求开展政府网站和政务新媒体常态化监测，及时整改错别字、空白栏目、链接失效等问题。",
    "坚持以公开为常态、不公开为例外，遵循公正、公平、合法、便民的原则，推进决策、执行、管理、服务、结果公开。",
)
PROBLEMS = (
    "政府信息公开的深度和广度还有待进一步拓展，部分栏目更新不够及时。",
    "政策解读形式较为单一，图解、视频等多元化解读方式运用不够充分。",
    "工作人员业务水平有待提高，对《条例》的理解和把握还不够深入。",
    "重点领域信息公开的全面性和规范性仍需加强，公众参与度有待提升。",
)
IMPROVEMENTS = (
    "下一步，我们将加强业务培训，提升工作人员的政策水平和业务能力。",
    "进一步丰富政策解读形式，提高解读的针对性和可读性，扩大政策知晓面。",
    "持续规范政府信息公开专栏，加强日常监测和督促检查，确保信息公开及时、准确、全面。",
    "加强与群众的互动交流，认真听取意见建议，不断提高政务公开工作质量。",
)
OTHER_MATTERS = (
    "本年度未收取信息处理费。",
    "{year}年度未发生收取信息处理费的情况。",
    "本机关无其他需要报告的事项。",
    "依据《政府信息公开信息处理费管理办法》规定，{year}年未收取信息处理费。",
)
T2014_SECTIONS = ("一、概述", "二、主动公开政府信息情况", "三、依申请公开政府信息情况",
                  "四、政府信息公开的收费及减免情况", "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
                  "六、存在的主要问题及改进措施")


def _agency(rng: random.Random) -> tuple[str, str]:
    """(full agency name, the short self-reference used in prose)."""
    region = rng.choice(REGIONS)
    if rng.random() < 0.2:
        kind = rng.choice(TOWN_KINDS)
        return region + rng.choice(TOWNS) + kind, "本" + ("街道" if kind == "街道办事处" else kind[0])
    department = rng.choice(DEPARTMENTS)
    short = {"人民政府": "本级政府", "人民政府办公室": "本机关"}.get(department, "我" + department[-1])
    if department.endswith("委员会"):
        short = "我委"
    return region + department, short


def _sentences(rng: random.Random, year: int, short: str, count: int) -> str:
    picked = rng.sample(PROSE, count)
    values = {"year": year, "short": short, "n": rng.randint(30, 3000), "m": rng.randint(2, 80),
              "k": rng.randint(1, 6), "p": rng.randint(10, 300)}
    return "".join(sentence.format(**values) for sentence in picked)


def _date_line(rng: random.Random, year: int) -> str:
    return f"{year + 1}年{rng.randint(1, 3)}月{rng.randint(1, 28)}日"


# ---------------------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------------------

PLACEHOLDERS = ("-", "-", "-", "/", "无", "—")


def _count(rng: random.Random, scale: int, zero: float = 0.4) -> int:
    """A small non-negative count: zero with probability ``zero``, else skewed towards small numbers."""
    if rng.random() < zero:
        return 0
    return int(rng.paretovariate(1.3) * scale) % (scale * 40 + 1)


def _money(rng: random.Random, zero: float = 0.6) -> str:
    """An amount in 万元 with up to two decimals, as printed."""
    if rng.random() < zero:
        return "0"
    cents = rng.randint(1, 200_000) if rng.random() < 0.3 else rng.randint(1, 2_000)
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)


def _text(value: int | str, rng: random.Random) -> str:
    if isinstance(value, int) and value >= 1000 and rng.random() < 0.05:
        return f"{value:,}"
    return str(value)


# ---------------------------------------------------------------------------------------------------------
# The 2014–2018 统计表
# ---------------------------------------------------------------------------------------------------------

# (key, printed label, unit, kind): kind "head" = section heading (never a value), "sumhead" = a heading whose
# value, when printed, is the sum of its rows, "row" = a value row. Keys follow the codebook's row codes.
T2014_ROWS = (
    ("active", "一、主动公开情况", "", "head"),
    ("active.total", "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "row"),
    ("active.normative_disclosed", "其中：主动公开规范性文件数", "条", "row"),
    ("active.normative_issued", "制发规范性文件总数", "件", "row"),
    ("active.channel", "（二）通过不同渠道和方式公开政府信息的情况", "", "sumhead"),
    ("active.channel.gazette", "1.政府公报公开政府信息数", "条", "row"),
    ("active.channel.website", "2.政府网站公开政府信息数", "条", "row"),
    ("active.channel.weibo", "3.政务微博公开政府信息数", "条", "row"),
    ("active.channel.weixin", "4.政务微信公开政府信息数", "条", "row"),
    ("active.channel.other", "5.其他方式公开政府信息数", "条", "row"),
    ("response", "二、回应解读情况", "", "head"),
    ("response.hotspots", "（一）回应公众关注热点或重大舆情数（不同方式回应同一热点或舆情计1次）", "次", "row"),
    ("response.channel", "（二）通过不同渠道和方式回应解读的情况", "", "sumhead"),
    ("response.press_conf", "1.参加或举办新闻发布会总次数", "次", "row"),
    ("response.press_conf.principal", "其中：主要负责同志参加新闻发布会次数", "次", "row"),
    ("response.online_interview", "2.政府网站在线访谈次数", "次", "row"),
    ("response.online_interview.principal", "其中：主要负责同志参加政府网站在线访谈次数", "次", "row"),
    ("response.interpretation_docs", "3.政策解读稿件发布数", "篇", "row"),
    ("response.weibo_weixin", "4.微博微信回应事件数", "次", "row"),
    ("response.other", "5.其他方式回应事件数", "次", "row"),
    ("apply", "三、依申请公开情况", "", "head"),
    ("apply.received", "（一）收到申请数", "件", "row"),
    ("apply.received.in_person", "1.当面申请数", "件", "row"),
    ("apply.received.fax", "2.传真申请数", "件", "row"),
    ("apply.received.online", "3.网络申请数", "件", "row"),
    ("apply.received.letter", "4.信函申请数", "件", "row"),
    ("apply.received.other", "5.其他形式", "件", "row"),
    ("apply.closed", "（二）申请办结数", "件", "row"),
    ("apply.closed.on_time", "1.按时办结数", "件", "row"),
    ("apply.closed.extended", "2.延期办结数", "件", "row"),
    ("apply.answered", "（三）申请答复数", "件", "row"),
    ("apply.answered.already_public", "1.属于已主动公开范围数", "件", "row"),
    ("apply.answered.granted", "2.同意公开答复数", "件", "row"),
    ("apply.answered.partial", "3.同意部分公开答复数", "件", "row"),
    ("apply.answered.denied", "4.不同意公开答复数", "件", "row"),
    ("apply.answered.denied.state_secret", "其中：涉及国家秘密", "件", "row"),
    ("apply.answered.denied.commercial_secret", "涉及商业秘密", "件", "row"),
    ("apply.answered.denied.privacy", "涉及个人隐私", "件", "row"),
    ("apply.answered.denied.security", "危及国家安全、公共安全、经济安全和社会稳定", "件", "row"),
    ("apply.answered.denied.not_gov_info", "不是《条例》所指政府信息", "件", "row"),
    ("apply.answered.denied.other_law", "法律法规规定的其他情形", "件", "row"),
    ("apply.answered.not_this_agency", "5.不属于本行政机关公开数", "件", "row"),
    ("apply.answered.not_exist", "6.申请信息不存在数", "件", "row"),
    ("apply.answered.amend", "7.告知作出更改补充数", "件", "row"),
    ("apply.answered.other_channel", "8.告知通过其他途径办理数", "件", "row"),
    ("review", "四、行政复议数量", "件", "row"),
    ("review.upheld", "（一）维持具体行政行为数", "件", "row"),
    ("review.corrected", "（二）被依法纠错数", "件", "row"),
    ("review.other", "（三）其他情形数", "件", "row"),
    ("litigation", "五、行政诉讼数量", "件", "row"),
    ("litigation.upheld", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件", "row"),
    ("litigation.corrected", "（二）被依法纠错数", "件", "row"),
    ("litigation.other", "（三）其他情形数", "件", "row"),
    ("complaint", "六、被举报投诉数量", "件", "row"),
    ("complaint.upheld", "（一）维持具体行政行为数", "件", "row"),
    ("complaint.corrected", "（二）被纠错数", "件", "row"),
    ("complaint.other", "（三）其他情形数", "件", "row"),
    ("archive", "七、向图书馆、档案馆等查阅场所报送信息数", "条", "row"),
    ("archive.paper", "（一）纸质文件数", "条", "row"),
    ("archive.electronic", "（二）电子文件数", "条", "row"),
    ("fees_collected", "八、依申请公开信息收取的费用", "万元", "row"),
    ("org", "九、机构建设和保障经费情况", "", "head"),
    ("org.units", "（一）政府信息公开工作专门机构数", "个", "row"),
    ("org.reading_points", "（二）设置政府信息公开查阅点数", "个", "row"),
    ("org.staff", "（三）从事政府信息公开工作人员数", "人", "row"),
    ("org.staff.fulltime", "1.专职人员数（不包括政府公报及政府网站工作人员数）", "人", "row"),
    ("org.staff.parttime", "2.兼职人员数", "人", "row"),
    ("org.budget", "（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
     "万元", "row"),
    ("training", "十、政府信息公开会议和培训情况", "", "head"),
    ("training.meetings", "（一）召开政府信息公开工作会议或专题会议数", "次", "row"),
    ("training.classes", "（二）举办各类培训班数", "次", "row"),
    ("training.trainees", "（三）接受培训人员数", "人次", "row"),
)
T2014_SUMS = {  # parent → addends (relation "sum" in the codebook); a parent is never blanked alone
    "active.channel": ("active.channel.gazette", "active.channel.website", "active.channel.weibo",
                       "active.channel.weixin", "active.channel.other"),
    "response.channel": ("response.press_conf", "response.online_interview", "response.interpretation_docs",
                         "response.weibo_weixin", "response.other"),
    "apply.received": ("apply.received.in_person", "apply.received.fax", "apply.received.online",
                       "apply.received.letter", "apply.received.other"),
    "apply.closed": ("apply.closed.on_time", "apply.closed.extended"),
    "apply.answered": ("apply.answered.already_public", "apply.answered.granted", "apply.answered.partial",
                       "apply.answered.denied", "apply.answered.not_this_agency", "apply.answered.not_exist",
                       "apply.answered.amend", "apply.answered.other_channel"),
    "review": ("review.upheld", "review.corrected", "review.other"),
    "litigation": ("litigation.upheld", "litigation.corrected", "litigation.other"),
    "complaint": ("complaint.upheld", "complaint.corrected", "complaint.other"),
    "org.staff": ("org.staff.fulltime", "org.staff.parttime"),
}
T2014_SECTION_OF = {key: key.split(".")[0] for key, *_ in T2014_ROWS}
T2014_TOTALS = ("active.total", "response.hotspots", "archive")  # totals that are not sums of printed rows
DENIED_PARTS = tuple(key for key, *_ in T2014_ROWS if key.startswith("apply.answered.denied."))


def t2014_values(rng: random.Random, other_form: bool) -> dict[str, int | str]:
    """One consistent set of 2014-table values (headings without a value are absent); without the local
    row 5.其他形式 (``other_form``) the applications are the four official channels alone."""
    v: dict[str, int | str] = {}
    for key in T2014_SUMS["active.channel"]:
        v[key] = _count(rng, 20 if key.endswith("website") else 3, zero=0.3)
    channels = sum(int(v[k]) for k in T2014_SUMS["active.channel"])
    v["active.channel"] = channels
    v["active.total"] = rng.randint(min(channels, max(channels // 2, 1)) if channels else 0, channels)
    v["active.normative_issued"] = _count(rng, 3)
    v["active.normative_disclosed"] = rng.randint(0, min(int(v["active.normative_issued"]), int(v["active.total"])))
    for key in T2014_SUMS["response.channel"]:
        v[key] = _count(rng, 2, zero=0.5)
    v["response.press_conf.principal"] = rng.randint(0, int(v["response.press_conf"]))
    v["response.online_interview.principal"] = rng.randint(0, int(v["response.online_interview"]))
    v["response.channel"] = sum(int(v[k]) for k in T2014_SUMS["response.channel"])
    v["response.hotspots"] = rng.randint(0, int(v["response.channel"]))
    for key in T2014_SUMS["apply.received"]:
        v[key] = _count(rng, 2, zero=0.6)
    if not other_form:
        v["apply.received.other"] = 0
    received = sum(int(v[k]) for k in T2014_SUMS["apply.received"])
    v["apply.received"] = received
    extended = rng.randint(0, received // 5) if received else 0
    v["apply.closed.on_time"], v["apply.closed.extended"] = received - extended, extended
    v["apply.closed"] = received
    shares = [0] * 8  # the answers split the received applications over the eight outcomes
    for _ in range(received):
        shares[min(int(rng.expovariate(0.9)), 7)] += 1
    rare = shares[2:]  # granted and already public are the common answers, the others in random order
    rng.shuffle(rare)
    shares[2:] = rare
    for key, share in zip(T2014_SUMS["apply.answered"], shares, strict=True):
        v[key] = share
    v["apply.answered"] = received
    denied = int(v["apply.answered.denied"])
    left = denied
    for key in DENIED_PARTS:  # of-which parts, together at most the refusals
        v[key] = rng.randint(0, left)
        left -= int(v[key])
    for parent in ("review", "litigation", "complaint"):
        for key in T2014_SUMS[parent]:
            v[key] = _count(rng, 1, zero=0.8)
        v[parent] = sum(int(v[k]) for k in T2014_SUMS[parent])
    v["archive.paper"], v["archive.electronic"] = _count(rng, 5), _count(rng, 10)
    v["archive"] = int(v["archive.paper"]) + int(v["archive.electronic"])
    v["fees_collected"] = "0" if rng.random() < 0.9 else _money(rng, zero=0)
    v["org.units"], v["org.reading_points"] = rng.randint(0, 2), rng.randint(0, 3)
    v["org.staff.fulltime"], v["org.staff.parttime"] = rng.randint(0, 3), rng.randint(0, 6)
    v["org.staff"] = int(v["org.staff.fulltime"]) + int(v["org.staff.parttime"])
    v["org.budget"] = _money(rng)
    v["training.meetings"], v["training.classes"] = rng.randint(0, 6), rng.randint(0, 4)
    v["training.trainees"] = int(v["training.classes"]) * rng.randint(0, 40)
    return v


def t2014_printed(rng: random.Random, values: dict[str, int | str]) -> dict[str, str]:
    """The text printed in each value cell: whole blank sections, a few blank or placeholder cells, and the
    sums that involve a hidden cell sometimes blank too."""
    printed = {key: _text(value, rng) for key, value in values.items()}
    for section in ("response", "apply", "review", "litigation", "complaint", "archive", "org", "training"):
        if rng.random() < 0.15:  # a section the agency left empty
            for key in list(printed):
                if T2014_SECTION_OF[key] == section:
                    printed[key] = ""
    leaves = [key for key in printed if key not in T2014_SUMS and key not in T2014_TOTALS and printed[key]]
    for key in rng.sample(leaves, min(len(leaves), rng.choice((0, 0, 1, 2, 3)))):
        printed[key] = "" if rng.random() < 0.6 else rng.choice(PLACEHOLDERS)
        for parent, addends in T2014_SUMS.items():
            if key in addends and rng.random() < 0.5:
                printed[parent] = ""
    return printed


def t2014_table_rows(rng: random.Random, year: int, agency: str) -> tuple[list[str], list[list[str]]]:
    """(lines above the table, rows of [label, unit, value]) with the value-in-unit-column habits of seed 001."""
    other_form = rng.random() < 0.5
    values = t2014_values(rng, other_form)
    printed = t2014_printed(rng, values)
    rows: list[list[str]] = []
    sumhead_style = rng.choice(("unit_column", "value_column", "blank"))
    for key, label, unit, kind in T2014_ROWS:
        if key == "apply.received.other" and not other_form:
            continue
        shown = label if rng.random() < 0.5 else label.replace("（", "(").replace("）", ")").replace("：", ":")
        if key == "org" and printed["org.budget"][:1].isdigit() and printed["org.budget"] != "0" and rng.random() < 0.1:
            rows.append([shown, printed["org.budget"] + "万元", ""])  # seed 001: 九、… | 0.5万元 | |
        elif kind == "head":
            rows.append([shown, "", ""])
        elif kind == "sumhead":
            text = printed.get(key, "")
            if sumhead_style == "unit_column":
                rows.append([shown, text, ""])
            elif sumhead_style == "value_column":
                rows.append([shown, "", text])
            else:
                rows.append([shown, "", ""])
        else:
            text = printed[key]
            if text[:1].isdigit() and rng.random() < 0.02:  # the number written in the unit column, unit left out
                rows.append([shown, text, ""])
            else:
                rows.append([shown, unit, text])
    heading = f"{year}年度政府信息公开工作情况统计表"
    above = ["附件：", heading, f"单位名称：{agency}"]
    return above, rows


# ---------------------------------------------------------------------------------------------------------
# The 2019 and 2021 national tables
# ---------------------------------------------------------------------------------------------------------

T2_BLOCKS = {  # template → [(block number, column labels, [(row label, [value kinds])])]
    "t2019": (
        ("一", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), ("规章", "规范性文件")),
        ("五", ("上一年项目数量", "本年增/减", "处理决定数量"), ("行政许可", "其他对外管理服务事项")),
        ("六", ("上一年项目数量", "本年增/减", "处理决定数量"), ("行政处罚", "行政强制")),
        ("八", ("上一年项目数量", "本年增/减"), ("行政事业性收费",)),
        ("九", ("采购项目数量", "采购总金额"), ("政府集中采购",)),
    ),
    "t2021": (
        ("一", ("本年制发件数", "本年废止件数", "现行有效件数"), ("规章", "行政规范性文件")),
        ("五", ("本年处理决定数量",), ("行政许可",)),
        ("六", ("本年处理决定数量",), ("行政处罚", "行政强制")),
        ("八", ("本年收费金额（单位：万元）",), ("行政事业性收费",)),
    ),
}
T3_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
T3_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
# Outcome rows of 三、本年度办理结果 as (group label printed in front of the first row of a group, row label).
T3_OUTCOMES_COMMON = (
    ("三、本年度办理结果", "（一）予以公开"),
    ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("（三）不予公开", "1.属于国家秘密"),
    ("", "2.其他法律行政法规禁止公开"),
    ("", "3.危及“三安全一稳定”"),
    ("", "4.保护第三方合法权益"),
    ("", "5.属于三类内部事务信息"),
    ("", "6.属于四类过程性信息"),
    ("", "7.属于行政执法案卷"),
    ("", "8.属于行政查询事项"),
    ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("", "2.没有现成信息需要另行制作"),
    ("", "3.补正后申请内容仍不明确"),
    ("（五）不予处理", "1.信访举报投诉类申请"),
    ("", "2.重复申请"),
    ("", "3.要求提供公开出版物"),
    ("", "4.无正当理由大量反复申请"),
    ("", "5.要求行政机关确认或重新出具已获取信息"),
)
T3_OTHER = {
    "t2019": (("", "（六）其他处理"),),
    "t2021": (("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
              ("", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
              ("", "3.其他")),
}
T4_OUTCOMES = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def t2_values(rng: random.Random, template: str) -> list[tuple[str, tuple[str, ...], list[tuple[str, list[str]]]]]:
    """Table 2 as blocks of (block number, columns, [(row label, printed values)])."""
    blocks = []
    for number, columns, labels in T2_BLOCKS[template]:
        rows = []
        for label in labels:
            cells: list[str] = []
            for column in columns:
                if column == "本年增/减":
                    value: int | str = rng.choice((0, 0, 0, rng.randint(-5, 8)))
                elif "金额" in column:
                    value = _money(rng)
                elif column in ("对外公开总数量", "现行有效件数"):
                    value = _count(rng, 20, zero=0.2)
                elif "处理决定" in column:
                    value = _count(rng, 30 if label in ("行政处罚", "行政许可") else 3)
                else:
                    value = _count(rng, 3)
                cells.append(_text(value, rng))
            if rng.random() < 0.05:
                cells[rng.randrange(len(cells))] = rng.choice(("", *PLACEHOLDERS))
            rows.append((label, cells))
        blocks.append((number, columns, rows))
    return blocks


def t3_values(rng: random.Random, template: str) -> list[tuple[str, str, list[str]]]:
    """Table 3 as rows of (group label, row label, 7 printed cells), consistent by construction."""
    outcomes = (*T3_OUTCOMES_COMMON, *T3_OTHER[template])
    n_outcomes = len(outcomes)
    big = rng.random() < 0.15
    grid = [[0] * 6 for _ in range(n_outcomes)]
    for column in range(6):
        volume = _count(rng, 200 if big else 6, zero=0.2) if column == 0 else _count(rng, 10 if big else 1, zero=0.7)
        weights = [8, 2, *[0.3] * 8, 3, 0.5, 0.3, 0.5, 0.5, 0.1, 0.2, 0.2, *[0.5] * (n_outcomes - 18)]
        for _ in range(min(volume, 400)):
            grid[rng.choices(range(n_outcomes), weights)[0]][column] += 1
        if volume > 400:  # keep generation fast for the rare big agency
            grid[0][column] += volume - 400
    totals = [sum(grid[r][c] for r in range(n_outcomes)) for c in range(6)]
    carried_out = [rng.randint(0, max(1, total // 8)) if total and rng.random() < 0.3 else 0 for total in totals]
    carried_in = [rng.randint(0, total + out) if rng.random() < 0.25 else 0 for total, out in zip(totals, carried_out,
                                                                                               strict=True)]
    new = [total + out - into for total, out, into in zip(totals, carried_out, carried_in, strict=True)]
    numbers = [("", "一、本年新收政府信息公开申请数量", new), ("", "二、上年结转政府信息公开申请数量", carried_in)]
    numbers += [(group, label, grid[i]) for i, (group, label) in enumerate(outcomes)]
    numbers += [("", "（七）总计", totals), ("", "四、结转下年度继续办理", carried_out)]
    printed = [[_text(v, rng) for v in (*row, sum(row))] for _, _, row in numbers]
    outcome_rows = range(2, 2 + n_outcomes)
    total_row = 2 + n_outcomes
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):  # blank or placeholder non-total cells
        r, c = rng.choice((*outcome_rows, *outcome_rows, 0, 1, total_row + 1)), rng.randrange(6)
        printed[r][c] = "" if rng.random() < 0.6 else rng.choice(PLACEHOLDERS)
        if rng.random() < 0.4:
            printed[r][6] = ""  # the row's 总计 left blank too
        if r in outcome_rows and rng.random() < 0.4:
            printed[total_row][c] = ""  # and the column's （七）总计
    return [(group, label, cells) for (group, label, _), cells in zip(numbers, printed, strict=True)]


def t4_values(rng: random.Random) -> list[str]:
    """Table 4's one row of 15 cells: per group the four outcomes and their total."""
    cells: list[str] = []
    for _ in range(3):
        parts = [_count(rng, 1, zero=0.75) for _ in range(4)]
        printed = [_text(p, rng) for p in (*parts, sum(parts))]
        if rng.random() < 0.05:
            printed[rng.randrange(4)] = rng.choice(("", *PLACEHOLDERS))
            if rng.random() < 0.5:
                printed[4] = ""
        cells += printed
    if not cells[0]:
        # An empty first cell of this label-less row is where a markdown-style leading "|" would be: govstats
        # rejects such a row as unrecoverable, so the corpus prints a placeholder there instead.
        cells[0] = "-"
    return cells


# ---------------------------------------------------------------------------------------------------------
# Renderings: a table is a list of rows of (text, colspan, rowspan) cells, plus its width in columns
# ---------------------------------------------------------------------------------------------------------

Cell = tuple[str, int, int]
Grid = list[list[Cell]]


def _c(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return (text, colspan, rowspan)


def t2_grid(blocks: list, half_width: bool) -> Grid:
    """Table 2 on a four-column grid: a value spans the columns its block does not use."""
    grid: Grid = []
    for number, columns, rows in blocks:
        title = f"第二十条第（{number}）项"
        grid.append([_c(title.replace("（", "(").replace("）", ")") if half_width else title, 4)])
        spans = [1] * (len(columns) - 1) + [4 - len(columns)]
        grid.append([_c("信息内容"), *[_c(text, span) for text, span in zip(columns, spans, strict=True)]])
        for label, cells in rows:
            grid.append([_c(label), *[_c(text, span) for text, span in zip(cells, spans, strict=True)]])
    return grid


def t3_grid(rows: list[tuple[str, str, list[str]]], template: str) -> Grid:
    n_result = len(T3_OUTCOMES_COMMON) + len(T3_OTHER[template]) + 1
    group_sizes = {"（三）不予公开": 8, "（四）无法提供": 3, "（五）不予处理": 5, "（六）其他处理": 3}
    grid: Grid = [
        [_c(T3_NOTE, 3, 3), _c("申请人情况", 7)],
        [_c("自然人"), _c("法人或其他组织", 5), _c("总计")],
        [_c(""), *[_c(name) for name in T3_COLUMNS[1:6]], _c("")],
    ]
    for group, label, cells in rows:
        values = [_c(cell) for cell in cells]
        if label.startswith(("一、", "二、", "四、")):
            grid.append([_c(label, 3), *values])
        elif group == "三、本年度办理结果":
            grid.append([_c(group, 1, n_result), _c(label, 2), *values])
        elif group:
            grid.append([_c(group, 1, group_sizes[group]), _c(label), *values])
        elif label.startswith("（"):
            grid.append([_c(label, 2), *values])
        else:
            grid.append([_c(label), *values])
    return grid


def t4_grid(cells: list[str]) -> Grid:
    return [
        [_c("行政复议", 5), _c("行政诉讼", 10)],
        [*[_c(name) for name in T4_OUTCOMES], _c("未经复议直接起诉", 5), _c("复议后起诉", 5)],
        [*[_c("") for _ in range(5)], *[_c(name) for name in T4_OUTCOMES * 2]],
        [_c(cell) for cell in cells],
    ]


HEADER_ROWS = {"t2": 0, "t3": 3, "t4": 3}  # leading rows whose empty cells are layout, not blank values


def _row_texts(grid: Grid, kind: str) -> list[list[str]]:
    """The texts of each row as a page flattens it: spans dropped, empty header cells dropped."""
    rows = []
    for number, row in enumerate(grid):
        texts = [text for text, _, _ in row]
        rows.append([text for text in texts if text] if number < HEADER_ROWS[kind] else texts)
    return rows


def render_pipe(grid: Grid, kind: str, width: int) -> list[str]:
    """One pipe row per table row (``020``); with ``width``, rows narrower than it end in padding bars, as
    ragged pages print them (``006``: ``第二十条第(一)项 | ||||``, ``规章 | 0 | 0 | 0 | |``)."""
    lines = []
    for texts in _row_texts(grid, kind):
        pad = width - len(texts)
        lines.append(" | ".join(texts) + " |" + (" " + "|" * pad if pad > 0 else ""))
    return lines


def render_cells(grid: Grid, kind: str, width: int, rng: random.Random) -> list[str]:
    """Every cell on its own line ending in `` |``, a row narrower than the table followed by a line of
    padding bars (``019``: ``第二十条第(一)项 |`` then ``|||``)."""
    lines = []
    for texts in _row_texts(grid, kind):
        for text in texts:
            if text and not text[0].isdigit() and len(text) > 4 and rng.random() < 0.05:
                lines += [text, "|"]  # the label and its bar on separate lines (019)
            else:
                lines.append(f"{text} |" if text else "|")
        if width > len(texts):
            lines.append("|" * (width - len(texts)))
    return lines


def render_html_table(grid: Grid) -> list[str]:
    lines = ["<table>"]
    for row in grid:
        cells = []
        for text, colspan, rowspan in row:
            attributes = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1
                                                                               else "")
            cells.append(f"<td{attributes}>{text}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return lines


# ---------------------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------------------


class _Writer:
    """Collects a document as paragraphs and tables, then renders it as text or HTML."""

    def __init__(self, html: bool) -> None:
        self.html = html
        self.lines: list[str] = []

    def para(self, text: str) -> None:
        self.lines.append(f"<p>{text}</p>" if self.html else text)

    def title(self, text: str) -> None:
        self.lines.append(f"<h1>{text}</h1>" if self.html else text)

    def table(self, lines: list[str]) -> None:
        self.lines += lines

    def text(self, title: str) -> str:
        if not self.html:
            return "\n".join(self.lines) + "\n"
        head = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>\n'
                '<body>\n<div id="zoom" class="article-content">')
        return head + "\n" + "\n".join(self.lines) + "\n</div>\n</body></html>\n"


WIDTHS = {"t2": (4, 5), "t3": (10,), "t4": (15, 16)}  # table widths padded to, as seen in real pages


def _table_lines(grid: Grid, kind: str, style: str, rng: random.Random, ragged: bool) -> list[str]:
    if style == "html":
        return render_html_table(grid)
    width = rng.choice(WIDTHS[kind])
    if style == "cells":
        return render_cells(grid, kind, width, rng)
    return render_pipe(grid, kind, width if ragged else 0)


def _national(rng: random.Random, writer: _Writer, template: str, year: int, agency: str, short: str,
              style: str) -> None:
    ragged = rng.random() < 0.3
    half_width = rng.random() < 0.5
    blocks = t2_values(rng, template)
    t3 = t3_values(rng, template)
    t4 = t4_values(rng)
    new_total = t3[0][2][6] or "若干"
    writer.para(f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）要求编制，由{agency}负责。"
                f"本报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。如对本报告有疑问，"
                f"请与{agency}联系（电话：0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}）。")
    writer.para("一、总体情况")
    writer.para(_sentences(rng, year, short, rng.randint(2, 4)))
    for number, heading in enumerate(("（一）主动公开", "（二）依申请公开", "（三）政府信息管理",
                                      "（四）平台建设", "（五）监督保障")):
        if number > 1 and rng.random() < 0.4:
            continue
        writer.para(heading)
        extra = f"全年新收政府信息公开申请{new_total}件。" if number == 1 else ""
        writer.para(extra + _sentences(rng, year, short, rng.randint(1, 4)))
    writer.para("二、主动公开政府信息情况")
    writer.table(_table_lines(t2_grid(blocks, half_width), "t2", style, rng, ragged))
    writer.para("三、收到和处理政府信息公开申请情况")
    writer.table(_table_lines(t3_grid(t3, template), "t3", style, rng, ragged))
    writer.para("四、政府信息公开行政复议、行政诉讼情况")
    writer.table(_table_lines(t4_grid(t4), "t4", style, rng, ragged))
    writer.para("五、存在的主要问题及改进情况")
    writer.para("".join(rng.sample(PROBLEMS, 2)) + "".join(rng.sample(IMPROVEMENTS, rng.randint(1, 3))))
    writer.para("六、其他需要报告的事项")
    writer.para(rng.choice(OTHER_MATTERS).format(year=year))


def _t2014(rng: random.Random, writer: _Writer, year: int, agency: str, short: str, style: str) -> None:
    writer.para(f"根据《中华人民共和国政府信息公开条例》要求，现公布{agency}{year}年度政府信息公开工作年度报告。"
                f"本报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。")
    for heading in T2014_SECTIONS:
        writer.para(heading)
        writer.para(_sentences(rng, year, short, rng.randint(1, 3)))
    above, rows = t2014_table_rows(rng, year, agency)
    for line in above:
        writer.para(line)
    header = ["统 计 指 标" if rng.random() < 0.7 else "统计指标", "单位", "统计数"]
    if style == "html":
        writer.table(render_html_table([[_c(text) for text in header]] + [[_c(t) for t in row] for row in rows]))
    else:
        lines = [" | ".join(header) + " |"]
        for label, unit, value in rows:
            if not unit and not value and rng.random() < 0.5:
                lines.append(f"{label} | ||")
            else:
                lines.append(f"{label} | {unit} | {value} |")
        writer.table(lines)


def _prose_only(rng: random.Random, writer: _Writer, year: int, agency: str, short: str) -> None:
    writer.para(f"本年度报告根据《中华人民共和国政府信息公开条例》编制，全文包括总体情况、主动公开政府信息情况、"
                f"收到和处理政府信息公开申请情况、存在的主要问题及改进情况等部分。统计期限为{year}年1月1日至"
                f"{year}年12月31日。")
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"):
        writer.para(heading)
        if heading.startswith("三"):
            writer.para(f"全年共收到政府信息公开申请{rng.randint(0, 40)}件，均已按时答复。")
        elif heading.startswith("四"):
            writer.para(f"{year}年未发生因政府信息公开引起的行政复议和行政诉讼。")
        for _ in range(rng.randint(1, 3)):
            writer.para(_sentences(rng, year, short, rng.randint(3, 5)))
    writer.para("六、其他需要报告的事项")
    writer.para(rng.choice(OTHER_MATTERS).format(year=year))


YEARS = {"t2014": (2014, 2018), "t2019": (2019, 2020), "t2021": (2021, 2025), "prose": (2014, 2025)}


def draw_document(rng: random.Random) -> tuple[str, str, str, str]:
    """One synthetic document as (kind, rendering, file suffix, text); kind is t2014, t2019, t2021 or prose,
    rendering is pipe, cells or html."""
    kind = rng.choices(("t2014", "t2019", "t2021", "prose"), (25, 30, 30, 15))[0]
    year = rng.randint(*YEARS[kind])
    style = rng.choice(("pipe", "pipe", "cells", "html"))
    if kind == "t2014" and style == "cells":
        style = "pipe"  # the 2014 table is printed as pipe rows (seed 001) or HTML
    html = style == "html" if kind != "prose" else rng.random() < 0.25
    agency, short = _agency(rng)
    writer = _Writer(html)
    title = f"{agency}{year}年{'度' if rng.random() < 0.3 else ''}政府信息公开工作年度报告"
    writer.title(title)
    if kind == "t2014":
        _t2014(rng, writer, year, agency, short, style)
    elif kind == "prose":
        _prose_only(rng, writer, year, agency, short)
    else:
        _national(rng, writer, kind, year, agency, short, style)
    if kind != "t2014" or rng.random() < 0.5:
        writer.para(agency)
    writer.para(_date_line(rng, year))
    return kind, style if kind != "prose" else "prose", (".html" if html else ".txt"), writer.text(title)


def render_document(rng: random.Random) -> tuple[str, str]:
    """One synthetic document as (file suffix, text)."""
    _, _, suffix, text = draw_document(rng)
    return suffix, text


_GENERATED = re.compile(r"^doc_\d{6,}\.(txt|html)$")


def generate(output: Path, n_documents: int, seed: int = 0) -> list[Path]:
    """Write ``n_documents`` documents into ``output`` (created if needed) and return their paths.

    Earlier generated files (``doc_<digits>.txt|html``) in ``output`` are removed first, so that the folder
    holds exactly this corpus; other files are left alone.
    """
    if n_documents < 0:
        raise ValueError("n_documents must be >= 0")
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    for old in output.iterdir():
        if _GENERATED.match(old.name) and old.is_file():
            old.unlink()
    rng = random.Random(seed)
    digits = max(6, len(str(n_documents)))
    paths = []
    for number in range(1, n_documents + 1):
        suffix, text = render_document(rng)
        path = output / f"doc_{number:0{digits}d}{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="folder to write the documents into")
    parser.add_argument("--documents", "-n", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.documents < 0:
        parser.error("--documents must be >= 0")
    started = time.perf_counter()
    paths = generate(args.output, args.documents, args.seed)
    elapsed = time.perf_counter() - started
    size = sum(path.stat().st_size for path in paths)
    print(f"{len(paths)} documents, {size / 1e6:.1f} MB in {args.output} ({elapsed:.2f} s, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
