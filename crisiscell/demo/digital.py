"""Digital evidence in the demo: chats from survivors' phones, pinned exhibits, NCII reports.

Without it the digital section (a case's digital page, the chat timeline, the exhibits,
the national repeat-identifier counts) was empty everywhere in the demo. Now every open
case whose alleged perpetrator is an online contact has the WhatsApp chat in which he
blackmails her, and a fixed draw per case gives a few other recent open cases (an
acquaintance, a former partner, an employer or a neighbour harassing her by phone) a
chat too; Karachi always has at least two, so its screens have something to show. Each chat
is received by the cell's case worker through ``source_upload``, so it is checked,
parsed, stored encrypted and its phone number kept in the vault as it would be for a
real export; two or three of the sender's messages are pinned as exhibits with their
PECA offences, and about half of the women blackmailed with pictures have reported
them to StopNCII (Take It Down, under 18). One blackmailer writes to a woman in
Karachi and to one in another cell from the same number, so the repeat-identifier
statistics count an identifier seen in two cells.

Everything is synthetic and sober: senders are marked "(demo)", numbers are
+92 300 0000xxx, the threats are worded plainly with nothing explicit, and no picture
is generated at all.
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from crisiscell.access.policy import Role
from crisiscell.accounts.models import User
from crisiscell.cases.models import Case, CaseStatus, Offence, PerpetratorRelationship
from crisiscell.demo.network import demo_staff
from crisiscell.digital.models import DigitalSource, NciiService
from crisiscell.digital.services import exhibit_pin, ncii_record, source_upload

KARACHI = ZoneInfo("Asia/Karachi")
HIM = "Unknown number (demo)"
HER = "Survivor (demo)"
# Other recent open cases that may get a chat: who could plausibly harass her by phone.
PHONE_HARASSERS = frozenset(
    {
        PerpetratorRelationship.ACQUAINTANCE,
        PerpetratorRelationship.FORMER_PARTNER,
        PerpetratorRelationship.EMPLOYER,
        PerpetratorRelationship.NEIGHBOUR,
    }
)
HARASSED_SHARE = 0.12
RECENT = timedelta(days=60)
NCII_SHARE = 0.5
SHOWCASE_CELL, SHOWCASE_MINIMUM = "KHI", 2
E2EE_NOTICE = (
    "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
    "can read or listen to them."
)


@dataclass(frozen=True)
class Line:
    """One thing he writes; an exhibit line carries the note and PECA offences it is pinned with."""

    text: str  # ``{number}`` becomes his phone number
    note: str = ""
    offences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """How one kind of chat goes. The small talk comes in two pools: before his demand, and after it."""

    opening: str
    exhibits: tuple[Line, ...]  # in the order he writes them, spread through the chat; the second is the demand
    his: tuple[tuple[str, ...], tuple[str, ...]]
    hers: tuple[tuple[str, ...], tuple[str, ...]]
    ncii: bool  # he threatens to share pictures of her, so reporting them to StopNCII applies


BLACKMAIL = Scenario(
    opening="Hello. You don't know me, but I know you very well.",
    exhibits=(
        Line(
            "Save this number, {number}. If you block me I will write from another one.",
            "He gives his number and says he will keep writing if she blocks him.",
            ("PECA-24",),
        ),
        Line(
            "I have the pictures from your old account. Send fifty thousand rupees or your family will see them.",
            "Demands money under the threat of sending her pictures to her family.",
            ("PECA-21",),
        ),
        Line(
            "پیسے جاز کیش پر اسی نمبر پر بھیجو، ورنہ تصویریں تمہارے گھر والوں کو بھیج دوں گا",
            "Repeats the demand in Urdu: money by JazzCash to the same number, or the pictures go to her family.",
            ("PECA-21",),
        ),
        Line(
            "Last warning. Tonight I send them to your brother and to the family group.",
            "Final threat, with a deadline.",
            ("PECA-21", "PECA-24"),
        ),
    ),
    his=(
        (
            "Why are you not replying? I can see you are online.",
            "Reply to me.",
            "Don't act clever with me.",
            "جواب دو",
            "میں جانتا ہوں تم کہاں رہتی ہو",
            "Are you reading this?",
        ),
        (
            "If you tell anyone, it will be worse for you.",
            "اگر کسی کو بتایا تو اچھا نہیں ہوگا",
            "Nobody will believe you.",
            "I have the numbers of your whole family.",
            "You have until tomorrow.",
            "کل تک کا وقت ہے",
        ),
    ),
    hers=(
        (
            "Who is this?",
            "Please stop messaging me.",
            "مجھے تنگ نہ کریں",
            "برائے مہربانی میرا پیچھا چھوڑ دیں",
        ),
        (
            "I don't have any money.",
            "I have not sent you anything.",
            "میں نے آپ کو کچھ نہیں بھیجا",
            "I will report this number.",
            "Please leave me alone.",
        ),
    ),
    ncii=True,
)

HARASSMENT = Scenario(
    opening="You blocked me, so this is my new number. Why are you not picking up?",
    exhibits=(
        Line(
            "I am calling from {number} now. Pick up or I will come to your house.",
            "Keeps calling after she asked him to stop, and threatens to come to her house.",
            ("PECA-24",),
        ),
        Line(
            "If you do not talk to me I will tell everyone in the mohalla lies about you.",
            "Threatens to spread false stories about her unless she talks to him.",
            ("PECA-20", "PECA-24"),
        ),
        Line(
            "تمہاری بدنامی کر دوں گا، سب کو بتاؤں گا",
            "Threatens in Urdu to disgrace her in front of everyone.",
            ("PECA-24",),
        ),
        Line(
            "میں تمہارے گھر کے باہر کھڑا ہوں",
            "Tells her he is standing outside her house.",
            ("PECA-24",),
        ),
    ),
    his=(
        (
            "Answer me.",
            "Why is your phone off?",
            "Who were you talking to?",
            "فون اٹھاؤ",
            "بات کرو مجھ سے",
        ),
        (
            "You cannot ignore me forever.",
            "I saw you at the bus stop today.",
            "I will keep calling until you answer.",
            "بات کرو مجھ سے",
        ),
    ),
    hers=(
        (
            "Stop calling me.",
            "I do not want to talk to you.",
            "مجھے دوبارہ کال مت کرنا",
        ),
        (
            "Leave me alone.",
            "I have told my brother.",
            "I will go to the police.",
            "میں پولیس کو بتاؤں گی",
        ),
    ),
    ncii=False,
)


def _draws(seed: int, case_code: str) -> random.Random:
    """The case's own random stream: its first value says whether a chat is drawn, the rest shape it."""
    return random.Random(f"{seed}:digital:{case_code}")  # noqa: S311 - synthetic demo data, reproducible


def harassed_by_phone(seed: int, case_code: str) -> bool:
    """Whether the fixed draw gives this (recent, open, not online) case a chat of phone harassment."""
    return _draws(seed, case_code).random() < HARASSED_SHARE


@dataclass
class _Planned:
    case: Case
    scenario: Scenario
    rng: random.Random
    number: int  # his number is +92 300 0000<number>


def ensure_digital(*, seed: int = 2024, now: datetime | None = None) -> int:
    """Give the chosen open cases a chat, exhibits and (some) an NCII report: returns how many cases got them now."""
    now = now or timezone.now()
    done = set(DigitalSource.objects.values_list("case_id", flat=True).distinct())
    to_do = [planned for planned in _plan(seed, now, done) if planned.case.pk not in done]
    if not to_do:
        return 0
    workers = demo_staff(Role.CASE_WORKER)
    peca = {offence.code: offence for offence in Offence.objects.filter(law="PECA")}
    given = 0
    for planned in to_do:
        worker = workers.get(planned.case.cell.code)
        if worker is None:  # a cell without a demo case worker is not part of the demo network
            continue
        _give_chat(planned, worker, peca)
        given += 1
    return given


def _plan(seed: int, now: datetime, done: set[uuid.UUID]) -> list[_Planned]:
    """Every case that has or gets a chat, in arrival order, each with his number; the shared pair included."""
    open_cases = list(
        Case.objects.filter(status=CaseStatus.OPEN, arrival_at__lte=now)
        .select_related("cell")
        .prefetch_related("perpetrators")
        .order_by("arrival_at", "code")
    )
    relationships = {case.pk: {p.relationship for p in case.perpetrators.all()} for case in open_cases}
    plan: list[_Planned] = []
    for case in open_cases:
        rng = _draws(seed, case.code)
        drawn = rng.random() < HARASSED_SHARE  # always taken first, so a case's chat does not depend on why
        if PerpetratorRelationship.ONLINE_CONTACT in relationships[case.pk]:
            plan.append(_Planned(case, BLACKMAIL, rng, 0))
        elif case.pk in done or (
            drawn and case.arrival_at >= now - RECENT and relationships[case.pk] & PHONE_HARASSERS
        ):
            plan.append(_Planned(case, HARASSMENT, rng, 0))
    plan += _showcase(seed, open_cases, plan, relationships)
    plan.sort(key=lambda p: (p.case.arrival_at, p.case.code))
    _numbers(plan)
    return plan


def _showcase(
    seed: int, open_cases: list[Case], plan: list[_Planned], relationships: dict[uuid.UUID, set[str]]
) -> list[_Planned]:
    """Enough Karachi cases for its screens: the most recent ones, a phone harasser's first."""
    have = sum(1 for p in plan if p.case.cell.code == SHOWCASE_CELL)
    if have >= SHOWCASE_MINIMUM:
        return []
    planned = {p.case.pk for p in plan}
    spare = [c for c in open_cases if c.cell.code == SHOWCASE_CELL and c.pk not in planned]
    spare.sort(key=lambda c: (not relationships[c.pk] & PHONE_HARASSERS, -c.arrival_at.timestamp(), c.code))
    added = []
    for case in spare[: SHOWCASE_MINIMUM - have]:
        rng = _draws(seed, case.code)
        rng.random()  # the draw this case did not win; its chat comes from the rest of its stream
        added.append(_Planned(case, HARASSMENT, rng, 0))
    return added


def _numbers(plan: list[_Planned]) -> None:
    """A number of his own per case, except one blackmailer who writes to women in two cells."""
    used: set[int] = set()
    for planned in plan:
        number = planned.rng.randrange(100, 1000)
        while number in used:  # two men never share a number by accident
            number = (number - 99) % 900 + 100
        used.add(number)
        planned.number = number
    preferred = sorted(plan, key=lambda p: p.scenario is not BLACKMAIL)  # stable: arrival order within each
    first = next((p for p in preferred if p.case.cell.code == SHOWCASE_CELL), None)
    second = next((p for p in preferred if first and p.case.cell_id != first.case.cell_id), None)
    if first and second:
        second.number = first.number


@dataclass(frozen=True)
class _Message:
    time: datetime  # Karachi time, as her phone shows it
    author: str
    text: str
    exhibit: Line | None = None


def _chat(planned: _Planned) -> list[_Message]:
    """20 to 60 messages over two to five days, ending hours before she came to the cell."""
    rng, scenario = planned.rng, planned.scenario
    number = f"0300 0000{planned.number:03d}"
    count = rng.randint(20, 60)
    end = planned.case.arrival_at - timedelta(hours=rng.uniform(1, 12))
    start = end - timedelta(days=rng.uniform(2, 5))
    span = (end - start).total_seconds()
    times = sorted(timezone.localtime(start + timedelta(seconds=rng.uniform(0, span)), KARACHI) for _ in range(count))
    key_at = dict(zip(sorted(rng.sample(range(1, count), len(scenario.exhibits))), scenario.exhibits, strict=True))
    demand_at = sorted(key_at)[1]
    messages = [_Message(times[0], HIM, scenario.opening)]
    for position, moment in enumerate(times[1:], start=1):
        line = key_at.get(position)
        if line is not None:
            messages.append(_Message(moment, HIM, line.text.format(number=number), line))
            continue
        phase = int(position > demand_at)
        author, pool = (HIM, scenario.his[phase]) if rng.random() < 0.6 else (HER, scenario.hers[phase])
        previous = next((m.text for m in reversed(messages) if m.author == author), "")
        messages.append(_Message(moment, author, rng.choice([text for text in pool if text != previous])))
    return messages


def _export(messages: list[_Message], *, iphone: bool) -> tuple[bytes, str]:
    """The chat as WhatsApp exports it without media, on an iPhone or on Android, and the file's name."""
    first = messages[0].time
    if iphone:
        lines = [f"\ufeff\u200e[{first:%d/%m/%Y, %H:%M:%S}] {HIM}: \u200e{E2EE_NOTICE}"]
        lines += [f"[{m.time:%d/%m/%Y, %H:%M:%S}] {m.author}: {m.text}" for m in messages]
        name = "_chat.txt"
    else:
        lines = [f"{first:%d/%m/%Y, %H:%M} - {E2EE_NOTICE} Tap to learn more."]
        lines += [f"{m.time:%d/%m/%Y, %H:%M} - {m.author}: {m.text}" for m in messages]
        name = f"WhatsApp Chat with {HIM}.txt"
    return ("\n".join(lines) + "\n").encode("utf-8"), name


def _give_chat(planned: _Planned, worker: User, peca: dict[str, Offence]) -> None:
    """Receive the case's chat as the case worker, pin its exhibits, record her NCII report if she made one."""
    case, rng = planned.case, planned.rng
    messages = _chat(planned)
    data, name = _export(messages, iphone=rng.random() < 0.4)
    pins = rng.sample([i for i, m in enumerate(messages) if m.exhibit], rng.choice([2, 3]))
    reported = planned.scenario.ncii and rng.random() < NCII_SHARE
    ncii_number = f"DEMO-{rng.randrange(16**8):08X}"
    with transaction.atomic():
        source = source_upload(
            actor=worker,
            case=case,
            upload=io.BytesIO(data),
            name=name,
            size=len(data),
            description="WhatsApp chat exported from her phone (synthetic demo)",
            date_order="dmy",
        )
        received = list(source.messages.exclude(kind="system").order_by("seq"))
        for index in sorted(pins):
            line = messages[index].exhibit
            if line is None or index >= len(received) or received[index].display != messages[index].text:
                continue  # never pin a message other than the one meant
            offences = [peca[code] for code in line.offences if code in peca]
            exhibit_pin(actor=worker, message=received[index], note=line.note, offences=offences)
        if reported:
            service = NciiService.TAKE_IT_DOWN if case.is_child else NciiService.STOPNCII
            ncii_record(actor=worker, case=case, service=service, case_number=ncii_number)
