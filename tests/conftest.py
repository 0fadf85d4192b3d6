"""Suite-wide set-up: no real user config or data dirs, Qt offscreen."""
import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="kiosk-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in [k for k in os.environ if k.startswith("KIOSK_")]:
    del os.environ[_name]
