"""The links between the apps are signals, connected by the receiving app's ready()."""

import pytest

from core import signals as core_signals
from core.models import User
from matchmaking import signals as matchmaking_signals
from matchmaking.models import Interest, Need, Solution


@pytest.mark.parametrize(
    ("signal", "sender"),
    [
        (core_signals.personal_data_requested, User),
        (core_signals.erasing_personal_data, User),
        (matchmaking_signals.record_published, Need),
        (matchmaking_signals.record_published, Solution),
        (matchmaking_signals.record_withdrawn, Need),
        (matchmaking_signals.record_withdrawn, Solution),
        (matchmaking_signals.introduction_accepted, Interest),
        (matchmaking_signals.introduction_withdrawn, Interest),
        (matchmaking_signals.demo_catalog_ready, None),
    ],
)
def test_signal_has_its_receivers_connected_at_start_up(signal, sender):
    assert signal.has_listeners(sender)
