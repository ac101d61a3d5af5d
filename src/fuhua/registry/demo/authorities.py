"""Who recognises carriers at each level, and the batch (date, document number) of each announcement.

One announcement (文号) lists every carrier recognised in it, so date and number are derived from the
batch alone (a hash, not the random stream): the same in every city and whatever the generation order.
"""

from __future__ import annotations

import datetime
import hashlib

from . import regions

# Provincial abbreviations used in document numbers (苏科高发, 浙科发 …) and the capitals whose bureaus
# stand for municipal level outside Jiangsu, where the demo has no prefecture regions.
PROVINCES = {
    "110000": ("京", "北京"), "120000": ("津", "天津"), "130000": ("冀", "石家庄"), "140000": ("晋", "太原"),
    "150000": ("内", "呼和浩特"), "210000": ("辽", "沈阳"), "220000": ("吉", "长春"), "230000": ("黑", "哈尔滨"),
    "310000": ("沪", "上海"), "320000": ("苏", "南京"), "330000": ("浙", "杭州"), "340000": ("皖", "合肥"),
    "350000": ("闽", "福州"), "360000": ("赣", "南昌"), "370000": ("鲁", "济南"), "410000": ("豫", "郑州"),
    "420000": ("鄂", "武汉"), "430000": ("湘", "长沙"), "440000": ("粤", "广州"), "450000": ("桂", "南宁"),
    "460000": ("琼", "海口"), "500000": ("渝", "重庆"), "510000": ("川", "成都"), "520000": ("黔", "贵阳"),
    "530000": ("云", "昆明"), "540000": ("藏", "拉萨"), "610000": ("陕", "西安"), "620000": ("甘", "兰州"),
    "630000": ("青", "西宁"), "640000": ("宁", "银川"), "650000": ("新", "乌鲁木齐"),
}
_MUNICIPALITY_COMMISSIONS = {"110000": "北京市科学技术委员会", "310000": "上海市科学技术委员会"}
# Municipal bureaus' document prefixes in Jiangsu (宁 is Nanjing's, 锡 Wuxi's …).
CITY_PREFIX = {
    "320100": "宁科", "320200": "锡科", "320300": "徐科", "320400": "常科", "320500": "苏市科", "320600": "通科",
    "320700": "连科", "320800": "淮科", "320900": "盐科", "321000": "扬科", "321100": "镇科", "321200": "泰科",
    "321300": "宿科",
}

# National authority and document prefix per carrier kind; MIIT took incubators over in 2025.
_NATIONAL = {
    "incubator": ("科学技术部", "国科发区", 12),
    "maker_space": ("科学技术部", "国科火字", 10),
    "university_park": ("科学技术部 教育部", "国科发区", 11),
    "rural_star": ("科学技术部", "国科发农", 10),
    "demo_base": ("国务院办公厅", "国办发", 6),
}
MIIT = ("工业和信息化部", "工信部科", 11)
MIIT_FROM_YEAR = 2025

REVOCATION_REASONS = [
    "连续两次考核评价不合格",
    "连续两年未按要求报送火炬统计数据",
    "运营主体变更未在三个月内报告",
    "申报材料弄虚作假",
    "停止孵化服务业务",
]


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _batch(prefix: str, kind: str, year: int, month: int, span: int = 1) -> tuple[datetime.date, str]:
    h = _hash(f"{prefix}:{kind}:{year}")
    day = datetime.date(year, month + h % span, 1 + (h >> 8) % 27)
    return day, f"{prefix}〔{year}〕{10 + (h >> 16) % 290}号"


def provincial_authority(province: str) -> tuple[str, str]:
    if province == regions.JIANGSU:
        return "江苏省科学技术厅", "苏科高发"
    name = regions.rows()[province].name
    if province in _MUNICIPALITY_COMMISSIONS:
        return _MUNICIPALITY_COMMISSIONS[province], f"{PROVINCES[province][0]}科发"
    suffix = "科学技术局" if name.endswith("市") else "科学技术厅"
    return f"{name}{suffix}", f"{PROVINCES[province][0]}科发"


def recognition(level: str, kind: str, year: int, region: str, province: str) -> dict:
    """Authority, document number and date of the batch that recognised a `kind` carrier at `level`."""
    if level == "national":
        authority, prefix, month = MIIT if kind == "incubator" and year >= MIIT_FROM_YEAR else _NATIONAL[kind]
        date, number = _batch(prefix, kind, year, month)
    elif level == "provincial":
        authority, prefix = provincial_authority(province)
        date, number = _batch(prefix, kind, year, 10, 3)
    elif level == "municipal":
        city = regions.rows()[regions.rows()[region].parent] if province == regions.JIANGSU else None
        if city is not None:
            authority, prefix = f"{city.name}科学技术局", CITY_PREFIX[city.code]
        else:
            capital = PROVINCES[province][1]
            authority, prefix = f"{capital}市科学技术局", f"{capital}科"
        date, number = _batch(prefix, kind, year, 5, 7)
    else:
        county = regions.rows()[region]
        authority = "苏州工业园区科技创新委员会" if county.code == regions.SIP else f"{county.name}科学技术局"
        date, number = _batch(f"{county.short}科", kind, year, 3, 9)
    return {"authority": authority, "document_number": number, "granted_on": date}
