"""A stop asked for before a crawl begins is held, not raised wherever the process happens
to be (`crawler.stopping`), and a Ctrl-C caught by the CLI exits 130 even when it passed
through code run by `exec`.

The end-to-end cases send the signal from inside the crawl process at a fixed point (a
wrapped function in a small driver script), so they do not depend on timing as the sweeps
in test_interrupt.py do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from conftest import DEMO_KEYS, ROOT, crawl_demo
from test_interrupt import (
    ALL_ARTICLES,
    BACKFILL,
    SlowSite,
    count,
    job_files,
    start_crawl,
    stop_after_some_articles,
)

from crawler.crawl import JOB_SEAL
from crawler.demo.server import DemoSite
from crawler.stopping import SignalLatch, signals_held


@pytest.fixture
def outer() -> Iterator[list[int]]:
    """Handlers in place before the latch; they record instead of ending pytest if a
    signal ever got past the latch."""
    seen: list[int] = []

    def record(signum: int, frame: FrameType | None) -> None:
        seen.append(signum)

    before = {s: signal.signal(s, record) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield seen
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def test_the_first_signal_is_held_and_the_second_forces(outer: list[int]) -> None:
    with signals_held() as latch:
        signal.raise_signal(signal.SIGTERM)
        assert latch.pending == signal.SIGTERM
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    with signals_held() as latch:
        signal.raise_signal(signal.SIGINT)
        assert latch.pending == signal.SIGINT
        with pytest.raises(SystemExit) as forced:
            signal.raise_signal(signal.SIGTERM)
        assert forced.value.code == 128 + signal.SIGTERM
    assert outer == []
    signal.raise_signal(signal.SIGINT)  # the handlers from before are back
    assert outer == [signal.SIGINT]


def test_a_held_signal_is_handed_over_and_later_ones_go_straight_on(outer: list[int]) -> None:
    got: list[int] = []
    with signals_held() as latch:
        signal.raise_signal(signal.SIGINT)
        latch.hand_over(lambda signum, frame: got.append(signum))
        assert got == [signal.SIGINT]
        signal.raise_signal(signal.SIGTERM)
        assert got == [signal.SIGINT, signal.SIGTERM]
    with signals_held() as latch:
        latch.hand_over(lambda signum, frame: got.append(-signum))
        assert got == [signal.SIGINT, signal.SIGTERM]  # nothing held: nothing handed over
    assert outer == []


def test_a_nested_block_shares_the_signal_caught_before_it(outer: list[int]) -> None:
    with signals_held() as first:
        signal.raise_signal(signal.SIGTERM)
        with signals_held() as inner:
            assert inner is first
            assert inner.pending == signal.SIGTERM
        assert signal.getsignal(signal.SIGTERM) == first._record  # the inner one left it
    assert outer == []


def test_a_person_at_a_terminal_is_told_at_once(
    outer: list[int], capfd: pytest.CaptureFixture[str]
) -> None:
    latch = SignalLatch(tell=True)
    latch.install()
    try:
        signal.raise_signal(signal.SIGINT)
    finally:
        latch.restore()
    assert "Ctrl-C: stopping before the crawl begins; press Ctrl-C again to force" in (
        capfd.readouterr().err
    )


def test_a_terminal_gone_away_does_not_turn_the_notice_into_an_error(
    outer: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone(fd: int, data: bytes) -> int:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "write", gone)
    with signals_held(tell=True) as latch:
        signal.raise_signal(signal.SIGINT)
        assert latch.pending == signal.SIGINT


def signalling_setter(monkeypatch: pytest.MonkeyPatch, after: int, signums: list[int]) -> None:
    """`signal.signal` that raises `signums` right after its call number `after`: a signal
    that lands while the latch puts its handlers in or takes them out."""
    real, calls = signal.signal, []

    def setter(signum: int, handler: object) -> object:
        old = real(signum, handler)  # type: ignore[arg-type]
        calls.append(signum)
        if len(calls) == after:
            for raised in signums:
                signal.raise_signal(raised)
        return old

    monkeypatch.setattr(signal, "signal", setter)


def test_a_second_signal_while_the_latch_is_installed_leaves_no_handler_behind(
    outer: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed outside the `try`, the latch's handlers stayed, and every later crawl of the
    process found a dead latch with a signal pending."""
    signalling_setter(monkeypatch, 1, [signal.SIGINT, signal.SIGINT])  # after SIGINT's handler
    with pytest.raises(KeyboardInterrupt), signals_held():
        pytest.fail("the second Ctrl-C stops before the block")
    monkeypatch.undo()
    with signals_held() as fresh:
        assert fresh.pending is None  # not the dead latch
    signal.raise_signal(signal.SIGINT)
    signal.raise_signal(signal.SIGTERM)
    assert outer == [signal.SIGINT, signal.SIGTERM]  # the handlers from before are back


def test_a_signal_while_the_handlers_are_put_back_does_not_cut_that_short(
    outer: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        with signals_held():
            signal.raise_signal(signal.SIGINT)  # the first one, held
            signalling_setter(monkeypatch, 1, [signal.SIGINT])  # once one handler is back
    except KeyboardInterrupt:
        pytest.fail("a second Ctrl-C while the handlers were put back raised halfway")
    monkeypatch.undo()
    signal.raise_signal(signal.SIGINT)
    signal.raise_signal(signal.SIGTERM)
    assert outer[-2:] == [signal.SIGINT, signal.SIGTERM]  # both handlers are back


def test_off_the_main_thread_nothing_is_installed(outer: list[int]) -> None:
    import threading

    seen: list[object] = []

    def hold() -> None:
        try:
            with signals_held() as latch:
                seen.append(latch.pending)
        except ValueError as exc:  # signal.signal outside the main thread
            seen.append(exc)

    worker = threading.Thread(target=hold)
    worker.start()
    worker.join()
    assert seen == [None]


def drive(where: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `newsagg ARGS` after `script` has wrapped a function of the package. The driver is
    a module run with `-m`, as `python -m crawler` is: CPython ends a `-m` run differently
    from a `-c` one."""
    where.mkdir(exist_ok=True)
    code = textwrap.dedent(script) + "\nfrom crawler.cli import main\nmain()\n"
    (where / "newsagg_driver.py").write_text(code, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "newsagg_driver", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        env={**os.environ, "PYTHONPATH": str(where)},
    )


def test_ctrl_c_inside_exec_still_exits_130(tmp_path: Path) -> None:
    """What the timing sweep of test_interrupt.py once hit in CI: the Ctrl-C came while an
    import made a dataclass (whose methods are made by `exec`), and the process died by
    SIGINT (-2) after it had printed that it was interrupted."""
    (tmp_path / "drv").mkdir()
    (tmp_path / "drv" / "being_imported.py").write_text(
        'exec("raise KeyboardInterrupt")  # Ctrl-C while a dataclass\'s methods are made\n',
        encoding="utf-8",
    )
    stopped = drive(
        tmp_path / "drv",
        """
        import crawler.cli.stats as stats

        def interrupted(**options):
            import being_imported

        stats.command.callback = interrupted
        """,
        "stats",
        "--db",
        str(tmp_path / "n.db"),
    )
    assert stopped.returncode == 128 + signal.SIGINT, stopped.stderr
    assert "interrupted; what was written before is kept" in stopped.stderr
    assert "Traceback" not in stopped.stderr


def crawl_args(site: DemoSite, db: Path) -> list[str]:
    bases = [arg for key in DEMO_KEYS for arg in ("--base", f"{key}={site.bases[key]}")]
    return ["crawl", *DEMO_KEYS, *bases, "--db", str(db), "--json"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_the_archive_opens_fetches_nothing(tmp_path: Path, signum: int) -> None:
    """Before, SIGTERM here ended the process with no word, and a Ctrl-C could be swallowed
    by a Deferred so that the whole crawl ran and exited 0."""
    db = tmp_path / "n.db"
    with DemoSite() as site:
        stopped = drive(
            tmp_path / "drv",
            f"""
            import signal
            import crawler.crawl as crawl

            opening = crawl.prepare_archive

            def prepare_archive(*args, **kwargs):
                signal.raise_signal({int(signum)})  # as if it came while the archive opened
                return opening(*args, **kwargs)

            crawl.prepare_archive = prepare_archive
            """,
            *crawl_args(site, db),
        )
        assert site.requests == []
        assert stopped.returncode == 128 + signum, stopped.stderr
        assert "interrupted (before the crawl began): 0 articles stored" in stopped.stderr
        assert "Traceback" not in stopped.stderr
        assert json.loads(stopped.stdout)["sources"]  # the summary, as for any crawl
        assert count(db) == 0  # (the backfill test below runs the next crawl after such a stop)


def test_a_person_at_a_terminal_is_told_of_an_early_stop_once(tmp_path: Path) -> None:
    """The latch says "stopping before the crawl begins" when the Ctrl-C comes; Scrapy's
    stop, which it hands the signal to, said "stopping after the pages in flight" again."""
    with DemoSite() as site:
        stopped = drive(
            tmp_path / "drv",
            """
            import signal
            import sys
            import crawler.crawl as crawl

            class Terminal:  # stderr as a person's terminal: the CLI tells of stops
                def __init__(self, stream):
                    self.stream = stream

                def isatty(self):
                    return True

                def __getattr__(self, name):
                    return getattr(self.stream, name)

            sys.stderr = Terminal(sys.stderr)
            building = crawl._process_class

            def _process_class():  # the Ctrl-C comes while Scrapy's process is built
                signal.raise_signal(signal.SIGINT)
                return building()

            crawl._process_class = _process_class
            """,
            *crawl_args(site, tmp_path / "n.db"),
        )
    assert stopped.returncode == 130, stopped.stderr
    assert stopped.stderr.count("Ctrl-C: stopping before the crawl begins") == 1, stopped.stderr
    assert "stopping after the pages in flight" not in stopped.stderr


def test_a_backfill_stopped_while_the_archive_opens_keeps_its_job_resumable(
    tmp_path: Path,
) -> None:
    """A backfill stopped cleanly leaves a sealed job; a run stopped before it begins must not
    unseal it (`open_job`), or the next run would throw the job away and start afresh."""
    db = tmp_path / "news.db"
    with SlowSite() as site:
        first = start_crawl(site, db, *BACKFILL)
        _, err = stop_after_some_articles(db, first, signal.SIGTERM)
        assert first.returncode == 128 + signal.SIGTERM, err[-3000:]
        assert job_files(db, JOB_SEAL)
        stopped = drive(
            tmp_path / "drv",
            """
            import signal
            import crawler.crawl as crawl

            opening = crawl.prepare_archive

            def prepare_archive(*args, **kwargs):
                signal.raise_signal(signal.SIGTERM)
                return opening(*args, **kwargs)

            crawl.prepare_archive = prepare_archive
            """,
            *crawl_args(site, db),
            *BACKFILL,
        )
        assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
        assert job_files(db, JOB_SEAL)  # still resumable
        site.slow = False
        again = crawl_demo(site, db, *BACKFILL)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "afresh" not in again.stderr and "Traceback" not in again.stderr
        assert count(db) == ALL_ARTICLES


def test_a_ctrl_c_while_the_crawler_is_built_stops_it_gracefully(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    with DemoSite() as site:
        stopped = drive(
            tmp_path / "drv",
            """
            import signal
            import crawler.crawl as crawl

            building = crawl._process_class

            def _process_class():
                process = building()

                class Interrupted(process):
                    def __init__(self, *args, **kwargs):
                        super().__init__(*args, **kwargs)
                        signal.raise_signal(signal.SIGINT)  # Ctrl-C while Scrapy is set up

                return Interrupted

            crawl._process_class = _process_class
            """,
            *crawl_args(site, db),
        )
        assert stopped.returncode == 128 + signal.SIGINT, stopped.stderr[-3000:]
        assert "interrupted (before the crawl began): 0 articles stored" in stopped.stderr
        assert "Traceback" not in stopped.stderr
        assert "Unhandled error" not in stopped.stderr
        assert site.requests == []  # Scrapy's graceful stop came before the first request


def test_a_second_signal_after_the_hand_over_forces_the_stop(tmp_path: Path) -> None:
    """Scrapy puts its graceful handler back when the reactor starts; after a signal held
    during the setup and handed over, the next Ctrl-C must still force the stop."""
    code = textwrap.dedent(
        f"""
        import signal
        from pathlib import Path
        from crawler.crawl import _process_class, crawl_settings

        process = _process_class()(
            crawl_settings(Path({str(tmp_path / "n.db")!r}), local=True, verbose=False),
            tell=False,
        )
        process._signal_kill = lambda signum, frame: print("forced", signum)
        process._signal_shutdown(signal.SIGINT, None)  # the held one, handed over
        print("stopping", process.stop_signal)
        process._signal_shutdown(signal.SIGINT, None)  # as Scrapy's handler after startup
        """
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split("\n")[:2] == [
        f"stopping {int(signal.SIGINT)}",
        f"forced {int(signal.SIGINT)}",
    ]
