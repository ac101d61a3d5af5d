"""Demo step of the service desk: stewards in Suzhou and Nanjing, and months of requests replayed through the
real services and workflow (opened, routed, answered, asked back, resolved, rated or closed unrated), so that
every status, some overdue requests and some ratings are there. The demo accounts: `firm` has an open request
and a resolved one to rate; `steward_sz` has requests to answer; `operator` has one waiting for its answer."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fuhua.accounts.models import RoleGrant
from fuhua.accounts.roles import Role
from fuhua.core import services as core_services
from fuhua.core.context import acting_as
from fuhua.core.demo import DemoRun
from fuhua.core.system import SYSTEM
from fuhua.registry.models import Carrier, Firm, Region

from . import services, topics
from .models import ServiceRequest, Status, Steward
from .workflow import REQUEST_WORKFLOW

SUZHOU, NANJING = "320500", "320100"

# (username, Chinese name, region, topics (empty: all), capacity); steward_sz and steward_nj are demo accounts.
STEWARDS = [
    ("steward_sz", "张磊", SUZHOU, [], 30),
    ("steward_sz_2", "李娜", SUZHOU, ["policy", "application", "financing"], 20),
    ("steward_nj", "陈静", NANJING, [], 30),
    ("steward_nj_2", "刘洋", NANJING, ["registration", "site", "talent", "other"], 20),
]

ASKS = {
    "policy": [("高新技术企业认定奖励申领咨询",
                "我司今年首次通过高新技术企业认定，请问区里的认定奖励如何申领，需要哪些材料？"),
               ("研发费用加计扣除口径", "研发人员人工费用中的五险一金能否全部计入加计扣除范围？"),
               ("科技型中小企业评价入库", "今年科技型中小企业评价入库的时间节点和条件是什么？"),
               ("首次融资奖励是否适用", "我司上月完成天使轮融资，请问是否符合在孵企业首次融资奖励的条件？")],
    "application": [("专精特新申报辅导", "准备申报省级专精特新中小企业，希望有专人指导申报书的填写。"),
                    ("创新券申报材料", "第一次申请科技创新券，申报系统里的合同附件格式有什么要求？"),
                    ("大学生创业补贴申请", "团队成员均为在校研究生，想了解大学生创业启动补贴的申报流程。")],
    "registration": [("分公司设立登记", "计划在园区设立分公司，请协助办理工商登记和税务报到。"),
                     ("医疗器械经营备案", "二类医疗器械经营备案需要哪些材料，能否全程代办？"),
                     ("经营范围变更", "需要增加技术进出口经营范围，请问办理流程和时限。")],
    "site": [("扩租办公场地", "团队扩张到 40 人，希望在孵化器内增加约 200 平方米办公面积。"),
             ("实验室场地需求", "需要具备通风条件的化学实验室场地，园区是否有可用空间？"),
             ("孵化期满续租", "孵化期明年到期，请问毕业后能否在加速器继续租用？")],
    "financing": [("知识产权质押贷款", "我司有 6 项发明专利，想了解知识产权质押贷款的对接渠道。"),
                  ("对接天使投资", "希望参加下一期项目路演，对接早期投资机构。"),
                  ("科技贷款贴息", "去年的科技贷款能否申请贴息，贴息比例是多少？")],
    "talent": [("人才公寓申请", "新引进两名博士，请问人才公寓的申请条件和排队情况。"),
               ("高层次人才项目推荐", "创始人拟申报市级领军人才项目，需要园区出具推荐意见。"),
               ("外籍人员工作许可", "拟聘用一名外籍工程师，请协助办理外国人工作许可。")],
    "other": [("园区网络接入", "新入驻工位的专线网络何时可以开通？"),
              ("企业开放日活动", "想在孵化器举办一次产品开放日，请问场地和宣传如何协调？")],
}
ANSWERS = ["您好，已收到您的诉求，我是您的服务管家，将全程跟进办理。",
           "您好，相关政策文件和办理指引已整理，请查看附件说明，如有疑问随时联系。",
           "已与相关部门对接，预计本周内给出答复。"]
QUESTIONS = ["请补充营业执照副本和近一年的财务报表。", "请确认联系人和联系电话，以便部门直接对接。",
             "请提供相关合同或协议的扫描件。"]
REPLIES = ["材料已按要求补充，请查收。", "联系人为财务负责人，电话已在附件中注明。", "合同扫描件已上传。"]
RESOLUTIONS = ["已协助完成办理，结果已通知企业。", "政策解读已答复，申报材料已预审通过。",
               "已对接落实，企业确认无其他需求。", "已转交专业服务机构跟进，企业已签约。"]
COMMENTS = {5: ["管家响应很快，全程代办，非常满意。", "一对一服务，省了很多跑腿。"],
            4: ["办理顺利，个别材料要求可以提前说明。", "答复专业，整体满意。"],
            3: ["问题解决了，但等待时间偏长。"], 2: ["答复不够具体，还需自己多次跑部门。"], 1: ["拖了很久才处理。"]}


def _users_for(usernames) -> dict:
    return {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}


def ensure_stewards() -> list[Steward]:
    """The stewards (bureau staff of Suzhou and Nanjing), their users created when missing (demo accounts keep
    theirs: demo/accounts.py)."""
    User = get_user_model()
    out = []
    for username, name, region_code, topic_codes, capacity in STEWARDS:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            continue
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@demo.fuhua.cn")
            user.set_unusable_password()
            user.save()
        if not user.first_name:
            user.first_name = name
            user.save(update_fields=["first_name"])
        RoleGrant.objects.get_or_create(user=user, role=Role.BUREAU, region=region)
        steward = Steward.objects.filter(user=user, region=region).first() or core_services.create_object(
            SYSTEM, Steward, {"user": user, "region": region, "topics": topic_codes, "capacity": capacity})
        out.append(steward)
    return out


def _requesters(city: str, n: int, rng: random.Random) -> list:
    firms = list(Firm.objects.filter(region__code__startswith=city[:4]).order_by("id")[:400])
    operators = list({c.operator for c in Carrier.objects.filter(region__code__startswith=city[:4])
                      .select_related("operator").order_by("id")[:60]})
    pool = firms + operators[: max(1, len(operators) // 3)]
    return [rng.choice(pool) for _ in range(n)] if pool else []


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class Replay:
    def __init__(self, rng: random.Random, today: datetime.date):
        self.rng, self.today = rng, today
        self.now = _at(today, 9)

    def open(self, requester, topic: str, opened: datetime.datetime, user=None) -> ServiceRequest:
        title, body = self.rng.choice(ASKS[topic])
        kind = "firm" if isinstance(requester, Firm) else "organisation"
        return services.open_request(user or SYSTEM, {kind: requester, "title": title, "topic": topic, "body": body},
                                     at=opened)

    def steward_of(self, request):
        return request.steward.user if request.steward_id else SYSTEM

    def answer(self, request, at):
        services.post_message(self.steward_of(request), request, self.rng.choice(ANSWERS), at=at)

    def ask(self, request, at):
        services.take_step(self.steward_of(request), request, "ask", reason=self.rng.choice(QUESTIONS), at=at)

    def reply(self, request, at, user=None):
        services.post_message(user or SYSTEM, request, self.rng.choice(REPLIES), at=at, as_steward=False)

    def resolve(self, request, at):
        services.take_step(self.steward_of(request), request, "resolve", reason=self.rng.choice(RESOLUTIONS), at=at)

    def rate(self, request, at, user=None):
        score = self.rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 13, 8, 4])[0]
        services.rate(user or SYSTEM, request, score, self.rng.choice(COMMENTS[score]), at=at)

    def later(self, at: datetime.datetime, hours: float) -> datetime.datetime:
        return min(at + datetime.timedelta(hours=hours), self.now)

    def play(self, request, fate: str, user=None) -> None:
        """Take the request as far as `fate`: assigned, in_progress, waiting, resolved, closed, unrated, reopened."""
        if fate == "assigned" or request.status != Status.ASSIGNED:
            return
        at = self.later(request.opened_at, self.rng.choice([2, 5, 20, 30, 50]))
        self.answer(request, at)
        if fate == "in_progress":
            return
        if self.rng.random() < 0.4 or fate == "waiting":
            at = self.later(at, self.rng.choice([4, 24, 48]))
            self.ask(request, at)
            if fate == "waiting":
                return
            at = self.later(at, self.rng.choice([6, 30, 70]))
            self.reply(request, at, user)
        at = self.later(at, self.rng.choice([24, 50, 90, 160, 300]))
        self.resolve(request, at)
        if fate == "resolved":
            return
        if fate == "reopened":
            REQUEST_WORKFLOW.apply(user or SYSTEM, request, "reopen", reason="问题仍未完全解决，请继续跟进。",
                                   at=self.later(at, 30))
            return
        if fate == "unrated":
            REQUEST_WORKFLOW.apply(SYSTEM, request, "close_unrated",
                                   at=at + datetime.timedelta(days=topics.settings().close_unrated_after_days + 1))
            return
        self.rate(request, self.later(at, self.rng.choice([2, 20, 60])), user)


def _fate(age_days: int, rng: random.Random) -> str:
    if age_days > 45:
        return rng.choices(["closed", "unrated", "reopened"], weights=[70, 25, 5])[0]
    if age_days > 20:
        return rng.choices(["closed", "unrated", "resolved", "in_progress"], weights=[55, 10, 25, 10])[0]
    if age_days > 7:
        return rng.choices(["closed", "resolved", "in_progress", "waiting", "assigned"],
                           weights=[25, 30, 20, 15, 10])[0]
    return rng.choices(["assigned", "in_progress", "waiting", "resolved"], weights=[40, 30, 15, 15])[0]


@transaction.atomic
def load_desk(run: DemoRun) -> None:
    rng = random.Random(20261202)  # noqa: S311 (demo data, reproducible)
    n = 100 if run.scale in ("small", "city") else 240
    with acting_as(None, source="demo"), services.no_mail():
        stewards = ensure_stewards()
        if not stewards:
            run.note("desk: no Suzhou or Nanjing in the demo regions; no requests")
            return
        if ServiceRequest.objects.exists():
            run.note("desk: requests already present; kept")
            return
        run.begin(n + 4)
        replay = Replay(rng, run.today)
        plan = []
        for city, share in ((SUZHOU, 0.6), (NANJING, 0.4)):
            for requester in _requesters(city, round(n * share), rng):
                plan.append((requester, rng.randint(0, 150)))
        for requester, age in sorted(plan, key=lambda p: -p[1]):
            topic = rng.choices(list(topics.topics()), weights=[30, 20, 12, 12, 12, 9, 5])[0]
            opened = _at(run.today - datetime.timedelta(days=age), rng.randint(8, 17))
            request = replay.open(requester, topic, opened)
            replay.play(request, _fate(age, rng))
            run.advance()
        # Opened overnight: new, waiting for the morning routing run or for the bureau to assign them.
        for requester in _requesters(SUZHOU, 2, rng) + _requesters(NANJING, 1, rng):
            title, body = rng.choice(ASKS["policy"])
            kind = "firm" if isinstance(requester, Firm) else "organisation"
            services.open_request(SYSTEM, {kind: requester, "title": title, "topic": "policy", "body": body},
                                  at=_at(run.today - datetime.timedelta(days=1), 22), route_now=False)
        _demo_accounts(replay, run)
        # Notices of the replayed history are old news: only those about the last week's requests stay unread.
        week = _at(run.today - datetime.timedelta(days=7), 0)
        services.Notice.objects.exclude(request__opened_at__gte=week).update(read_at=timezone.now())
    counts = {s: ServiceRequest.objects.filter(status=s).count() for s in Status.values}
    overdue = ServiceRequest.objects.filter(services.overdue_q(timezone.localdate())).count()
    run.note(f"desk: {len(stewards)} stewards, {sum(counts.values())} requests "
             f"({', '.join(f'{k} {v}' for k, v in counts.items())}), {overdue} overdue, "
             f"{ServiceRequest.objects.filter(rating__isnull=False).count()} rated")


def _demo_accounts(replay: Replay, run: DemoRun) -> None:
    """The demo accounts' own requests: `firm` has an open one and a resolved one to rate, `operator` one
    waiting for its answer, `steward_sz` new ones to answer (routed to it as the least loaded of Suzhou)."""
    users = _users_for(["firm", "operator", "steward_sz"])
    firm_user, operator_user = users.get("firm"), users.get("operator")
    grant = RoleGrant.objects.filter(user=firm_user, role=Role.FIRM).select_related("firm").first() \
        if firm_user else None
    if grant is not None:
        recent = _at(run.today - datetime.timedelta(days=1), 10)
        open_one = replay.open(grant.firm, "policy", recent, user=firm_user)
        replay.play(open_one, "in_progress", firm_user)
        earlier = _at(run.today - datetime.timedelta(days=9), 14)
        done = replay.open(grant.firm, "financing", earlier, user=firm_user)
        replay.play(done, "resolved", firm_user)
        run.advance(2)
    grant = RoleGrant.objects.filter(user=operator_user, role=Role.OPERATOR).select_related("organisation").first() \
        if operator_user else None
    if grant is not None:
        waiting = replay.open(grant.organisation, "application", _at(run.today - datetime.timedelta(days=4), 11),
                              user=operator_user)
        replay.play(waiting, "waiting", operator_user)
        run.advance()
    steward = Steward.objects.filter(user__username="steward_sz").first()
    if steward is not None:
        firms = list(Firm.objects.filter(region__code__startswith=SUZHOU[:4]).order_by("-id")[:3])
        for i, firm in enumerate(firms):
            request = replay.open(firm, ["registration", "site", "talent"][i], _at(run.today, 9 + i))
            if request.steward_id != steward.pk:
                services.assign(SYSTEM, request, steward, reason="演示：分配给苏州服务管家")
        run.advance()
