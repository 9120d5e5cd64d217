"""Read queries behind the queue views: counts per view and keyset-paged rows.

Keyset paging: each page continues after the last row's sort key, so page 500 costs
the same as page 1 (OFFSET would rescan everything before it). Rows come back as
small tuples-turned-dataclasses; nothing here loads a whole table.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from leadtriage.store.lenient import as_text, lenient_text
from leadtriage.store.schema import LEAD_COLUMNS as _KINDS

LIST_COLUMNS = (
    "id, public_id, first_name, last_name, title, company, status, score, "
    "next_action_at, last_touch_at, source, campaign, phone, email, country, timezone, "
    "attempts, do_not_call, created_at"
)


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: int
    public_id: str
    first_name: str | None
    last_name: str | None
    title: str | None
    company: str | None
    status: str
    score: int
    next_action_at: str | None
    last_touch_at: str | None
    source: str | None
    campaign: str | None
    phone: str | None
    email: str | None
    country: str | None
    timezone: str | None
    attempts: int
    do_not_call: int
    created_at: str
    owner: str | None = None
    nurture_until: str | None = None
    connects: int = 0

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(no name)"


BY_SCORE = (("score", "DESC"), ("created_at", "DESC"), ("id", "DESC"))
BY_NEXT = (("next_action_at", "ASC"), ("id", "ASC"))
BY_RECENT = (("last_touch_at", "DESC"), ("id", "DESC"))

def counts_by_status(conn: sqlite3.Connection) -> dict[str, int]:
    """Leads per status (and "all"), from the trigger-kept `lead_counts` table."""
    counts: dict[str, int] = {}
    try:
        rows = conn.execute("SELECT status, sum(n) FROM lead_counts GROUP BY status").fetchall()
    except sqlite3.OperationalError:  # a read-only look at a database not yet migrated
        rows = conn.execute("SELECT status, count(*) FROM leads GROUP BY status").fetchall()
    for status, n in rows:
        if n:
            counts[status] = n
    counts["all"] = sum(counts.values())
    return counts


def _after(order: tuple[tuple[str, str], ...], key: tuple) -> tuple[str, list]:
    """Rows strictly after `key` in `order`. Only the first column may hold NULL
    (SQLite sorts NULL first ascending, last descending); the rest never do."""
    cols = [c for c, _ in order]
    op = ">" if order[0][1] == "ASC" else "<"
    first, rest = cols[0], cols[1:]
    whole = f"({', '.join(cols)}) {op} ({', '.join('?' for _ in cols)})"
    if not rest:
        return whole, list(key)
    tail = f"({', '.join(rest)}) {op} ({', '.join('?' for _ in rest)})"
    if order[0][1] == "ASC":
        if key[0] is None:
            return f"({first} IS NULL AND {tail}) OR {first} IS NOT NULL", list(key[1:])
        return whole, list(key)
    if key[0] is None:
        return f"{first} IS NULL AND {tail}", list(key[1:])
    return f"{whole} OR {first} IS NULL", list(key)


# Rows for display read what a foreign tool left in a text column (a BLOB, invalid
# UTF-8) as text; see `store.lenient`. Keys that go back into SQL stay as stored.


def lead_detail(conn: sqlite3.Connection, lead_id: int) -> dict | None:
    with lenient_text(conn):
        cur = conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
        row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: as_text(v) for d, v in zip(cur.description, row, strict=True)}


def timeline(conn: sqlite3.Connection, lead_id: int, limit: int = 500) -> list[dict]:
    with lenient_text(conn):
        cur = conn.execute(
            "SELECT id, kind, disposition, duration_s, notes, occurred_at, rep, data FROM activities "
            "WHERE lead_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?",
            (lead_id, limit),
        )
        rows = cur.fetchall()
    names = [d[0] for d in cur.description]
    return [dict(zip(names, map(as_text, r), strict=True)) for r in rows]


# ======================================================================================
# The rep's queue: views made of keyset-paged segments, sorts, filters and search.
#
# A query is planned into an ordered list of `Segment`s. Paging walks segment 1 to its
# end, then segment 2, ... Each segment is one indexed SELECT with a total order, so a
# page costs the same wherever it is. Today's work order is five segments (overdue
# callbacks, callbacks due today, new leads, attempts due, nurture resurfacing);
# sorting by the lead's local time is one segment per time zone, in offset order.
# ======================================================================================

TODAY = "today"
NURTURE_DUE = "nurture_due"
WORKING = ("attempting", "engaged", "rejected")  # statuses whose next action is a callback


@dataclass(frozen=True)
class QueueView:
    key: str
    label: str
    where: str  # SQL over leads with named parameters :now, :day_end, :today
    order: tuple[tuple[str, str], ...]  # natural ("priority") order
    description: str = ""


QUEUE_VIEWS: dict[str, QueueView] = {
    v.key: v
    for v in (
        QueueView(TODAY, "Today", "", (), "Your work order: callbacks, new leads, attempts due, nurture resurfacing"),
        QueueView("new", "New", "leads.status = 'new'", BY_SCORE, "Never attempted; best score first"),
        QueueView("attempting", "Attempting", "leads.status = 'attempting'", BY_NEXT),
        QueueView("engaged", "Engaged", "leads.status = 'engaged'", BY_NEXT),
        QueueView(
            NURTURE_DUE, "Nurture due",
            "leads.status = 'nurture' AND (leads.next_action_at <= :now OR "
            "(leads.next_action_at IS NULL AND leads.nurture_until <= :today))",
            BY_NEXT, "Nurtured leads whose resurface date has come",
        ),
        QueueView("qualified", "Qualified", "leads.status = 'qualified'", BY_SCORE),
        QueueView("handed_off", "Handed off", "leads.status = 'handed_off'", BY_RECENT),
        QueueView("all", "All", "1", (("id", "DESC"),)),
        QueueView("disqualified", "Disqualified", "leads.status = 'disqualified'", BY_RECENT),
        QueueView("rejected", "Rejected by field", "leads.status = 'rejected'", BY_RECENT),
        QueueView("opportunity", "Opportunity", "leads.status = 'opportunity'", BY_RECENT),
        QueueView("nurture", "All nurture", "leads.status = 'nurture'", BY_NEXT),
    )
}

# Today's bands. Disjoint by construction; do-not-call leads are never in the work order.
_CALLBACK = "leads.status IN ('attempting', 'engaged', 'rejected') AND (leads.status <> 'attempting' OR coalesce(leads.connects, 0) > 0)"
TODAY_BANDS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("Overdue", f"{_CALLBACK} AND leads.next_action_at < :now", BY_NEXT),
    ("Due today", f"{_CALLBACK} AND leads.next_action_at >= :now AND leads.next_action_at < :day_end", BY_NEXT),
    ("New", "leads.status = 'new'", BY_SCORE),
    ("Attempt due", "leads.status = 'attempting' AND (leads.next_action_at IS NULL OR "
     "(leads.next_action_at <= :now AND coalesce(leads.connects, 0) = 0))", BY_NEXT),
    ("Resurfacing", "leads.status = 'nurture' AND leads.next_action_at IS NULL AND leads.nurture_until <= :today",
     (("id", "ASC"),)),
    ("Resurfacing", "leads.status = 'nurture' AND leads.next_action_at <= :now", BY_NEXT),
)

# Sortable columns: key -> (label, order builder). "priority" is the view's own order.
SORT_KEYS = ("priority", "name", "score", "next_action", "last_touch", "company", "local_time")


def _sort_order(key: str, descending: bool) -> tuple[tuple[str, str], ...]:
    d = "DESC" if descending else "ASC"
    return {
        "score": (("leads.score", d), ("leads.created_at", d), ("leads.id", d)),
        "next_action": (("leads.next_action_at", d), ("leads.id", d)),
        "last_touch": (("leads.last_touch_at", d), ("leads.id", d)),
        "company": (("leads.company COLLATE NOCASE", d), ("leads.id", d)),
        "name": (("leads.last_name COLLATE NOCASE", d), ("leads.id", d)),  # by last name, as in a CRM
        "local_time": (("leads.id", d),),  # within one zone; zones are segments
    }[key]


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    score_min: int | None = None
    score_max: int | None = None
    callable_now: bool = False

    @property
    def active(self) -> bool:
        return self != Filters()


@dataclass(frozen=True)
class QueueQuery:
    view: str = TODAY
    sort: str = "priority"
    descending: bool = False
    filters: Filters = Filters()
    search: str = ""
    # An ad-hoc list (a dashboard drill-down) instead of a named view.
    custom: QueueView | None = None


def view_of(query: QueueQuery) -> QueueView:
    return query.custom or QUEUE_VIEWS[query.view]


@dataclass(frozen=True)
class Moment:
    """The instant a plan is made for, and the rep's local day around it. Fixed per
    plan, so paging through a view never shifts rows between bands."""

    now: datetime
    tz: object | None = None  # tzinfo of the rep; None = this machine's
    calling_hours: object | None = None  # domain.localtime.CallingHours; None = default

    @property
    def utc(self) -> datetime:
        from datetime import UTC

        now = self.now if self.now.tzinfo else self.now.astimezone()
        return now.astimezone(UTC)

    def local(self) -> datetime:
        return self.utc.astimezone(self.tz) if self.tz else self.utc.astimezone()

    def params(self) -> dict[str, str]:
        from datetime import timedelta

        from leadtriage.store.timeutil import to_db

        local = self.local()
        day_end = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        return {"now": to_db(self.utc), "day_end": to_db(day_end), "today": local.date().isoformat()}


@dataclass(frozen=True)
class Segment:
    label: str
    where: str
    params: dict
    order: tuple[tuple[str, str], ...]
    from_sql: str = "leads"
    # Pick the page's ids first, then read their rows: for a band read whole and
    # sorted (Today by a column), only the page's rows are read from the table.
    narrow: bool = False


# Leads held by a cadence show only in its band, once their step is due (see
# `store.cadence_tables`); the flag rides in the bands' covering index.
_NOT_IN_CADENCE = "coalesce(leads.in_cadence, 0) = 0"
CADENCE_BAND = Segment(
    "Cadence due",
    "enrolments.ended_at IS NULL AND enrolments.paused_at IS NULL AND enrolments.due_at <= :now",
    {}, (("enrolments.due_at", "ASC"), ("enrolments.lead_id", "ASC")),
    "enrolments JOIN leads ON leads.id = enrolments.lead_id",
)
CADENCE_BAND_AT = 2  # after the callbacks promised for today, before new leads


@dataclass(frozen=True)
class Cursor:
    segment: int
    after: tuple | None


@dataclass(frozen=True, slots=True)
class QueueItem:
    row: LeadRow
    band: str  # the segment's label: "Overdue", "New", ... (Today), "" elsewhere
    key: tuple


# A text column is read as its bytes and decoded by `as_text`: a value that is not
# UTF-8 then shows with U+FFFD instead of failing the whole page. (The sort keys after
# these columns are read as stored: they go back into SQL for the next page.)
ROW_SELECT = ", ".join(
    f"CAST(leads.{c} AS BLOB)" if _KINDS.get(c) is str else f"leads.{c}"
    for c in [c.strip() for c in LIST_COLUMNS.split(",")] + ["owner", "nurture_until", "connects"]
)
_ROW_WIDTH = len(ROW_SELECT.split(","))


def fts_query(text: str) -> str | None:
    """User text -> a safe FTS5 MATCH expression: every word a quoted prefix term,
    all words required. Quote marks, operators (- : * ^ AND OR NEAR) and brackets in
    the input are only ever data. Words shorter than two characters are dropped:
    a one-letter prefix has no prefix index and would scan every term. Returns None
    when nothing searchable is left."""

    words = [w for w in re.findall(r"[^\W_]+", text or "") if len(w) >= 2]
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:12])


_PHONE_TEXT = re.compile(r"[\d\s+\-()./]+")


def phone_digits(text: str) -> str | None:
    """The digits to look for when the search text is a phone number as a person
    writes it, else None. An international prefix (00) and a national trunk 0 are
    dropped: `030 5525372` and `0049 30 5525372` then are runs of +49305525372's
    digits. Short runs that start with 0 (`0100`, the last four) are kept whole.
    Fewer than three digits is not a look-up (the index is of three-digit runs)."""
    if not text or not _PHONE_TEXT.fullmatch(text.strip()):
        return None
    digits = re.sub(r"\D", "", text)
    if digits.startswith("00"):
        digits = digits.lstrip("0")
    elif digits.startswith("0") and len(digits) >= 6:
        digits = digits[1:]
    return digits if len(digits) >= 3 else None


def _filter_sql(f: Filters, moment: Moment, zones: list[str]) -> tuple[list[str], dict]:
    clauses: list[str] = []
    params: dict = {}

    def any_of(column: str, values: tuple[str, ...], tag: str) -> None:
        if values:
            names = [f"{tag}{i}" for i in range(len(values))]
            clauses.append(f"{column} IN ({', '.join(':' + n for n in names)})")
            params.update(zip(names, values, strict=True))

    any_of("leads.source", f.sources, "f_src")
    any_of("leads.campaign", f.campaigns, "f_cmp")
    any_of("leads.status", f.statuses, "f_st")
    any_of("leads.owner", f.owners, "f_own")
    if f.score_min is not None:
        clauses.append("leads.score >= :f_smin")
        params["f_smin"] = int(f.score_min)
    if f.score_max is not None:
        clauses.append("leads.score <= :f_smax")
        params["f_smax"] = int(f.score_max)
    if f.callable_now:
        from leadtriage.domain import localtime

        hours = moment.calling_hours or localtime.DEFAULT_HOURS
        ok_zones = localtime.callable_zone_names(zones, moment.utc, hours)
        ok_countries = localtime.callable_countries(moment.utc, hours)
        z = [f"f_tz{i}" for i in range(len(ok_zones))]
        c = [f"f_cc{i}" for i in range(len(ok_countries))]
        params.update(zip(z, ok_zones, strict=True))
        params.update(zip(c, ok_countries, strict=True))
        clauses.append(
            "coalesce(leads.do_not_call, 0) = 0 AND leads.phone IS NOT NULL AND ("
            f"leads.timezone IN ({', '.join(':' + n for n in z) or 'NULL'}) OR "
            f"(leads.timezone IS NULL AND leads.country IN ({', '.join(':' + n for n in c) or 'NULL'})))"
        )
    return clauses, params


def zones_in_use(conn: sqlite3.Connection) -> list[str]:
    """Distinct stored time zones, by hopping along the timezone index (one seek per
    zone instead of a scan of every lead)."""
    zones: list[str] = []
    current = conn.execute("SELECT min(timezone) FROM leads WHERE timezone IS NOT NULL").fetchone()[0]
    while current is not None and len(zones) < 1000:
        zones.append(current)
        current = conn.execute("SELECT min(timezone) FROM leads WHERE timezone > ?", (current,)).fetchone()[0]
    return zones


def plan(conn: sqlite3.Connection, query: QueueQuery, moment: Moment) -> list[Segment]:
    """The segments that, read in turn, give the query's rows in order."""
    base = moment.params()
    zones = zones_in_use(conn) if query.filters.callable_now or query.sort == "local_time" else []
    fclauses, fparams = _filter_sql(query.filters, moment, zones)
    base.update(fparams)

    match = fts_query(query.search) if query.search.strip() else None
    if query.search.strip():
        # Search looks through all leads (the rep is looking for someone), newest
        # first; FTS5 walks its own rowid order, so a page stops after LIMIT hits.
        # A phone number is looked up first among the numbers' digits; the word
        # search after it leaves out the leads already found by their number.
        digits = phone_digits(query.search)
        segments = []
        if digits is not None:
            where = " AND ".join(["leads_phone_fts MATCH :phone", *fclauses])
            phrase = '"' + digits + '"'
            segments.append(Segment("", where, {**base, "phone": phrase}, (("leads_phone_fts.rowid", "DESC"),),
                                    "leads_phone_fts JOIN leads ON leads.id = leads_phone_fts.rowid"))
        if match is not None:
            clauses = ["leads_fts MATCH :fts", *fclauses]
            params = {**base, "fts": match}
            if digits is not None:
                clauses.append("instr(coalesce(replace(leads.phone, '+', ''), ''), :digits) = 0")
                params["digits"] = digits
            segments.append(Segment("", " AND ".join(clauses), params, (("leads_fts.rowid", "DESC"),),
                                    "leads_fts JOIN leads ON leads.id = leads_fts.rowid"))
        return segments

    view = view_of(query)
    if view.key == TODAY:
        bands = [(label, f"{where} AND coalesce(leads.do_not_call, 0) = 0 AND {_NOT_IN_CADENCE}", order, "leads")
                 for label, where, order in TODAY_BANDS]
        c = CADENCE_BAND
        bands.insert(CADENCE_BAND_AT, (c.label, c.where, c.order, c.from_sql))
    else:
        bands = [("", view.where, view.order, "leads")]
    segments: list[Segment] = []
    for label, where, natural, from_sql in bands:
        where = " AND ".join(f"({w})" for w in [where, *fclauses])
        if query.sort == "priority":
            order = natural if not query.descending else tuple(
                (c, "ASC" if d == "DESC" else "DESC") for c, d in natural)
            segments.append(Segment(label, where, base, order, from_sql))
        elif query.sort == "local_time":
            segments.extend(_zone_segments(label, where, base, zones, moment, query.descending, from_sql))
        else:
            segments.append(Segment(label, where, base, _sort_order(query.sort, query.descending), from_sql,
                                    narrow=view.key == TODAY))
    return segments


def _zone_segments(label: str, where: str, params: dict, zones: list[str], moment: Moment,
                   descending: bool, from_sql: str = "leads") -> list[Segment]:
    """One segment per zone, earliest local clock first (latest first when
    descending); leads without a stored zone come last either way."""
    from leadtriage.domain.localtime import utc_offset_minutes

    known = [(utc_offset_minutes(z, moment.utc), z) for z in zones]
    ordered = sorted((o, z) for o, z in known if o is not None)
    if descending:
        ordered.reverse()
    order = _sort_order("local_time", descending)
    out = []
    for i, (_, name) in enumerate(ordered):
        out.append(Segment(label, f"{where} AND leads.timezone = :zone{i}", {**params, f"zone{i}": name}, order,
                           from_sql))
    unknown = [z for o, z in known if o is None]
    names = [f"uzone{i}" for i in range(len(unknown))]
    rest = " OR ".join(["leads.timezone IS NULL", *(f"leads.timezone = :{n}" for n in names)])
    out.append(Segment(label, f"{where} AND ({rest})", {**params, **dict(zip(names, unknown, strict=True))}, order,
                       from_sql))
    return out


def fetch(conn: sqlite3.Connection, segments: list[Segment], cursor: Cursor | None,
          limit: int = 200) -> tuple[list[QueueItem], Cursor | None]:
    """Up to `limit` rows from `cursor` on (None = the start). Returns the rows and the
    cursor for the next page, or None when the plan is exhausted."""
    index, after = (cursor.segment, cursor.after) if cursor else (0, None)
    items: list[QueueItem] = []
    while index < len(segments):
        seg = segments[index]
        need = limit - len(items)
        got = _segment_page(conn, seg, after, need)
        items.extend(got)
        if len(got) == need:
            return items, Cursor(index, got[-1].key)
        index, after = index + 1, None
    return items, None


def _segment_page(conn: sqlite3.Connection, seg: Segment, after: tuple | None, limit: int) -> list[QueueItem]:
    where, params = seg.where, dict(seg.params)
    if after is not None:
        clause, values = _after(seg.order, after)
        # _after uses ? placeholders; turn them into named ones.
        for i, value in enumerate(values):
            clause = clause.replace("?", f":k{i}", 1)
            params[f"k{i}"] = value
        where = f"({where}) AND ({clause})"
    keys = ", ".join(c for c, _ in seg.order)
    order_sql = ", ".join(f"{c} {d}" for c, d in seg.order)
    if seg.narrow:
        page = f"SELECT leads.id FROM {seg.from_sql} WHERE {where} ORDER BY {order_sql} LIMIT :limit"
        sql = f"SELECT {ROW_SELECT}, {keys} FROM leads WHERE leads.id IN ({page}) ORDER BY {order_sql}"
    else:
        sql = f"SELECT {ROW_SELECT}, {keys} FROM {seg.from_sql} WHERE {where} ORDER BY {order_sql} LIMIT :limit"
    params["limit"] = limit
    out = []
    for r in conn.execute(sql, params):
        out.append(QueueItem(LeadRow(*map(as_text, r[:_ROW_WIDTH])), seg.label, tuple(r[_ROW_WIDTH:])))
    return out


def lead_row(conn: sqlite3.Connection, lead_id: int) -> LeadRow | None:
    """One lead as a queue row: what a row on screen shows after the rep changed it."""
    r = conn.execute(f"SELECT {ROW_SELECT} FROM leads WHERE leads.id = ?", (lead_id,)).fetchone()
    return None if r is None else LeadRow(*map(as_text, r))


def queue_counts(conn: sqlite3.Connection, moment: Moment) -> dict[str, int]:
    """Counts for every sidebar view, plus "overdue" and "due_today". Status counts come
    from `lead_counts`; the time-dependent ones are covering-index range scans."""
    counts = counts_by_status(conn)
    p = moment.params()
    new_callable = conn.execute(
        "SELECT coalesce(sum(n), 0) FROM lead_counts WHERE status = 'new' AND do_not_call = 0").fetchone()[0]
    new_held = conn.execute(  # new leads a cadence holds (a partial index of them)
        "SELECT count(*) FROM leads WHERE in_cadence = 1 AND status = 'new' "
        "AND (do_not_call = 0 OR do_not_call IS NULL)").fetchone()[0]
    band = []
    for _, where, _ in TODAY_BANDS:
        sql = f"SELECT count(*) FROM leads WHERE {where} AND coalesce(leads.do_not_call, 0) = 0 AND {_NOT_IN_CADENCE}"
        band.append(new_callable - new_held if "'new'" in where else conn.execute(sql, p).fetchone()[0])
    counts["overdue"], counts["due_today"] = band[0], band[1]
    counts["cadence_due"] = conn.execute(
        f"SELECT count(*) FROM enrolments WHERE {CADENCE_BAND.where}", p).fetchone()[0]
    counts[TODAY] = sum(band) + counts["cadence_due"]
    counts[NURTURE_DUE] = conn.execute(f"SELECT count(*) FROM leads WHERE {QUEUE_VIEWS[NURTURE_DUE].where}",
                                       p).fetchone()[0]
    return counts


def filter_options(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Values offered in the filter bar. Sources and campaigns hop along the
    (source, campaign) index; owners are few but unindexed, so callers run this off
    the UI thread."""
    sources, campaigns = [], set()
    current = conn.execute("SELECT min(source) FROM leads WHERE source IS NOT NULL").fetchone()[0]
    while current is not None and len(sources) < 500:
        sources.append(current)
        campaign = conn.execute("SELECT min(campaign) FROM leads WHERE source = ? AND campaign IS NOT NULL",
                                (current,)).fetchone()[0]
        while campaign is not None and len(campaigns) < 2000:
            campaigns.add(campaign)
            campaign = conn.execute("SELECT min(campaign) FROM leads WHERE source = ? AND campaign > ?",
                                    (current, campaign)).fetchone()[0]
        current = conn.execute("SELECT min(source) FROM leads WHERE source > ?", (current,)).fetchone()[0]
    campaigns.update(r[0] for r in conn.execute("SELECT name FROM campaigns"))
    owners = [r[0] for r in conn.execute("SELECT DISTINCT owner FROM leads WHERE owner IS NOT NULL LIMIT 200")]
    return {"sources": sources, "campaigns": sorted(campaigns, key=str.casefold),
            "owners": sorted(owners, key=str.casefold)}
