"""Suite-wide set-up: no real user config or data dirs, Qt offscreen."""
import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="kiosk-test-home-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for _name in [k for k in os.environ if k.startswith("KIOSK_")]:
    del os.environ[_name]


# Native libraries loaded together (Qt, OpenCV, libusb, PC/SC) can crash in their destructors
# while the interpreter shuts down, after every test has run and reported. Exit with pytest's
# own status once the session is over, so such a crash cannot turn a finished run into a failure.
import sys as _sys

import pytest as _pytest

_STATUS = {"code": None}


def pytest_sessionfinish(session, exitstatus):
    _STATUS["code"] = int(exitstatus)


@_pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if _STATUS["code"] is not None and not hasattr(config, "workerinput"):
        _sys.stdout.flush()
        _sys.stderr.flush()
        os._exit(_STATUS["code"])


# ---- shared by every area that signs or talks to the gateway simulator
@_pytest.fixture(scope="session")
def dev_identity(tmp_path_factory):
    """The demo facility's signing key and certificate (PKCS#12), made once per run."""
    from kiosk.gateway.sim.devcert import ensure_dev_identity
    from kiosk.gateway.sim.server import SIM_FACILITY
    return ensure_dev_identity(tmp_path_factory.mktemp("devcert"), SIM_FACILITY)


@_pytest.fixture(scope="session")
def signer(dev_identity):
    from kiosk.gateway.signing import pkcs12_signer
    return pkcs12_signer(dev_identity.p12_path, dev_identity.password)


@_pytest.fixture
def sim(tmp_path, dev_identity):
    """A running gateway simulator (real HTTP on loopback) that knows the facility's certificate."""
    from kiosk.demo.sim_cards import start_demo_simulator
    handle = start_demo_simulator(tmp_path / "sim", facility_cert_pem=dev_identity.cert_pem)
    yield handle
    handle.stop()
