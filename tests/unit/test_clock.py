from datetime import UTC, datetime, timedelta, timezone

from services.platform import clock


def test_system_clock_without_a_clock_file(monkeypatch):
    monkeypatch.delenv(clock.CLOCK_FILE_VARIABLE, raising=False)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_travelled_clock_keeps_moving_from_the_instant_written(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    target = datetime(2030, 1, 31, 23, 30, tzinfo=UTC)
    clock.travel_to(path, target)
    first = clock.now()
    assert target <= first < target + timedelta(seconds=5)
    assert clock.now() >= first
    assert str(clock.today(timezone(timedelta(hours=9)))) == "2030-02-01"  # Seoul is past midnight
    clock.travel_to(path, target + timedelta(days=100))
    assert clock.now() >= target + timedelta(days=100)


def test_a_naive_instant_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    path.write_text("2030-01-01T00:00:00")
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    try:
        clock.now()
    except ValueError as error:
        assert "UTC offset" in str(error)
    else:
        raise AssertionError("a naive instant was accepted")


def test_the_real_clock_does_not_travel(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_VARIABLE, str(path))
    clock.travel_to(path, datetime(2030, 1, 31, tzinfo=UTC))
    assert clock.now().year == 2030
    assert abs(clock.real_now() - datetime.now(UTC)) < timedelta(seconds=1)
