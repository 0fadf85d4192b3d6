"""The 'already issued' patient message lives with the other core messages."""
from kiosk.core import messages as msg


def test_already_issued_names_the_ticket_when_known():
    m = msg.already_issued("A1-023")
    assert m.code == "already_issued" and "(A1-023)" in m.vi and "(A1-023)" in m.en
    assert "đã có số thứ tự" in m.vi and "already have a ticket" in m.en
    assert "(" not in msg.already_issued(None).vi
