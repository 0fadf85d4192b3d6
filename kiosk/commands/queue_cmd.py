"""`kiosk queue ...` (calling from a terminal) and `kiosk voice build|say`."""
from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any
from pathlib import Path

from kiosk.core.queue.model import QueueRuleError

ACTIONS = ("next", "recall", "no-show", "start", "finish", "requeue", "transfer", "return", "undo", "cancel")


def register(sub, parents) -> None:
    p = sub.add_parser("queue", parents=parents, help="call patients from a terminal; list the queue")
    qsub = p.add_subparsers(dest="queue_command", metavar="ACTION")
    qsub.required = True
    ls = qsub.add_parser("list", parents=parents, help="waiting and called entries of today (numbers only)")
    ls.add_argument("--key-file", type=Path)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=_list)
    for action in ACTIONS:
        a = qsub.add_parser(action, parents=parents, help=f"{action} (signed-in staff, audited)")
        a.add_argument("--key-file", type=Path)
        a.add_argument("--user", required=True, help="staff username (PIN from KIOSK_STAFF_PIN or a prompt)")
        if action in ("return", "undo", "cancel"):
            a.add_argument("number", help="ticket number, e.g. A1-023")
        else:
            a.add_argument("--counter", required=True, help="counter or room id (see `kiosk queue list`)")
        if action == "transfer":
            a.add_argument("--service", required=True, help="service code to send the patient to")
            a.add_argument("--room", help="room (default: the service's room)")
        a.set_defaults(func=_act, action=action)
    from kiosk.commands.appointments_cmd import register_appointments
    register_appointments(qsub, parents)
    v = sub.add_parser("voice", parents=parents, help="call announcements: build the clip set, say a call")
    vsub = v.add_subparsers(dest="voice_command", metavar="ACTION")
    vsub.required = True
    b = vsub.add_parser("build", parents=parents, help="generate the default clip set with espeak-ng")
    b.add_argument("--out", type=Path, help="folder (default: the voice_clips_dir setting)")
    b.add_argument("--overwrite", action="store_true", help="replace clips that exist (re-recorded ones too)")
    b.set_defaults(func=_voice_build)
    s = vsub.add_parser("say", parents=parents, help="announce a call now (or write it to --wav)")
    s.add_argument("number")
    s.add_argument("place")
    s.add_argument("--counter", action="store_true", help="'đến quầy' instead of 'đến phòng'")
    s.add_argument("--wav", type=Path, help="write the announcement here instead of playing it")
    s.set_defaults(func=_voice_say)


def _open(args, ctx):
    from kiosk.commands._store import open_for_cli
    return open_for_cli(ctx.config, args.key_file)


def _list(args, ctx) -> int:
    from kiosk.calling.compose import calling_service
    from kiosk.store.db import StoreError
    try:
        store = _open(args, ctx)
    except StoreError as exc:
        print(f"kiosk queue: {exc}", file=sys.stderr)
        return 1
    with store:
        svc = calling_service(store, ctx.config)
        rows: list[dict[str, Any]] = []
        for c in svc.settings.counters:
            cur = svc.current(c.id)
            rows.append({"counter": c.id, "room": c.room, "services": list(c.services),
                         "current": cur.number if cur else None, "state": cur.state.value if cur else None,
                         "waiting": [e.number for e in svc.waiting(c.id)]})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['counter']:<8} room {r['room']:<6} now {r['current'] or '-':<10} "
                  f"waiting {len(r['waiting'])}: {' '.join(r['waiting'][:8])}")
    return 0


def _act(args, ctx) -> int:
    from kiosk.calling.compose import calling_service, staff_accounts
    from kiosk.security.accounts import SignInError
    from kiosk.security.roles import PermissionDenied
    from kiosk.store.db import StoreError
    pin = os.environ.get("KIOSK_STAFF_PIN") or getpass.getpass("PIN: ")
    try:
        store = _open(args, ctx)
    except StoreError as exc:
        print(f"kiosk queue: {exc}", file=sys.stderr)
        return 1
    with store:
        accounts = staff_accounts(store, ctx.config)
        svc = calling_service(store, ctx.config, accounts=accounts)
        try:
            session = accounts.sign_in(args.user, pin)
            entry = _dispatch(svc, session, args)
        except (SignInError, PermissionDenied, QueueRuleError) as exc:
            print(f"kiosk queue {args.action}: {exc}", file=sys.stderr)
            return 1
    if entry is None:
        print("nobody waiting")
        return 3
    origin = f" (from {entry.coming_from.room})" if entry.coming_from else ""
    print(f"{entry.number} {entry.state.value} counter={entry.counter_id or '-'} room={entry.room}{origin}")
    return 0


def _dispatch(svc, session, args):
    a = args.action
    if a == "next":
        return svc.call_next(session, args.counter)
    if a in ("recall", "start", "finish", "requeue"):
        return getattr(svc, a)(session, args.counter)
    if a == "no-show":
        return svc.no_show(session, args.counter)
    if a == "transfer":
        return svc.transfer(session, args.counter, args.service, args.room)
    if a == "return":
        return svc.return_later(session, args.number)
    if a == "undo":
        return svc.undo_transfer(session, args.number)
    return svc.cancel(session, args.number)


def _clips_dir(cfg, out: Path | None) -> Path:
    if out is not None:
        return out
    return Path(cfg.voice_clips_dir) if str(cfg.voice_clips_dir) not in ("", ".") else Path(cfg.data_dir) / "voice"


def _voice_build(args, ctx) -> int:
    from kiosk.calling.voice.engines import VoiceError, build_default_clips
    folder = _clips_dir(ctx.config, args.out)
    try:
        written = build_default_clips(folder, overwrite=args.overwrite)
    except VoiceError as exc:
        print(f"kiosk voice build: {exc}", file=sys.stderr)
        return 1
    print(f"{len(written)} clips written to {folder}")
    return 0


def _voice_say(args, ctx) -> int:
    from kiosk.calling.voice import wav
    from kiosk.calling.voice.announcer import aplay
    from kiosk.calling.voice.engines import EspeakEngine, RecordedEngine, VoiceError
    from kiosk.core.queue.announce import display_text
    cfg = ctx.config
    engine = EspeakEngine() if cfg.voice_engine == "espeak" else RecordedEngine(_clips_dir(cfg, None))
    try:
        r = engine.render(args.number, args.place, counter=args.counter)
    except VoiceError as exc:
        print(f"kiosk voice say: {exc}", file=sys.stderr)
        return 1
    data = wav.write(wav.scale(r.pcm, cfg.voice_volume))
    print(display_text(args.number, args.place, counter=args.counter))
    print(f"engine={r.engine} seconds={r.pcm.seconds:.2f} segments={' '.join(r.segments)}")
    if args.wav:
        args.wav.write_bytes(data)
    else:
        aplay(data)
    return 0
