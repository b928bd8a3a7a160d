"""Office statistics for the supervisor: what the counters see and how the review goes.

Figures (all from the store, no personal data):

- consultations per ISO week by main category (ended consultations, by the JST date they started);
- schemes proposed (shown by the assistant) and pinned (案内した by staff), per scheme;
- share of submitted records that were returned at least once;
- average time from the end of a consultation to its approval (hours).

Charts are Plotly figures rendered as HTML fragments without plotly.js; the page loads plotly.js
from the installed package through a local route (``plotly_js``), never from a CDN.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from sqlalchemy import func, select

from assistant.app.review_store import ReviewIndex
from assistant.app.store import Consultation, Store, SuggestionRow

FONT = "Noto Sans CJK JP, Noto Sans JP, sans-serif"


@dataclass
class Overview:
    weeks: list[str] = field(default_factory=list)
    per_week: dict[str, list[int]] = field(default_factory=dict)  # category → count per week
    schemes: list[tuple[str, int, int]] = field(default_factory=list)  # (name, proposed, pinned)
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    hours_to_approval: float | None = None

    @property
    def returned_share(self) -> float | None:
        return self.returned / self.submitted if self.submitted else None


def _week(day: dt.date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def compute(store: Store, since: dt.date | None = None) -> Overview:
    """All figures of the overview page (``since``: only consultations started on or after)."""
    ov = Overview()
    with store.session() as s:
        q = select(ReviewIndex.date, ReviewIndex.category, ReviewIndex.submitted_at, ReviewIndex.approved_at,
                   ReviewIndex.returned_count, Consultation.ended_at, Consultation.review_status) \
            .join(Consultation, Consultation.id == ReviewIndex.consultation_id)
        if since:
            q = q.where(ReviewIndex.date >= since)
        rows = s.execute(q).all()
        sq = select(SuggestionRow.scheme_id, SuggestionRow.name, SuggestionRow.status, func.count()) \
            .group_by(SuggestionRow.scheme_id, SuggestionRow.name, SuggestionRow.status)
        sugg = s.execute(sq).all()
    counts: dict[str, Counter] = defaultdict(Counter)
    waits = []
    for day, category, submitted, approved, returned, ended, status in rows:
        if day:
            counts[category or "未分類"][_week(day)] += 1
        if submitted:
            ov.submitted += 1
            ov.returned += 1 if returned else 0
        if status == "approved" and approved and ended:
            ov.approved += 1
            waits.append((approved - ended).total_seconds() / 3600)
    ov.weeks = sorted({w for c in counts.values() for w in c})
    ov.per_week = {cat: [c[w] for w in ov.weeks] for cat, c in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))}
    ov.hours_to_approval = sum(waits) / len(waits) if waits else None
    ov.schemes = _schemes(sugg)
    return ov


def _schemes(rows: list) -> list[tuple[str, int, int]]:
    proposed: Counter = Counter()
    pinned: Counter = Counter()
    names: dict[str, str] = {}
    for sid, name, status, n in rows:
        names[sid] = names.get(sid) or name or sid
        proposed[sid] += n
        if status == "pinned":
            pinned[sid] += n
    return [(names[sid], n, pinned[sid]) for sid, n in proposed.most_common(20)]


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, font={"family": FONT}, margin={"l": 40, "r": 10, "t": 50, "b": 40},
                      height=360, legend={"orientation": "h"}, template="plotly_white")
    return fig


def charts(ov: Overview) -> list[str]:
    """HTML fragments of the charts (plotly.js not included: the page loads it locally)."""
    weekly = go.Figure([go.Bar(name=cat, x=ov.weeks, y=ys) for cat, ys in ov.per_week.items()])
    weekly.update_layout(barmode="stack", showlegend=True, yaxis={"tickformat": ",d", "rangemode": "tozero"})
    names = [s[0] for s in ov.schemes][::-1]
    schemes = go.Figure([go.Bar(name="提案", y=names, x=[s[1] for s in ov.schemes][::-1], orientation="h"),
                         go.Bar(name="案内した", y=names, x=[s[2] for s in ov.schemes][::-1], orientation="h")])
    schemes.update_layout(yaxis={"automargin": True}, xaxis={"tickformat": ",d"})
    review = go.Figure([go.Bar(x=["確認依頼", "差戻しあり", "承認"], y=[ov.submitted, ov.returned, ov.approved],
                               marker_color=["#2a6f97", "#b36b00", "#2e7d32"])])
    figs = [_layout(weekly, "週ごとの相談件数（主な分類別）"), _layout(schemes, "制度の提案と案内"),
            _layout(review, "記録の確認状況")]
    schemes.update_layout(height=max(360, 28 * len(names) + 100))
    return [f.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})
            for f in figs]


def plotly_js() -> str:
    """plotly.js from the installed Python package (served by a local route)."""
    return get_plotlyjs()
