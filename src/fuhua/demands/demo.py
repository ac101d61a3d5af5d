"""The demo's demands and challenges (揭榜挂帅), a year of them, calibrated to published figures:

- needs: about 6.5 % of the tenant firms post one a year — the share of 航天云网's 23万 registered users behind its
  "需求发布近15000条" (《中国航天科工集团公司双创经验总结》 四、实践成效) — across technology, financing,
  talent, space and service needs in the firm's field; published over the last year, most still open, some
  matched, closed or expired;
- challenges: each city's bureau publishes three and the province two, as the Jiangsu science department
  collects firms' technical problems and solutions through "揭榜挂帅" (its 科技"三服务"行动实施方案,
  reported in the association newsletter's 创业服务《省科技厅部署开展科技“三服务”行动》), and
  tenant firms publish some of their own; providers, universities and institutes and experts respond; past ones
  are awarded to a picked response.

The demo accounts: `firm` has three open needs (technology, financing, talent) with matches and a challenge of
its own with responses waiting for its pick; `provider` and `expert` have an open Suzhou challenge to respond to
(their inbox) and a response picked before. Dates are relative to the demo's `today`; bulk rows are
system-loaded (no per-object history), states through the workflows' bulk steps."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from fuhua.accounts.models import RoleGrant
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.registry.models import ExpertProfile, Firm, Organisation, Region

from . import matching
from .models import Challenge, ChallengeResponse, Demand, ResponseStatus
from .workflow import CHALLENGE_WORKFLOW, DEMAND_WORKFLOW, RESPONSE_WORKFLOW

OPEN_FOR_DEMO = "MEMS传感器温漂补偿算法揭榜"
SHARE_POSTING = 0.065  # 15000 needs / 230,000 registered users (《中国航天科工集团公司双创经验总结》)
JIANGSU, SUZHOU = "320000", "320500"
TOPICS = {
    "electronic_info": ["5G射频前端模组", "工业物联网网关", "高速光通信模块", "嵌入式操作系统"],
    "ai": ["机器视觉缺陷检测", "大模型私有化部署", "语音识别降噪", "智能客服知识库"],
    "integrated_circuits": ["MEMS传感器封装", "模拟芯片版图设计", "功率器件可靠性测试", "芯片良率分析"],
    "biomedicine": ["抗体药物筛选平台", "体外诊断试剂注册", "细胞治疗工艺开发", "医疗器械临床评价"],
    "advanced_manufacturing": ["工业机器人减速器", "精密数控加工工艺", "激光焊接自动化", "数字孪生产线"],
    "new_materials": ["碳纤维复合材料成型", "石墨烯导热膜", "高分子改性材料", "陶瓷基板"],
    "new_energy": ["固态电池电解质", "光伏组件回收", "储能系统热管理", "氢燃料电池膜电极"],
    "environment": ["工业废水深度处理", "VOCs在线监测", "固废资源化利用", "土壤修复药剂"],
    "modern_agriculture": ["设施农业环境控制", "农产品冷链溯源", "生物农药制剂", "智慧灌溉"],
    "aerospace": ["无人机飞控系统", "卫星遥感数据处理", "航空复合材料检测", "北斗高精度定位"],
    "digital_creative": ["数字人直播", "文旅元宇宙场景", "游戏引擎渲染优化", "短视频智能剪辑"],
    "modern_services": ["科技成果转化评估", "知识产权运营", "检验检测认证", "技术转移服务"],
    "other": ["企业数字化转型", "供应链管理系统", "跨境电商服务", "新零售解决方案"],
}
SERVICES = ["知识产权布局与专利申请", "高新技术企业认定申报辅导", "财务审计与代理记账", "法律顾问与股权架构设计",
            "检验检测与认证", "商业计划书与路演辅导"]
ROUNDS = [("seed", "种子轮"), ("angel", "天使轮"), ("pre_a", "Pre-A轮"), ("a", "A轮")]


def need(rng: random.Random, firm_field: str, kind: str) -> dict:
    topic = rng.choice(TOPICS[firm_field])
    if kind == "technology":
        return {"title": f"{topic}技术攻关", "description": f"我司在{topic}方面遇到技术瓶颈，寻求高校院所、专业机构或"
                f"行业专家合作，完成样机验证与工艺优化。", "budget_fen": rng.choice((20, 50, 80, 150)) * 1_000_000}
    if kind == "financing":
        stage, label = rng.choice(ROUNDS)
        amount = rng.choice((300, 500, 800, 1500, 3000))
        return {"title": f"{label}融资{amount}万元", "stage": stage, "budget_fen": amount * 1_000_000,
                "description": f"公司专注{topic}，产品已进入试点应用，寻求{label}融资，资金用于研发投入和市场拓展。"}
    if kind == "talent":
        n = rng.choice((1, 2, 3, 5))
        return {"title": f"招聘{topic}工程师{n}名", "positions": n, "budget_fen": rng.choice((20, 30, 45)) * 1_000_000,
                "description": f"负责{topic}相关研发工作，本科及以上学历，三年以上相关经验；年薪面议。"}
    if kind == "space":
        area = rng.choice((200, 500, 1000, 2000))
        return {"title": f"扩租研发及中试场地{area}平方米", "budget_fen": area * 60 * 100 * 12,
                "description": f"随{topic}产品量产，需要{area}平方米研发及中试场地，层高与承重满足设备安装。"}
    service = rng.choice(SERVICES)
    return {"title": f"{service}服务", "budget_fen": rng.choice((3, 5, 10, 20)) * 1_000_000,
            "description": f"围绕{topic}业务，需要{service}方面的专业服务，希望服务机构提供方案与报价。"}


DEMO_NEEDS = (  # the demo firm's open needs
    ("technology", {"title": "MEMS压力传感器晶圆级封装工艺攻关", "budget_fen": 80_000_000,
                    "description": "我司MEMS压力传感器进入小批量试产，晶圆级封装良率偏低、温漂偏大，"
                                   "寻求高校院所或专业机构合作攻关封装工艺与温漂补偿算法。"}),
    ("financing", {"title": "A轮融资3000万元", "stage": "a", "budget_fen": 3_000_000_000,
                   "description": "产品已进入汽车电子与工业控制客户的试点应用，寻求A轮融资，"
                                  "用于产线建设、研发投入和市场拓展。"}),
    ("talent", {"title": "招聘传感器算法工程师3名", "positions": 3, "budget_fen": 40_000_000,
                "description": "负责传感器信号处理与温度补偿算法，硕士及以上学历，熟悉嵌入式开发。"}),
)
KINDS = ["technology"] * 35 + ["financing"] * 25 + ["talent"] * 20 + ["service"] * 12 + ["space"] * 8


def _grant(username: str, field: str):
    grant = RoleGrant.objects.filter(user__username=username).exclude(**{f"{field}__isnull": True}).first()
    return getattr(grant, f"{field}_id", None) if grant else None


def _by_month(rows, key):
    groups = defaultdict(list)
    for row in rows:
        groups[key(row).replace(day=1)].append(row)
    return sorted(groups.items())


def load_demands(run: DemoRun) -> None:
    if Demand.objects.exists():
        run.note("demands: already loaded")
        return
    province = Region.objects.filter(code=JIANGSU).first()
    if province is None:
        run.note("demands: no demo province")
        return
    rng, today = random.Random(20261204), run.today  # noqa: S311  (demo data, reproducible)
    tenants = list(Firm.objects.filter(incubations__status="incubating", region__code__startswith=JIANGSU[:2])
                   .order_by("id").values_list("id", "industry_field", "region_id", "incubations__carrier_id"))
    demo_firm = _grant("firm", "firm")
    count = max(1, round(len(tenants) * SHARE_POSTING))
    chosen = rng.sample(tenants, min(count, len(tenants)))
    run.begin(4)
    with acting_as(None, source="demo"):
        demands = []
        for firm_id, field, region_id, carrier_id in chosen:
            if firm_id == demo_firm:
                continue
            kind = rng.choice(KINDS)
            published = today - datetime.timedelta(days=rng.randint(0, 360))
            deadline = published + datetime.timedelta(days=rng.choice((30, 60, 90, 180)))
            demands.append(Demand(firm_id=firm_id, carrier_id=carrier_id, kind=kind, industry_field=field,
                                  region_id=region_id, deadline=deadline, published_on=published,
                                  **need(rng, field, kind)))
        firm = Firm.objects.filter(pk=demo_firm).first()
        if firm is not None:
            carrier = firm.incubations.filter(status="incubating").values_list("carrier_id", flat=True).first()
            for kind, extra in DEMO_NEEDS:
                demands.append(Demand(firm_id=firm.pk, carrier_id=carrier, kind=kind,
                                      industry_field=firm.industry_field, region_id=firm.region_id,
                                      deadline=today + datetime.timedelta(days=60),
                                      published_on=today - datetime.timedelta(days=7), **extra))
        Demand.objects.bulk_create(demands, batch_size=2000)
        DEMAND_WORKFLOW.apply_bulk(SYSTEM, demands, "publish", fields=("published_on",),
                                   on=today - datetime.timedelta(days=400))
        run.advance()
        past = [d for d in demands if d.deadline < today]
        running = [d for d in demands if d.deadline >= today and d.firm_id != demo_firm]
        matched = [d for d in past + running if rng.random() < 0.25]
        matched_ids = {id(d) for d in matched}
        closed = [d for d in past + running if id(d) not in matched_ids and rng.random() < 0.08]
        done = matched_ids | {id(d) for d in closed}
        expired = [d for d in past if id(d) not in done]
        for month, group in _by_month(matched, lambda d: min(today, d.published_on + datetime.timedelta(days=25))):
            DEMAND_WORKFLOW.apply_bulk(SYSTEM, group, "match", reason="经平台推荐完成对接",
                                       fields=("closed_on", "close_note"), on=min(today, month + datetime.timedelta(
                                           days=20)))
        DEMAND_WORKFLOW.apply_bulk(SYSTEM, closed, "close", reason="企业已自行解决", fields=("closed_on", "close_note"),
                                   on=today)
        for _month, group in _by_month(expired, lambda d: d.deadline):
            DEMAND_WORKFLOW.apply_bulk(SYSTEM, group, "expire", fields=("closed_on", "close_note"),
                                       on=max(d.deadline for d in group) + datetime.timedelta(days=1))
        run.advance()
        n_challenges, n_responses = _challenges(rng, today, province, tenants, demo_firm)
        run.advance()
    matching.bump()  # bulk rows send no signals: the matching index is rebuilt on its next use
    run.advance()
    run.note(f"demands: {len(demands)} needs from {len(tenants)} tenant firms ({SHARE_POSTING:.1%}; 航天云网: "
             f"需求发布近15000条), {len(matched)} matched, {len(closed)} closed, {len(expired)} expired; "
             f"{n_challenges} challenges (揭榜挂帅) with {n_responses} responses")


def _challenges(rng, today, province, tenants, demo_firm) -> tuple[int, int]:
    cities = list(Region.objects.filter(parent=province).order_by("code"))
    responders = list(Organisation.objects.filter(kind__in=("service_provider", "university", "institute"),
                                                  region__code__startswith=JIANGSU[:2]).order_by("id")
                      .values_list("id", flat=True))
    experts = list(ExpertProfile.objects.filter(active=True).exclude(availability="retired").order_by("id")
                   .values_list("id", flat=True))
    demo_provider = _grant("provider", "organisation")
    demo_expert = ExpertProfile.objects.filter(user__username="expert").values_list("id", flat=True).first()
    plans = []  # (region, firm, field, days ago published)
    for city in cities:
        for _ in range(3):
            plans.append((city.pk, None, rng.choice(list(TOPICS)), rng.randint(10, 330)))
    for _ in range(2):
        plans.append((province.pk, None, rng.choice(list(TOPICS)), rng.randint(10, 330)))
    for firm_id, field, region_id, _carrier in rng.sample(tenants, min(30, len(tenants))):
        if firm_id != demo_firm:
            plans.append((region_id, firm_id, field, rng.randint(10, 330)))
    challenges = []
    for region_id, firm_id, field, ago in plans:
        topic = rng.choice(TOPICS[field])
        published = today - datetime.timedelta(days=ago)
        challenges.append(Challenge(
            title=f"{topic}关键技术揭榜", industry_field=field, region_id=region_id, firm_id=firm_id,
            description=f"面向本地重点企业的技术需求，征集{topic}方面的技术解决方案，揭榜方需在一年内完成验证。",
            reward_fen=rng.choice((50, 100, 200, 500)) * 1_000_000, published_on=published,
            deadline=published + datetime.timedelta(days=rng.choice((30, 45, 60)))))
    suzhou = next((c for c in cities if c.code == SUZHOU), None)
    if suzhou is not None:  # the demo provider's and expert's open challenge, and the demo firm's own
        challenges.append(Challenge(
            title=OPEN_FOR_DEMO, industry_field="integrated_circuits", region_id=suzhou.pk, reward_fen=200_000_000,
            published_on=today - datetime.timedelta(days=5), deadline=today + datetime.timedelta(days=40),
            description="征集MEMS传感器温度漂移补偿与标定的技术解决方案（苏州市科技局发布）。"))
        if demo_firm:
            firm = Firm.objects.get(pk=demo_firm)
            challenges.append(Challenge(title="晶圆级封装良率提升方案揭榜", industry_field=firm.industry_field,
                                        region_id=firm.region_id, firm_id=firm.pk, reward_fen=100_000_000,
                                        published_on=today - datetime.timedelta(days=40),
                                        deadline=today - datetime.timedelta(days=2),
                                        description="我司征集晶圆级封装良率提升的工艺方案，揭榜成功后签订技术开发合同。"))
    Challenge.objects.bulk_create(challenges, batch_size=500)
    CHALLENGE_WORKFLOW.apply_bulk(SYSTEM, challenges, "publish", fields=("published_on",),
                                  on=today - datetime.timedelta(days=400))
    responses = []
    for c in challenges:
        if c.title == OPEN_FOR_DEMO:
            continue  # open for the demo provider and expert
        orgs = rng.sample(responders, min(len(responders), rng.choice((1, 2, 3))))
        if c.firm_id == demo_firm and demo_provider and demo_provider not in orgs:
            orgs.append(demo_provider)
        for org in orgs:
            responses.append(ChallengeResponse(
                challenge=c, organisation_id=org, proposal="提出分阶段技术路线与验证方案",
                price_fen=c.reward_fen * rng.choice((6, 8, 10)) // 10,
                submitted_on=c.published_on + datetime.timedelta(days=rng.randint(1, 20))))
        for expert in rng.sample(experts, min(len(experts), rng.choice((0, 1)))):
            responses.append(ChallengeResponse(challenge=c, expert_id=expert, proposal="牵头组建产学研团队攻关",
                                               submitted_on=c.published_on + datetime.timedelta(days=3)))
    # The demo provider and expert each won one challenge that is already over.
    over = [c for c in challenges if c.deadline < today and c.firm_id != demo_firm]
    for winner_kind, who in (("organisation_id", demo_provider), ("expert_id", demo_expert)):
        if who and over:
            c = over.pop(0)
            responses = [r for r in responses if not (r.challenge is c and getattr(r, winner_kind) == who)]
            responses.insert(0, ChallengeResponse(challenge=c, proposal="基于前期积累的成熟方案快速落地",
                                                  submitted_on=c.published_on + datetime.timedelta(days=2),
                                                  **{winner_kind: who}))
    ChallengeResponse.objects.bulk_create(responses, batch_size=2000)
    by_challenge = defaultdict(list)
    for r in responses:
        by_challenge[r.challenge_id].append(r)
    for c in challenges:
        rows = by_challenge.get(c.pk, [])
        if c.deadline >= today or c.firm_id == demo_firm:
            continue
        if not rows:
            CHALLENGE_WORKFLOW.apply(SYSTEM, c, "expire", on=c.deadline + datetime.timedelta(days=1))
            continue
        decided = min(today, c.deadline + datetime.timedelta(days=14))
        winner = rows[0]  # the first to respond (the demo provider's and expert's wins were put first)
        RESPONSE_WORKFLOW.apply(SYSTEM, winner, "pick", on=decided)
        others = [r for r in rows if r is not winner and r.status == ResponseStatus.SUBMITTED]
        RESPONSE_WORKFLOW.apply_bulk(SYSTEM, others, "decline", fields=("decided_on",), on=decided)
        CHALLENGE_WORKFLOW.apply(SYSTEM, c, "award", on=decided)
    return len(challenges), len(responses)
