"""What the first-run wizard says about its fields: each provisioning problem named by its page and
field in Vietnamese and English (never `signing.pkcs12` or `staff[0].pin`), the problems that belong
to a page (checked before Next), and the confirm page's summary with every secret masked."""
from __future__ import annotations

PAGES = ("Cơ sở KCB / Facility", "Ki-ốt / Kiosk", "Cổng giám định / Gateway", "Khóa ký số / Signing key",
         "Khoa khám / Services", "Tài khoản quản trị / Admin account", "Máy chủ cơ sở / Facility hub",
         "Xác nhận / Confirm")
HUB_PAGE = 6
# field key (as the provisioning checks name it) -> (page index, Vietnamese / English field name)
FIELDS = {
    "facility.code": (0, "Mã cơ sở / MA_CSKCB"), "facility.name": (0, "Tên cơ sở / name"),
    "facility.head_code": (0, "Mã thủ trưởng / MA_TTDV"),
    "kiosk.id": (1, "Số hiệu / kiosk id"), "kiosk.language": (1, "Ngôn ngữ / language"),
    "kiosk.data_dir": (1, "Thư mục dữ liệu / data dir"), "kiosk.key_file": (1, "Khóa CSDL / database key file"),
    "gateway.url": (2, "Địa chỉ / URL"), "gateway.username": (2, "Tài khoản / account"),
    "gateway.password": (2, "Mật khẩu / password"), "gateway.officer_name": (2, "Cán bộ tra cứu / officer"),
    "gateway.officer_cccd": (2, "CCCD cán bộ / officer CCCD"),
    "signing.pkcs12": (3, "Tệp PKCS#12 / PKCS#12 file"), "signing.password": (3, "Mật khẩu tệp / password"),
    "signing.pkcs11_module": (3, "Thư viện / module"), "signing.key_label": (3, "Nhãn khóa / key label"),
    "signing.pin": (3, "PIN token"), "signing.slot": (3, "Khe / slot"), "signing.source": (3, "Nguồn khóa / source"),
    "services": (4, "Dịch vụ / services"),
    "staff": (5, "Tài khoản quản trị / admin account"), "staff.username": (5, "Tên đăng nhập / user"),
    "staff.display_name": (5, "Họ tên / name"), "staff.pin": (5, "PIN"), "staff.role": (5, "Vai trò / role"),
    "hub.dsn": (6, "Chuỗi kết nối / hub_dsn"), "hub.password_file": (6, "Tệp mật khẩu / password file"),
}
# the checks' English words, in Vietnamese first
WORDS_VI = (
    ("required", "bắt buộc"), ("5 digits", "gồm 5 chữ số, hai số đầu là mã tỉnh"),
    ("letters and digits only", "chỉ gồm chữ và số"), ("wrong password", "sai mật khẩu hoặc không phải tệp PKCS#12"),
    ("cannot read", "không đọc được tệp"), ("has expired", "chứng thư đã hết hạn"),
    ("no private key", "không có khóa bí mật và chứng thư"), ("the two PINs differ", "hai lần nhập PIN khác nhau"),
    ("repeated digit", "PIN quá dễ đoán (một số lặp lại hoặc dãy liên tiếp)"), ("at least", "quá ngắn"),
    ("does not open the existing database", "không mở được CSDL hiện có"), ("no PKCS#11 module", "không thấy thư viện"),
    ("at least one admin", "cần ít nhất một tài khoản quản trị"), ("at least one service", "cần ít nhất một dịch vụ"),
    ("must be", "giá trị không hợp lệ"), ("missing or repeated", "thiếu hoặc bị trùng"),
)


def field_of(key: str) -> str:
    """'staff[0].pin' -> 'staff.pin', 'gateway.password_env' -> 'gateway.password'."""
    import re
    key = re.sub(r"\[\d+\]", "", key)
    for suffix in ("_env", "_file"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key


def page_of(key: str) -> int:
    k = field_of(key)
    if k in FIELDS:
        return FIELDS[k][0]
    return FIELDS.get(k.split(".")[0], (len(PAGES) - 1, ""))[0]


def words(key: str, message: str) -> str:
    """One problem as staff read it: page, field, then the problem in Vietnamese / English."""
    k = field_of(key)
    page = page_of(key)
    name = FIELDS.get(k, (page, k))[1]
    if " / " in message and not message.isascii():        # already Vietnamese / English (the hub's checks)
        return f"Trang “{PAGES[page]}” · {name}: {message}"
    vi = next((v for en, v in WORDS_VI if en in message), "giá trị không hợp lệ")
    return f"Trang “{PAGES[page]}” · {name}: {vi} / {message}"


def for_page(problems: list[tuple[str, str]], page: int) -> list[str]:
    """The problems of fields on pages up to `page` (later pages are not filled in yet)."""
    return [words(k, m) for k, m in problems if page_of(k) <= page]


def page_problems_of(doc: dict, env: dict, config_path, index: int, pins_differ: bool) -> list[str]:
    """The problems of pages 0..index, worded for staff. Slow (PKCS#11 login, PKCS#12 decrypt, the
    database key): the wizard runs it on its worker thread, never on the Qt thread."""
    from kiosk.technician import provision as tp
    problems: list[tuple[str, str]] = []
    try:
        tp.plan_from_dict(doc, config_path, env)
    except tp.ProvisionError as exc:
        problems = list(exc.problems)
    except Exception as exc:  # noqa: BLE001 - shown, never a crash of the wizard
        problems = [("facility", f"{type(exc).__name__}: {exc}")]
    if not doc["services"]:
        problems.append(("services", "at least one service (code, name, room, letter)"))
    if pins_differ:
        problems.append(("staff.pin", "the two PINs differ"))
    hub = doc.get("hub", {})
    if index >= HUB_PAGE and hub.get("dsn") and not any(page_of(k) == HUB_PAGE for k, _ in problems):
        problems.extend(hub_problems(hub))
    return for_page(problems, index)


def hub_problems(hub: dict) -> list[tuple[str, str]]:
    """The hub check (connect, role not superuser, TLS when verify-full, schema version): slow, a
    network round; worker thread only."""
    from pathlib import Path

    from kiosk.facility.hub_check import check_hub
    pw = hub.get("password_file") or None
    return [("hub.dsn", i.message) for i in check_hub(hub["dsn"], Path(pw) if pw else None) if not i.ok]


def fingerprint(doc: dict, env: dict, pins_differ: bool) -> str:
    """What a page's check depends on (kept in memory only; secrets enter a hash, never a log)."""
    import hashlib
    import json
    blob = json.dumps([doc, sorted(env.items()), pins_differ], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def mask(secret: str) -> str:
    return "••••••" if secret else "— (trống / empty)"


def summary(doc: dict, env: dict, config_path) -> str:
    """What Finish will write, secrets masked: the confirm page's text."""
    f, k, g, s = doc["facility"], doc["kiosk"], doc["gateway"], doc["signing"]
    lines = [f"Tệp cài đặt / settings file: {config_path}",
             f"Cơ sở / facility: {f['code']} · {f['name']} · MA_TTDV {f['head_code'] or '—'}",
             f"Ki-ốt / kiosk: {k['id']} · {k['language']} · dữ liệu / data: {k['data_dir']}",
             f"Khóa CSDL / database key: {k['key_file']}",
             f"Cổng / gateway: {g['url']} · {g['username']} · mật khẩu / password "
             f"{mask(env.get(g.get('password_env', ''), ''))}",
             f"Cán bộ tra cứu / officer: {g['officer_name']} · CCCD {mask(env.get(g.get('officer_cccd_env', ''), ''))}"]
    if s["source"] == "pkcs12":
        lines.append(f"Khóa ký số / signing: PKCS#12 {s['pkcs12']} · mật khẩu / password "
                     f"{mask(env.get(s['password_env'], ''))}")
    else:
        lines.append(f"Khóa ký số / signing: PKCS#11 {s['pkcs11_module']} · {s.get('key_label', '')} · PIN "
                     f"{mask(env.get(s['pin_env'], ''))}")
    lines.append("Dịch vụ / services: " + (", ".join(f"{x['code']} {x['name_vi']} (P.{x['room']})"
                                                    for x in doc["services"]) or "—"))
    hub = doc.get("hub", {})
    lines.append(f"Máy chủ cơ sở / facility hub: {hub['dsn']} · mật khẩu / password: {hub.get('password_file') or '—'}"
                 " · máy chủ xác nhận số hiệu ki-ốt / the hub confirms the kiosk id" if hub.get("dsn")
                 else "Máy chủ cơ sở / facility hub: — (ki-ốt độc lập / standalone kiosk)")
    for st in doc["staff"]:
        lines.append(f"Quản trị / admin: {st['username']} · {st['display_name']} · PIN {mask(env.get(st['pin_env'], ''))}")
    lines.append("Mật khẩu cổng, CCCD cán bộ và mật khẩu PKCS#12 được cất trong kho khóa (0600), không ghi vào "
                 "tệp cài đặt. / Passwords and the officer's CCCD go to the key store (0600), not the settings file.")
    return "\n".join(lines)
