"""The settable clock (jejaring/core/clock.py): inside ``clock.set_to(moment)`` actions
stamp ``moment``; outside it, and in any other thread, the real time."""

import datetime
import threading

import pytest
from django.utils import timezone

from jejaring.collaboration import actions
from jejaring.collaboration.models import Agreement, AgreementEvent, Exchange
from jejaring.core import clock
from jejaring.network.models import Organisation

MOMENT = timezone.make_aware(datetime.datetime(2025, 3, 14, 10, 30))
SECOND = datetime.timedelta(seconds=5)


def org(code):
    return Organisation.objects.get(code=code)


def test_outside_the_block_the_clock_is_the_real_time():
    assert abs(clock.now() - timezone.now()) < SECOND
    assert clock.localdate() == timezone.localdate()


def test_inside_the_block_the_clock_reads_the_moment_and_moves_on():
    with clock.set_to(MOMENT):
        first = clock.now()
        second = clock.now()
        assert abs(first - MOMENT) < SECOND
        assert clock.localdate() == datetime.date(2025, 3, 14)
        assert second >= first  # two stamps in turn stay in order
    assert abs(clock.now() - timezone.now()) < SECOND


def test_a_date_means_nine_in_the_morning_local_time():
    with clock.set_to(datetime.date(2025, 3, 14)):
        local = timezone.localtime(clock.now())
    assert (local.date(), local.hour) == (datetime.date(2025, 3, 14), 9)


def test_nested_blocks_restore_the_outer_setting_even_after_an_error():
    later = MOMENT + datetime.timedelta(days=30)
    with clock.set_to(MOMENT):
        with pytest.raises(RuntimeError), clock.set_to(later):
            assert clock.localdate() == later.date()
            raise RuntimeError
        assert clock.localdate() == MOMENT.date()
    assert clock.localdate() == timezone.localdate()


def test_another_thread_keeps_the_real_time():
    seen = {}

    def read():
        seen["now"] = clock.now()

    with clock.set_to(MOMENT):
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        assert abs(clock.now() - MOMENT) < SECOND
    assert abs(seen["now"] - timezone.now()) < SECOND


def test_an_action_run_inside_the_block_stamps_that_day(db):
    with clock.set_to(MOMENT):
        exchange = actions.record_exchange(
            kind="training",
            giver=org("dinsos-kab-bandung"),
            receiver=org("yayasan-peduli-anak-priangan"),
            description="Bimtek pengasuhan",
            acting_user=None,
        )
    exchange = Exchange.objects.get(pk=exchange.pk)
    assert exchange.occurred_on == MOMENT.date()
    assert abs(exchange.recorded_at - MOMENT) < SECOND
    # The same action outside the block: today.
    today = actions.record_exchange(
        kind="training",
        giver=org("dinsos-kab-bandung"),
        receiver=org("yayasan-peduli-anak-priangan"),
        description="Bimtek lanjutan",
        acting_user=None,
    )
    assert today.occurred_on == timezone.localdate()
    assert abs(today.recorded_at - timezone.now()) < SECOND


def test_agreement_stamps_follow_the_clock_and_update_fields_as_auto_now_did(db):
    dinsos, yayasan = org("dinsos-kab-bandung"), org("yayasan-peduli-anak-priangan")
    with clock.set_to(MOMENT):
        agreement = actions.draft_agreement(
            kind="pks",
            title="PKS jam uji",
            drafted_by=dinsos,
            parties=[(dinsos, ""), (yayasan, "")],
            clauses=[("Ruang lingkup", "Uji.")],
            starts_on=MOMENT.date(),
            ends_on=MOMENT.date() + datetime.timedelta(days=365),
            acting_user=None,
        )
    week_later = MOMENT + datetime.timedelta(days=7)
    with clock.set_to(week_later):
        actions.move_agreement(agreement, "awaiting_signatures", acting_user=None)
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert abs(agreement.created_at - MOMENT) < SECOND
    assert abs(agreement.updated_at - week_later) < SECOND
    events = list(AgreementEvent.objects.filter(agreement=agreement).order_by("pk"))
    assert [timezone.localdate(e.at) for e in events] == [MOMENT.date(), week_later.date()]
    # A save limited to other fields leaves the stamp alone, as auto_now did.
    agreement.reminders_sent = [60]
    agreement.save(update_fields=["reminders_sent"])
    assert abs(Agreement.objects.get(pk=agreement.pk).updated_at - week_later) < SECOND
