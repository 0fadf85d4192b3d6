"""Settings: file, environment override, unknown keys, wrong types, redaction, schema."""
import json
from pathlib import Path

import pytest

from kiosk import cli
from kiosk.config import SETTINGS, ConfigError, load, schema_markdown


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    cfg = load(None, env={})
    assert cfg.kiosk_id == "1"
    assert cfg.source("kiosk_id") == "default"


def test_file_values_flat_and_sectioned(tmp_path):
    path = write(tmp_path, 'facility_code = "79001"\n[gateway]\nurl = "http://127.0.0.1:9"\nread_timeout = 30\n')
    cfg = load(path, env={})
    assert cfg.facility_code == "79001"
    assert cfg.gateway_url == "http://127.0.0.1:9"
    assert cfg.gateway_read_timeout == 30.0 and isinstance(cfg.gateway_read_timeout, float)
    assert cfg.source("facility_code") == str(path)


def test_env_overrides_file(tmp_path):
    path = write(tmp_path, 'kiosk_id = "2"\nlarge_text = false\n')
    cfg = load(path, env={"KIOSK_KIOSK_ID": "7", "KIOSK_LARGE_TEXT": "yes", "KIOSK_SYNC_BATCH_SIZE": "8"})
    assert (cfg.kiosk_id, cfg.large_text, cfg.sync_batch_size) == ("7", True, 8)
    assert cfg.source("kiosk_id") == "env"


def test_unknown_key_names_key_and_file(tmp_path):
    path = write(tmp_path, 'facility_cod = "79001"\n')
    with pytest.raises(ConfigError) as err:
        load(path, env={})
    assert "facility_cod" in str(err.value) and str(path) in str(err.value)


def test_unknown_env_variable_is_refused():
    with pytest.raises(ConfigError, match="KIOSK_GATEWAY_URLL"):
        load(None, env={"KIOSK_GATEWAY_URLL": "x"})


@pytest.mark.parametrize("text, key, expected", [
    ('sync_batch_size = "many"', "sync_batch_size", "integer"),
    ("gateway_url = 5", "gateway_url", "string"),
    ('large_text = "yes"', "large_text", "boolean"),
    ("sync_batch_size = true", "sync_batch_size", "integer"),
    ('language = "fr"', "language", "one of vi, en"),
])
def test_wrong_type_names_key_file_and_type(tmp_path, text, key, expected):
    path = write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as err:
        load(path, env={})
    message = str(err.value)
    assert key in message and str(path) in message and expected in message


def test_a_wrong_secret_is_named_but_never_echoed(tmp_path):
    """The officer's CCCD number or a PIN typed as a TOML number must not reach the journal."""
    for text in ("gateway_officer_cccd = 79085000001\n", "pkcs11_pin = 918273\n"):
        with pytest.raises(ConfigError) as err:
            load(write(tmp_path, text), env={})
        key, value = text.strip().split(" = ")
        assert key in str(err.value) and value not in str(err.value) and "hidden" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load(None, env={"KIOSK_GATEWAY_PASSWORD": "x"}, overrides={"gateway_password": 4711})
    assert "4711" not in str(err.value)


def test_wrong_type_in_env():
    with pytest.raises(ConfigError, match="KIOSK_SYNC_CONCURRENCY.*integer"):
        load(None, env={"KIOSK_SYNC_CONCURRENCY": "four"})


def test_validator_rejects_bad_facility_code(tmp_path):
    with pytest.raises(ConfigError, match="facility_code"):
        load(write(tmp_path, 'facility_code = "7900"\n'), env={})


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load(tmp_path / "nope.toml", env={})


def test_redaction_hides_secrets(tmp_path):
    path = write(tmp_path, 'gateway_password = "hunter2"\npkcs11_pin = "123456"\n')
    shown = load(path, env={}).redacted()
    assert shown["gateway_password"] == "***" and shown["pkcs11_pin"] == "***"
    assert "hunter2" not in json.dumps(shown)
    assert shown["signing_pkcs12_password"] == ""  # empty secrets stay visibly empty


def test_cli_show_redacts_and_cli_reports_bad_file(tmp_path, capsys):
    path = write(tmp_path, 'gateway_password = "hunter2"\n')
    assert cli.main(["--config", str(path), "config", "show", "--json"]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and json.loads(out)["gateway_password"] == "***"
    bad = write(tmp_path, "bogus = 1\n")
    assert cli.main(["config", "show", "--config", str(bad)]) == 2
    assert "bogus" in capsys.readouterr().err


def test_schema_lists_every_setting_with_help():
    table = schema_markdown()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in table
        assert setting.help


def test_readme_settings_table_is_current():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- settings:start -->", "<!-- settings:end -->"
    generated = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert generated == schema_markdown().strip(), "run: python scripts/update_readme.py"


def test_typed_fields_are_current():
    from kiosk.config import fields_source
    path = Path(__file__).resolve().parents[2] / "kiosk" / "config_fields.py"
    assert path.read_text(encoding="utf-8") == fields_source(), "run: python scripts/update_readme.py"


def test_typed_fields_read_the_values():
    import typing

    from kiosk.config_fields import ConfigFields
    hints = typing.get_type_hints(ConfigFields)
    assert set(hints) == {s.name for s in SETTINGS}
    assert hints["kiosk_id"] is str and hints["scanner_hold_off"] is float and hints["data_dir"] is Path
    cfg = load(None, env={"KIOSK_SCANNER_HOLD_OFF": "0.5"})
    assert cfg.scanner_hold_off == 0.5 and cfg.kiosk_id == "1"


def test_config_show_masks_the_officer_name_and_every_secret(tmp_path, capsys):
    """Red-team Info: `config show` printed gateway_officer_name, a staff member's full name."""
    path = write(tmp_path, 'gateway_officer_name = "NGUYỄN VĂN CÁN BỘ"\ngateway_password = "hunter2"\n'
                           'gateway_officer_cccd = "079085000001"\npkcs11_pin = "123456"\n')
    for argv in (["config", "show"], ["config", "show", "--json"]):
        assert cli.main(["--config", str(path), *argv]) == 0
        out = capsys.readouterr().out
        for needle in ("NGUYỄN", "CÁN BỘ", "hunter2", "079085000001", "123456"):
            assert needle not in out, (argv, needle)
    assert json.loads(out)["gateway_officer_name"] == "***"
