"""Explainable matching (供需对接): for a firm's need, a ranked list of mentors, investors, providers, products,
experts and open challenges, each with its reasons in Chinese; for a mentor or an investor, the open needs that
fit them.

How a candidate is scored (the same inputs always give the same list):

- **text**: BM25 (Okapi with Lucene's idf, the `rank-bm25` package) between the need's title and description and
  the candidate's words (a mentor's specialities and the goals and topics of their pairings, a fund's name, a provider's
  introduction, categories and products, an expert's title and employer, a challenge's text), tokenised with
  `jieba`; scaled by the best text score of that kind of candidate for this need, so that it weighs 0–0.40;
- **structured reasons**: the same industry field (0.25), the same county, city or province, or a pool shared
  with the need's region (0.15 / 0.12 / 0.05 / 0.08), the fund's rounds including the round sought (0.15), past
  outcomes (pairings completed and the firms' feedback, deals invested, ratings, challenges won: up to 0.10),
  availability (0.05; a mentor at capacity or an expert who is busy: −0.25).

A candidate is listed when its text or its field fits; ties are broken by kind and id, so the order is stable.
Only candidates whose pool reaches the need's province are considered (a province pool shared with a city
counts). What a link opens is checked against the reader's scope; the names and reasons are the network's
directory, as the marketplace's catalogue is.

The index (tokens, BM25 statistics and the structured columns of every candidate) is built once per process and
kept until something it reads changes (signals bump a version, shared through Django's cache) or for at most
`TTL` seconds (bulk writes send no signals), so a match costs the tokenising of one need and a few vector
operations: benchmarks/matching.py.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache
from django.db.models import Avg, Count, Sum
from django.urls import reverse
from django.utils import timezone
from rank_bm25 import BM25Okapi

from fuhua.core.formatting import money
from fuhua.core.system import SYSTEM
from fuhua.dealflow.models import Deal, DealStatus, Fund
from fuhua.marketplace.models import Product, ProductStatus, Provider, ProviderStatus
from fuhua.mentoring.models import Feedback, Pairing, PairingStatus, PoolMentor, ServiceLog
from fuhua.registry.choices import IndustryField, InvestmentRound
from fuhua.registry.models import ExpertProfile, InvestorProfile, Region

from .models import Challenge, ChallengeResponse, ChallengeStatus, Demand, DemandKind, DemandStatus, ResponseStatus

log = logging.getLogger(__name__)


@functools.cache
def _jieba():
    """jieba, imported on first use: importing it costs ~0.3 s (it loads pkg_resources), which every process
    would otherwise pay at start since this module is imported when the app is ready."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba

TTL = 600  # seconds an index is kept at most (bulk writes send no signals)
TOP = 10
VERSION_KEY = "fuhua.demands.matching.version"
KINDS = ("mentor", "investor", "provider", "product", "expert", "challenge")
KIND_LABELS = {"mentor": "创业导师", "investor": "投资机构", "provider": "服务机构", "product": "服务产品",
               "expert": "专家", "challenge": "揭榜挂帅榜单"}
# Which kinds of candidate answer which kind of need (the others are asked for explicitly).
FOR_KIND = {
    DemandKind.TECHNOLOGY: ("expert", "challenge", "provider", "product", "mentor"),
    DemandKind.FINANCING: ("investor", "mentor"),
    DemandKind.TALENT: ("mentor", "provider", "product"),
    DemandKind.SPACE: ("provider", "product"),
    DemandKind.SERVICE: ("provider", "product", "expert", "mentor"),
}
DETAIL_URLS = {"mentor": "mentoring:poolmentor_detail", "investor": "registry:investorprofile_detail",
               "provider": "marketplace:provider_detail", "product": "marketplace:product_detail",
               "expert": "registry:expertprofile_detail", "challenge": "demands:challenge_detail"}
MODELS = {"mentor": PoolMentor, "investor": InvestorProfile, "provider": Provider, "product": Product,
          "expert": ExpertProfile, "challenge": Challenge}

W_TEXT, W_FIELD, W_STAGE, W_OUTCOME, W_AVAILABLE, W_BUSY = 0.40, 0.25, 0.15, 0.10, 0.05, -0.25
W_COUNTY, W_CITY, W_SHARED, W_PROVINCE = 0.15, 0.12, 0.08, 0.05

FIELD_NAMES = {  # the Chinese words of the industry fields, for reasons and for the text of a profile
    "electronic_info": "电子信息", "ai": "人工智能", "integrated_circuits": "集成电路", "biomedicine": "生物医药",
    "advanced_manufacturing": "先进制造", "new_materials": "新材料", "new_energy": "新能源与节能",
    "environment": "资源与环境", "modern_agriculture": "现代农业", "aerospace": "航空航天",
    "digital_creative": "数字文创", "modern_services": "科技服务", "other": "其他",
}
ROUND_NAMES = {"seed": "种子轮", "angel": "天使轮", "pre_a": "Pre-A轮", "a": "A轮", "b": "B轮", "c": "C轮",
               "later": "后期", "strategic": "战略投资"}
assert set(FIELD_NAMES) == set(IndustryField.values) and set(ROUND_NAMES) == set(InvestmentRound.values)

STOPWORDS = frozenset({
    "的", "了", "和", "与", "及", "或", "等", "在", "为", "对", "是", "有", "我们",
    "我司", "公司", "有限公司", "企业", "需要", "需求", "希望", "寻求", "进行", "相关",
    "一个", "一些", "能够", "提供", "通过", "以及", "其他", "方面", "主要", "目前", "已经",
    "可以", "开展", "实现", "用于", "技术", "行业", "合作", "完成", "方案", "专业", "领域",
    "工作", "经验", "进入", "拓展", "首批", "推进", "提升",
    "解决", "问题", "among", "and", "the", "for", "with",
    "of", "to", "in",
})
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@functools.lru_cache(maxsize=200_000)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    out = []
    for word in _jieba().cut_for_search(chunk):
        word = word.strip().lower()
        if len(word) < 2 or word in STOPWORDS or not _WORD.match(word):
            continue
        out.append(word)
    return tuple(out)


def tokens(text: str) -> list[str]:
    """The words of a text (jieba's search-engine mode), without stopwords, single characters and punctuation.
    Each whitespace-separated chunk is cut on its own (and remembered: a pool repeats its goals and topics)."""
    return [w for chunk in (text or "").split() for w in _chunk_tokens(chunk)]


class LuceneBM25(BM25Okapi):
    """Okapi BM25 (k1 = 1.5, b = 0.75) with Lucene's idf, log(1 + (N − n + 0.5) / (n + 0.5)): it stays positive
    when a word is in half the documents or more, which the classic idf makes zero or negative in a small pool."""

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


# --- the version: bumped by signals on everything the index reads -------------------------------------------

_local = {"version": 0}


def bump(*args, **kwargs) -> None:
    _local["version"] += 1
    try:
        cache.add(VERSION_KEY, 0)
        cache.incr(VERSION_KEY)
    except Exception:  # a cache backend that is down must not break the write that changed the pool
        log.warning("demands: could not bump the matching version", exc_info=True)


def version() -> tuple[int, int]:
    return (cache.get(VERSION_KEY, 0), _local["version"])


WATCHED = (PoolMentor, Pairing, Feedback, ServiceLog, InvestorProfile, Fund, Deal, Provider, Product,
           ExpertProfile, Challenge, ChallengeResponse, Demand)


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in WATCHED:
        post_save.connect(bump, sender=model, dispatch_uid=f"demands.bump.save.{model._meta.label_lower}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"demands.bump.delete.{model._meta.label_lower}")
    for through in (PoolMentor.shared_with.through, ExpertProfile.shared_with.through, Fund.regions.through,
                    Provider.regions.through, Provider.categories.through):
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"demands.bump.m2m.{through._meta.label_lower}")


# --- the documents ------------------------------------------------------------------------------------------


@dataclass
class Doc:
    pk: int
    name: str
    detail: str
    text: str
    fields: frozenset = frozenset()
    region: str = ""  # the candidate's own region code
    shared: tuple = ()  # codes of the regions it is shared with or serves
    stages: frozenset = frozenset()
    outcome: float = 0.0  # 0..1
    outcome_reason: str = ""
    available: int = 0  # 1 available, 0 not said, -1 not available
    availability_reason: str = ""
    owner_firm: int | None = None  # a challenge's posting firm (not matched to that firm's own needs)
    extra_reason: str = ""


@dataclass
class Corpus:
    """One kind of candidate: the documents, their BM25 statistics and structured columns as arrays."""

    kind: str
    docs: list[Doc]
    bm25: LuceneBM25 | None = None
    postings: dict = field(default_factory=dict)  # token → (document positions, term frequencies)
    words: list = field(default_factory=list)  # each document's set of words
    norm: np.ndarray | None = None  # k1 · (1 − b + b · length / average length), per document
    owner: np.ndarray | None = None  # a challenge's posting firm, −1 for none
    pks: np.ndarray | None = None
    province: np.ndarray | None = None  # the 2-digit prefixes as arrays per document (own region)
    city: np.ndarray | None = None
    county: np.ndarray | None = None
    field_mask: dict = field(default_factory=dict)  # field code → bool array
    stage_mask: dict = field(default_factory=dict)
    shared_at: dict = field(default_factory=dict)  # region code → bool array (shared with or serving it)
    outcome: np.ndarray | None = None
    available: np.ndarray | None = None
    reach: dict = field(default_factory=dict)  # province prefix → bool array (any region of it reached)

    def build(self) -> Corpus:
        n = len(self.docs)
        corpus = [tokens(d.text) for d in self.docs]
        self.words = [frozenset(c) for c in corpus]
        if n and any(corpus):
            self.bm25 = LuceneBM25([c or ["\x00"] for c in corpus])
            lengths = np.array(self.bm25.doc_len, dtype=float)
            self.norm = self.bm25.k1 * (1 - self.bm25.b + self.bm25.b * lengths / self.bm25.avgdl)
            postings = defaultdict(lambda: ([], []))
            for i, freqs in enumerate(self.bm25.doc_freqs):
                for w, tf in freqs.items():
                    postings[w][0].append(i)
                    postings[w][1].append(tf)
            self.postings = {w: (np.array(ix, dtype=np.int64), np.array(tf, dtype=float))
                             for w, (ix, tf) in postings.items()}
        self.pks = np.array([d.pk for d in self.docs], dtype=np.int64)
        self.province = np.array([int(d.region[:2] or -1) for d in self.docs], dtype=np.int64)
        self.city = np.array([int(d.region[:4] or -1) for d in self.docs], dtype=np.int64)
        self.county = np.array([int(d.region or -1) for d in self.docs], dtype=np.int64)
        self.owner = np.array([d.owner_firm or -1 for d in self.docs], dtype=np.int64)
        for code in IndustryField.values:
            self.field_mask[code] = np.array([code in d.fields for d in self.docs], dtype=bool)
        for code in InvestmentRound.values:
            self.stage_mask[code] = np.array([code in d.stages for d in self.docs], dtype=bool)
        shared = defaultdict(lambda: np.zeros(n, dtype=bool))
        reach = defaultdict(lambda: np.zeros(n, dtype=bool))
        for i, d in enumerate(self.docs):
            for code in d.shared:
                shared[code][i] = True
            for code in (d.region, *d.shared):
                if code:
                    reach[code[:2]][i] = True
        self.shared_at, self.reach = dict(shared), dict(reach)
        self.outcome = np.array([d.outcome for d in self.docs], dtype=float)
        self.available = np.array([d.available for d in self.docs], dtype=np.int8)
        return self


@dataclass(frozen=True)
class Match:
    kind: str
    pk: int
    name: str
    detail: str
    score: float
    reasons: tuple[str, ...]
    url: str | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def reason_text(self) -> str:
        return "；".join(self.reasons)


class Index:
    """Every kind's corpus, and the names of the regions its reasons speak of."""

    def __init__(self, today=None):
        self.today = today or timezone.localdate()
        self.region_names = dict(Region.objects.restrict(SYSTEM).values_list("code", "name"))
        self.corpora = {kind: Corpus(kind, loader(self.today)).build() for kind, loader in LOADERS.items()}

    def region_name(self, code: str) -> str:
        return self.region_names.get(code, code)


def _join(*parts) -> str:
    return " ".join(str(p) for p in parts if p)


def _ratio(completed: int, total: int) -> float:
    return min(1.0, completed / total) if total else 0.0


def load_mentors(today) -> list[Doc]:
    shared = defaultdict(list)
    for pid, code in PoolMentor.shared_with.through.objects.values_list("poolmentor_id", "region_id"):
        shared[pid].append(code)
    done = dict(Pairing.objects.filter(status=PairingStatus.COMPLETED).values("mentor_id")
                .annotate(n=Count("id")).values_list("mentor_id", "n"))
    active = dict(Pairing.objects.filter(status=PairingStatus.ACTIVE).values("mentor_id")
                  .annotate(n=Count("id")).values_list("mentor_id", "n"))
    rated = {m: (avg, n) for m, avg, n in Feedback.objects.values("pairing__mentor_id")
             .annotate(avg=Avg("score"), n=Count("id")).values_list("pairing__mentor_id", "avg", "n")}
    words = defaultdict(set)
    for mid, goals in Pairing.objects.values_list("mentor_id", "goals").distinct():
        words[mid].add(goals)
    for mid, topic in ServiceLog.objects.values_list("mentor_id", "topic").distinct():
        words[mid].add(topic)
    docs = []
    for m in (PoolMentor.objects.restrict(SYSTEM).filter(active=True).select_related("profile")
              .order_by("pk")):
        p = m.profile
        n_done, n_active = done.get(m.pk, 0), active.get(m.pk, 0)
        avg, n_rated = rated.get(m.pk, (None, 0))
        outcome, said = 0.0, []
        if n_done:
            said.append(f"已完成结对辅导{n_done}次")
            outcome += 0.5 * min(1.0, n_done / 5)
        if avg is not None:
            said.append(f"企业评分{avg:.1f}（{n_rated}条）")
            outcome += 0.5 * max(0.0, (avg - 3) / 2)
        free = n_active < m.capacity
        docs.append(Doc(
            pk=m.pk, name=p.name, detail=_join(p.title, p.employer, FIELD_NAMES[p.industry_field]),
            text=_join(p.title, p.employer, FIELD_NAMES[p.industry_field], m.specialities, *sorted(words[m.pk])),
            fields=frozenset({p.industry_field}), region=p.region_id, shared=tuple(sorted(shared[m.pk])),
            outcome=outcome, outcome_reason="，".join(said), available=1 if free else -1,
            availability_reason=(f"当前辅导{n_active}/{m.capacity}，尚有名额" if free
                                 else f"辅导名额已满（{n_active}/{m.capacity}）")))
    return docs


def load_investors(today) -> list[Doc]:
    funds = defaultdict(list)
    for f in Fund.objects.restrict(SYSTEM).order_by("pk"):
        funds[f.institution_id].append(f)
    fund_regions = defaultdict(list)
    for fid, code in Fund.regions.through.objects.values_list("fund_id", "region_id"):
        fund_regions[fid].append(code)
    invested = dict(Deal.objects.filter(status=DealStatus.INVESTED).values("institution_id")
                    .annotate(n=Count("id")).values_list("institution_id", "n"))
    docs = []
    for inv in InvestorProfile.objects.restrict(SYSTEM).select_related("institution").order_by("pk"):
        own = funds.get(inv.institution_id, [])
        fields = {inv.focus_field, *(c for f in own for c in f.industry_fields or [])}
        stages = {s for f in own for s in f.stages or []}
        n = invested.get(inv.institution_id, 0)
        docs.append(Doc(
            pk=inv.pk, name=inv.name, detail=_join(inv.institution.name, inv.position),
            text=_join(inv.institution.name, inv.position, *(FIELD_NAMES[c] for c in sorted(fields)),
                       *(f.name for f in own), *(ROUND_NAMES.get(s, s) for s in sorted(stages)), "投资 融资"),
            fields=frozenset(fields), region=inv.region_id,
            shared=tuple(sorted({c for f in own for c in fund_regions[f.pk]})), stages=frozenset(stages),
            outcome=min(1.0, n / 5), outcome_reason=f"所在机构已投资{n}家企业" if n else ""))
    return docs


def load_providers(today) -> list[Doc]:
    cats = defaultdict(list)
    for pid, name in Provider.categories.through.objects.values_list("provider_id", "servicecategory__name"):
        cats[pid].append(name)
    regions = defaultdict(list)
    for pid, code in Provider.regions.through.objects.values_list("provider_id", "region_id"):
        regions[pid].append(code)
    products = defaultdict(list)
    for pid, name in (Product.objects.filter(status=ProductStatus.PUBLISHED)
                      .values_list("provider_id", "name").order_by("pk")):
        products[pid].append(name)
    ratings = {pid: (t, n) for pid, t, n in Product.objects.values("provider_id")
               .annotate(t=Sum("rating_total"), n=Sum("rating_count")).values_list("provider_id", "t", "n")}
    docs = []
    for p in (Provider.objects.restrict(SYSTEM).filter(status=ProviderStatus.LISTED).select_related("organisation")
              .order_by("pk")):
        total, n = ratings.get(p.pk, (0, 0))
        avg = (total / n) if n else None
        docs.append(Doc(
            pk=p.pk, name=p.organisation.name, detail="、".join(sorted(cats[p.pk])),
            text=_join(p.organisation.name, p.introduction, *sorted(cats[p.pk]), *products[p.pk][:30]),
            region=p.organisation.region_id, shared=tuple(sorted(regions[p.pk])),
            outcome=max(0.0, (avg - 3) / 2) if avg else 0.0,
            outcome_reason=f"服务评分{avg:.1f}（{n}条评价）" if avg else ""))
    return docs


def load_products(today) -> list[Doc]:
    regions = defaultdict(list)
    for pid, code in Provider.regions.through.objects.values_list("provider_id", "region_id"):
        regions[pid].append(code)
    docs = []
    for p in (Product.objects.restrict(SYSTEM).filter(status=ProductStatus.PUBLISHED,
                                                      provider__status=ProviderStatus.LISTED)
              .select_related("provider__organisation", "category").order_by("pk")):
        avg = float(p.rating_avg) if p.rating_avg is not None else None
        docs.append(Doc(
            pk=p.pk, name=p.name, detail=_join(p.provider.organisation.name, p.category.name,
                                               f"{money(p.price_fen)}/{p.unit}"),
            text=_join(p.name, p.category.name, p.description[:400], p.provider.organisation.name),
            region=p.provider.organisation.region_id, shared=tuple(sorted(regions[p.provider_id])),
            outcome=max(0.0, (avg - 3) / 2) if avg else 0.0,
            outcome_reason=f"评分{avg:.1f}（{p.rating_count}条评价）" if avg else ""))
    return docs


def load_experts(today) -> list[Doc]:
    shared = defaultdict(list)
    for eid, code in ExpertProfile.shared_with.through.objects.values_list("expertprofile_id", "region_id"):
        shared[eid].append(code)
    won = dict(ChallengeResponse.objects.filter(status=ResponseStatus.PICKED, expert__isnull=False)
               .values("expert_id").annotate(n=Count("id")).values_list("expert_id", "n"))
    docs = []
    for e in (ExpertProfile.objects.restrict(SYSTEM).filter(active=True).exclude(availability="retired")
              .select_related("organisation").order_by("pk")):
        busy = e.availability == "busy" and e.busy_until and e.busy_until >= today
        n = won.get(e.pk, 0)
        docs.append(Doc(
            pk=e.pk, name=e.name, detail=_join(e.title, e.organisation.name if e.organisation else ""),
            text=_join(e.title, e.organisation.name if e.organisation else "",
                       *(FIELD_NAMES.get(c, c) for c in e.fields or [])),
            fields=frozenset(e.fields or []), region=e.region_id, shared=tuple(sorted(shared[e.pk])),
            outcome=min(1.0, n / 3), outcome_reason=f"已揭榜成功{n}次" if n else "",
            available=-1 if busy else 1,
            availability_reason=f"忙碌至{e.busy_until:%Y-%m-%d}" if busy else "可接受邀请"))
    return docs


def load_challenges(today) -> list[Doc]:
    docs = []
    for c in (Challenge.objects.restrict(SYSTEM).filter(status=ChallengeStatus.OPEN, deadline__gte=today)
              .select_related("firm", "region").order_by("pk")):
        poster = c.firm.name if c.firm else f"{c.region.name}科技主管部门"
        docs.append(Doc(
            pk=c.pk, name=c.title, detail=poster, text=_join(c.title, c.description, FIELD_NAMES[c.industry_field]),
            fields=frozenset({c.industry_field}), region=c.region_id, owner_firm=c.firm_id,
            extra_reason=f"悬赏{money(c.reward_fen)}，{c.deadline:%Y-%m-%d}截止揭榜"))
    return docs


LOADERS = {"mentor": load_mentors, "investor": load_investors, "provider": load_providers,
           "product": load_products, "expert": load_experts, "challenge": load_challenges}


# --- the cached indexes ---------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple] = {}  # key → (version, built at, value, day, seconds the build took)
_building: set[str] = set()
SLOW_BUILD = 3.0  # seconds: an index slower to build than this is rebuilt in the background, the old one served


def _fresh(entry, current) -> bool:
    return (entry is not None and entry[0] == current and time.monotonic() - entry[1] < TTL
            and entry[3] == timezone.localdate())


def _build(key: str, build, current) -> object:
    _jieba().initialize()  # its dictionary, loaded once per process: not part of how long the index takes
    started = time.monotonic()
    value = build()
    _cache[key] = (current, time.monotonic(), value, timezone.localdate(), time.monotonic() - started)
    return value


def _rebuild_in_background(key: str, build, current) -> None:
    from django.db import connection

    try:
        _build(key, build, current)
    except Exception:
        log.exception("demands: rebuilding the matching index %s failed", key)
    finally:
        _building.discard(key)
        connection.close()  # this thread's own database connection


def _cached(key: str, build):
    """The index under `key`: rebuilt when what it reads changed (the version), at most TTL old, of today. An index
    that took long to build is rebuilt in a background thread while the previous one still answers (for the few
    seconds of the build); a first build, or a quick one, is done at once."""
    current = version()
    entry = _cache.get(key)
    if _fresh(entry, current):
        return entry[2]
    with _lock:
        entry = _cache.get(key)
        if _fresh(entry, current):
            return entry[2]
        if entry is not None and entry[4] > SLOW_BUILD and entry[3] == timezone.localdate():
            if key not in _building:
                _building.add(key)
                threading.Thread(target=_rebuild_in_background, args=(key, build, current), daemon=True,
                                 name=f"fuhua-demands-{key}").start()
            return entry[2]
        return _build(key, build, current)


def pool_index() -> Index:
    return _cached("pool", Index)


def clear() -> None:
    _cache.clear()


# --- scoring ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What a match reads of a demand (or of a mentor's or investor's profile, in reverse)."""

    text: str
    field: str
    region: str
    stage: str = ""
    firm_id: int | None = None

    @classmethod
    def of(cls, demand: Demand) -> Need:
        return cls(text=_join(demand.title, demand.description),
                   field=demand.industry_field, region=demand.region_id,
                   stage=demand.stage if demand.kind == DemandKind.FINANCING else "", firm_id=demand.firm_id)


def _text_scores(corpus: Corpus, query: list[str], eligible: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """BM25 of the query against the corpus (0 where no query word occurs), only for the eligible documents."""
    n = len(corpus.docs)
    scores = np.zeros(n)
    if corpus.bm25 is None or not query:
        return scores, []
    k1, idf = corpus.bm25.k1, corpus.bm25.idf
    for w in query:  # as rank_bm25's get_scores, a repeated word counts again, over its postings only
        hit = corpus.postings.get(w)
        if hit is not None:
            ix, tf = hit
            scores[ix] += idf[w] * tf * (k1 + 1) / (tf + corpus.norm[ix])
    scores[~eligible] = 0.0
    return scores, np.flatnonzero(scores).tolist()


def shared_words(corpus: Corpus, words: frozenset, query: set[str], n: int = 3) -> list[str]:
    """The rarest words the need and the document share (longer first; none that is part of one already said)."""
    chosen: list[str] = []
    for w in sorted(words & query,
                    key=lambda w: (-round(corpus.bm25.idf.get(w, 0.0), 9), -len(w), w)):
        if not any(w in c for c in chosen):
            chosen.append(w)
        if len(chosen) == n:
            break
    return chosen


def score_corpus(index: Index, corpus: Corpus, need: Need, query: list[str], top: int = TOP) -> list[Match]:
    n = len(corpus.docs)
    if not n:
        return []
    eligible = corpus.reach.get(need.region[:2], np.zeros(n, dtype=bool)).copy()
    if corpus.kind == "challenge" and need.firm_id:
        eligible &= corpus.owner != need.firm_id
    text, _ids = _text_scores(corpus, query, eligible)
    best = text.max() if len(text) else 0.0
    text_part = W_TEXT * (text / best) if best > 0 else np.zeros(n)
    same_field = corpus.field_mask.get(need.field, np.zeros(n, dtype=bool))
    county = corpus.county == int(need.region)
    city = (corpus.city == int(need.region[:4])) & ~county
    province = (corpus.province == int(need.region[:2])) & ~county & ~city
    shared = np.zeros(n, dtype=bool)
    for code in {need.region, need.region[:4] + "00", need.region[:2] + "0000"}:
        if code in corpus.shared_at:
            shared |= corpus.shared_at[code]
    shared &= ~county & ~city
    region_part = np.where(county, W_COUNTY, np.where(city, W_CITY, np.where(shared, W_SHARED,
                                                                              np.where(province, W_PROVINCE, 0.0))))
    stage = corpus.stage_mask.get(need.stage, np.zeros(n, dtype=bool)) if need.stage else np.zeros(n, dtype=bool)
    available = np.where(corpus.available > 0, W_AVAILABLE, np.where(corpus.available < 0, W_BUSY, 0.0))
    score = (text_part + W_FIELD * same_field + region_part + W_STAGE * stage + W_OUTCOME * corpus.outcome
             + available)
    relevant = eligible & ((text > 0) | same_field)
    idx = np.flatnonzero(relevant)
    if not len(idx):
        return []
    rounded = np.round(score[idx], 6)
    order = idx[np.lexsort((corpus.pks[idx], -rounded))][:top]
    qset = set(query)
    out = []
    for i in order:
        d = corpus.docs[i]
        reasons = []
        if same_field[i]:
            reasons.append(f"同属{FIELD_NAMES[need.field]}领域")
        if stage[i]:
            reasons.append(f"投资阶段含{ROUND_NAMES[need.stage]}")
        if county[i]:
            reasons.append(f"同在{index.region_name(need.region)}")
        elif city[i]:
            reasons.append(f"同在{index.region_name(need.region[:4] + '00')}")
        elif shared[i]:
            reasons.append(f"{index.region_name(d.region)}共享至{index.region_name(need.region[:4] + '00')}")
        elif province[i]:
            reasons.append(f"同在{index.region_name(need.region[:2] + '0000')}")
        if text[i] > 0:
            reasons.append(f"描述相近（{'、'.join(shared_words(corpus, corpus.words[i], qset))}）")
        if d.outcome_reason:
            reasons.append(d.outcome_reason)
        if d.availability_reason:
            reasons.append(d.availability_reason)
        if d.extra_reason:
            reasons.append(d.extra_reason)
        out.append(Match(corpus.kind, d.pk, d.name, d.detail, round(float(score[i]), 4), tuple(reasons)))
    return out


def with_links(user, matches: list[Match]) -> list[Match]:
    """Each match with the link to its page where `user` may view it (one scoped query per kind)."""
    by_kind = defaultdict(list)
    for m in matches:
        by_kind[m.kind].append(m.pk)
    visible = {kind: set(MODELS[kind].objects.restrict(user, "view").filter(pk__in=pks).values_list("pk", flat=True))
               for kind, pks in by_kind.items()}
    return [Match(m.kind, m.pk, m.name, m.detail, m.score, m.reasons,
                  reverse(DETAIL_URLS[m.kind], kwargs={"pk": m.pk}) if m.pk in visible[m.kind] else None)
            for m in matches]


def match_need(need: Need, kinds=KINDS, top: int = TOP, index: Index | None = None) -> dict[str, list[Match]]:
    """The ranked candidates of each kind for one need (no links: `with_links` adds them for a reader)."""
    index = index or pool_index()
    query = tokens(need.text)
    return {kind: score_corpus(index, index.corpora[kind], need, query, top) for kind in kinds}


def match_demand(user, demand: Demand, kinds=None, top: int = TOP) -> dict[str, list[Match]]:
    """For a demand `user` may view: the candidates of the kinds that answer it (or `kinds`), with links."""
    found = match_need(Need.of(demand), tuple(kinds or FOR_KIND[demand.kind]), top)
    flat = with_links(user, [m for ms in found.values() for m in ms])
    linked = {(m.kind, m.pk): m for m in flat}
    return {kind: [linked[(m.kind, m.pk)] for m in ms] for kind, ms in found.items()}


# --- the reverse direction: open needs that fit a mentor or an investor ----------------------------------------


def _demand_docs(today) -> list[Doc]:
    return [Doc(pk=d.pk, name=d.title, detail=str(d.poster), text=_join(d.title, d.description),
                fields=frozenset({d.industry_field}), region=d.region_id,
                stages=frozenset({d.stage} if d.stage else ()), extra_reason=f"{d.get_kind_display()}",
                outcome=0.0)
            for d in (Demand.objects.restrict(SYSTEM).filter(status=DemandStatus.OPEN, deadline__gte=today)
                      .select_related("firm", "team").order_by("pk"))]


def demand_index() -> Corpus:
    return _cached("demands", lambda: Corpus("demand", _demand_docs(timezone.localdate())).build())


@dataclass(frozen=True)
class Profile:
    """A mentor's or investor's side of a reverse match."""

    text: str
    fields: frozenset
    region: str
    stages: frozenset = frozenset()
    financing_only: bool = False


def profile_of_mentor(p) -> Profile:
    """A registry mentor, with their pool entry's specialities and the goals of their pairings when in the pool."""
    pool = PoolMentor.objects.filter(profile=p).first()
    goals = set(Pairing.objects.filter(mentor=pool).values_list("goals", flat=True)[:50]) if pool else set()
    return Profile(_join(FIELD_NAMES[p.industry_field], p.title, p.employer, pool.specialities if pool else "",
                         *sorted(goals)), frozenset({p.industry_field}), p.region_id)


def profile_of_investor(inv: InvestorProfile) -> Profile:
    funds = list(Fund.objects.filter(institution_id=inv.institution_id).order_by("pk"))
    fields = frozenset({inv.focus_field, *(c for f in funds for c in f.industry_fields or [])})
    stages = frozenset(s for f in funds for s in f.stages or [])
    return Profile(_join(*(FIELD_NAMES[c] for c in sorted(fields)), *(f.name for f in funds), "融资"), fields,
                   inv.region_id, stages, financing_only=True)


def fitting_demands(user, profile: Profile, top: int = TOP) -> list[tuple[Demand, float, tuple[str, ...]]]:
    """The open demands `user` may view that fit the profile best, with the reasons."""
    corpus = demand_index()
    n = len(corpus.docs)
    if not n:
        return []
    query = tokens(profile.text)
    text, _ids = _text_scores(corpus, query, np.ones(n, dtype=bool))
    best = text.max()
    text_part = W_TEXT * (text / best) if best > 0 else np.zeros(n)
    same_field = np.zeros(n, dtype=bool)
    for code in profile.fields:
        same_field |= corpus.field_mask.get(code, np.zeros(n, dtype=bool))
    city = corpus.city == int(profile.region[:4])
    province = (corpus.province == int(profile.region[:2])) & ~city
    stage = np.zeros(n, dtype=bool)
    for code in profile.stages:
        stage |= corpus.stage_mask.get(code, np.zeros(n, dtype=bool))
    score = text_part + W_FIELD * same_field + np.where(city, W_CITY, np.where(province, W_PROVINCE, 0.0)) \
        + W_STAGE * stage
    relevant = (text > 0) | same_field
    if profile.financing_only:
        relevant &= np.array([bool(d.stages) for d in corpus.docs], dtype=bool)
    idx = np.flatnonzero(relevant)
    if not len(idx):
        return []
    order = idx[np.lexsort((corpus.pks[idx], -np.round(score[idx], 6)))][:top * 5]
    visible = {d.pk: d for d in Demand.objects.restrict(user, "view").filter(
        pk__in=[int(corpus.pks[i]) for i in order]).select_related("firm", "team", "region")}
    index = pool_index()
    out, qset = [], set(query)
    for i in order:
        d = corpus.docs[i]
        if d.pk not in visible:
            continue
        reasons = []
        if same_field[i]:
            reasons.append(f"同属{'、'.join(FIELD_NAMES[c] for c in sorted(d.fields & profile.fields))}领域")
        if stage[i]:
            reasons.append(f"所需{'、'.join(ROUND_NAMES[s] for s in sorted(d.stages))}在投资阶段内")
        if city[i]:
            reasons.append(f"同在{index.region_name(profile.region[:4] + '00')}")
        elif province[i]:
            reasons.append(f"同在{index.region_name(profile.region[:2] + '0000')}")
        if text[i] > 0:
            reasons.append(f"描述相近（{'、'.join(shared_words(corpus, corpus.words[i], qset))}）")
        out.append((visible[d.pk], round(float(score[i]), 4), tuple(reasons)))
        if len(out) == top:
            break
    return out


def field_filter_baseline(demand: Demand, kinds=None, top: int = TOP) -> dict[str, list[int]]:
    """The benchmark's baseline: candidates of the same industry field and province, by id, without ranking."""
    out = {}
    prefix = demand.region_id[:2]
    for kind in kinds or FOR_KIND[demand.kind]:
        qs = MODELS[kind].objects.restrict(SYSTEM)
        qs = {"mentor": lambda q: q.filter(active=True, profile__industry_field=demand.industry_field,
                                           profile__region__code__startswith=prefix),
              "investor": lambda q: q.filter(focus_field=demand.industry_field, region__code__startswith=prefix),
              "provider": lambda q: q.filter(status=ProviderStatus.LISTED,
                                             organisation__region__code__startswith=prefix),
              "product": lambda q: q.filter(status=ProductStatus.PUBLISHED,
                                            provider__organisation__region__code__startswith=prefix),
              "expert": lambda q: q.filter(fields__icontains=f'"{demand.industry_field}"', active=True,
                                           region__code__startswith=prefix),
              "challenge": lambda q: q.filter(status=ChallengeStatus.OPEN, industry_field=demand.industry_field,
                                              region__code__startswith=prefix)}[kind](qs)
        out[kind] = list(qs.order_by("pk").values_list("pk", flat=True)[:top])
    return out
