"""Interrupted and concurrent builds, with real ``sdkgen build`` processes of ``samples/tensor-mlp``.

A build is killed (SIGKILL, SIGINT, SIGTERM) right after a stage starts, once per stage. Then: the previous
``dist/<name>`` is byte for byte what it was, every entry left in the stage cache is complete, and the next
build succeeds and writes the same SDK tree as an uninterrupted build. Each case starts from a copy of one
uninterrupted build's cache without the killed stage's entry, so only that stage runs again (the entries of
the other stages are reused, as the point of each case allows). Two builds into one output folder, and two
builds writing one stage cache key, run as real processes too; ``SIGSTOP`` holds the first build inside a
stage so that the overlap is certain rather than timed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sdkgen.cache import StageCache
from sdkgen.output import recover, swap_into_place

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "tensor-mlp"
NAME = "tabular-scorer"
TARGET = "executorch:xnnpack"
#: Files whose content records how the build went (stage timings, cache use), not what it built.
RUN_RECORDS = {"report.json", "report.md"}

#: (log label, stage cache folder): every stage of a tensor build of one target, in order. ``report``
#: assembles the output folder and swaps it in; it has no cache entry (:func:`started`).
STAGES = [
    ("load", "load"),
    ("reference", "reference"),
    ("compress", "compress"),
    ("golden", "golden"),
    ("export", "export"),
    (f"lower {TARGET}", "lower"),
    (f"verify {TARGET}", "verify"),
    ("sdk android", "sdk-android"),
    ("check android", "check-android"),
    ("sdk ios", "sdk-ios"),
    ("check ios", "check-ios"),
    ("report", None),
]
CASES = [(label, folder, signal.SIGKILL) for label, folder in STAGES] + [
    (f"lower {TARGET}", "lower", signal.SIGINT),
    ("check ios", "check-ios", signal.SIGTERM),
]


class Build:
    """A running ``sdkgen build`` of the sample; a thread collects its stderr lines."""

    def __init__(self, out: Path, cache: Path, *extra: str) -> None:
        command = [sys.executable, "-m", "sdkgen.cli", "build", str(SAMPLE), "--out", str(out)]
        command += ["--cache-dir", str(cache), "--targets", TARGET, *extra]
        self.proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 600) -> None:
        """Block until a stderr line contains ``text``; fail if the process ends first."""
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                pytest.fail(f"the build ended (exit {self.proc.wait()}) before {text!r}:\n{self.log}")
            if text in line:
                return

    def wait(self, timeout: float = 600) -> int:
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=60)
        return rc

    @property
    def log(self) -> str:
        return "\n".join(self.lines)


def wait_until_inside(run: Build, folder: Path, pattern: str, done: Path, done_pattern: str = "*") -> bool:
    """Poll until ``folder`` holds the stage's temporary folder (``pattern``), so that a kill lands inside the
    stage's work; ``False`` when the stage finished first (``done`` holds ``done_pattern``: a stage of a few
    milliseconds) or the build ended."""
    while run.proc.poll() is None:
        if any(folder.glob(pattern)):
            return True
        if any(done.glob(done_pattern)):
            return False
        time.sleep(0.002)
    return False


def tree(folder: Path) -> dict[str, str]:
    """Every file's sha256 and every folder under ``folder``, by relative path."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
    return out


def sdk_tree(folder: Path) -> dict[str, str]:
    return {k: v for k, v in tree(folder).items() if k not in RUN_RECORDS}


def kill_orphans(marker: str) -> int:
    """SIGKILL every process whose command line or working folder mentions ``marker``: the compilers a
    SIGKILLed build started in their own sessions, which outlive it. A process caught between fork and exec
    may not show its command line yet, so the scan repeats until two rounds in a row find nothing. Returns how
    many there were."""
    killed: set[int] = set()
    quiet = 0
    while quiet < 2:
        found = [pid for pid in _mentioning(marker) if pid != os.getpid()]
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed.update(found)
        quiet = 0 if found else quiet + 1
        time.sleep(0.1)
    return len(killed)


def _mentioning(marker: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = str((proc / "cwd").readlink())
        except OSError:
            continue
        if marker in cmdline or cwd.startswith(marker):
            pids.append(int(proc.name))
    return pids


def temporaries(cache: Path) -> list[Path]:
    """The stage cache's temporary folders (and trash): never returned by a lookup."""
    return sorted(p for p in cache.glob("*/.*") if p.is_dir()) + sorted((cache / ".trash").glob("*"))


def assert_cache_consistent(cache: Path, complete: Path) -> None:
    """Every entry in ``cache`` is one a lookup accepts, and holds the same files as the entry of the same key
    in ``complete`` (the cache of an uninterrupted build)."""
    stages = StageCache(cache)
    for stage in (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for entry in (p for p in stage.iterdir() if not p.name.startswith(".")):
            assert stages.lookup(stage.name, entry.name) == entry, f"{entry} has no done.json"
            json.loads((entry / "done.json").read_text())
            reference = complete / stage.name / entry.name
            assert reference.is_dir(), f"{entry}: a key the uninterrupted build did not write"
            assert sorted(tree(entry)) == sorted(tree(reference)), f"{entry} is missing files"


@dataclass
class Baseline:
    dist: Path
    cache: Path
    sdk: dict[str, str]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """One uninterrupted build: its output, its full stage cache, and its SDK tree."""
    root = tmp_path_factory.mktemp("baseline")
    run = Build(root / "dist", root / "cache")
    assert run.wait() == 0, run.log
    seen = [line.split("]")[0][1:] for line in run.lines if line.endswith("] running ...")]
    assert seen == [label for label, _ in STAGES[:-1]], "the stage list of this test is out of date"
    assert started("report") in run.lines
    return Baseline(root / "dist" / NAME, root / "cache", sdk_tree(root / "dist" / NAME))


def started(label: str) -> str:
    """The log line a stage starts with (``report`` has no cache entry: it assembles the output)."""
    return f"[report] assembling {NAME} ..." if label == "report" else f"[{label}] running ..."


def cache_without(baseline: Baseline, folder: str | None, dest: Path) -> Path:
    shutil.copytree(baseline.cache, dest)
    if folder is not None:
        shutil.rmtree(dest / folder)
    return dest


def previous_output(baseline: Baseline, out: Path) -> dict[str, str]:
    """A previous build's output in ``out``, marked so that any change to it shows; returns its tree."""
    shutil.copytree(baseline.dist, out / NAME)
    (out / NAME / "PREVIOUS-BUILD.txt").write_text("written by the build before the killed one\n")
    return tree(out / NAME)


@pytest.mark.parametrize(
    ("label", "folder", "sig"),
    CASES,
    ids=[f"{signal.Signals(s).name}-{label.split(':')[0].replace(' ', '-')}" for label, _, s in CASES],
)
def test_killed_build_keeps_output_and_cache(
    baseline: Baseline, tmp_path: Path, label: str, folder: str | None, sig: signal.Signals
) -> None:
    cache = cache_without(baseline, folder, tmp_path / "cache")
    out = tmp_path / "dist"
    before = previous_output(baseline, out)

    run = Build(out, cache)
    run.wait_for(started(label))
    if folder is None:
        inside = wait_until_inside(run, out, f".{NAME}.staging-*", out / "never")
    else:
        inside = wait_until_inside(run, cache / folder, f".*.tmp-*-{run.proc.pid}-*", cache / folder, "[!.]*")
    run.proc.send_signal(sig)  # not sent if the build already ended
    rc = run.wait()
    orphans = kill_orphans(str(cache))
    where = "inside the stage" if inside else "as it started or just after it"
    print(f"\n{signal.Signals(sig).name} at [{label}] ({where}): exit {rc}, orphaned compiler processes: {orphans}")
    print(f"  left behind: {sorted(p.name for p in out.iterdir() if p.name != NAME)} + {temporaries(cache)}")

    expected_rc = -signal.SIGKILL if sig == signal.SIGKILL else 128 + sig
    if folder is None:
        # Killed while assembling the output: before the swap the previous output stays, after it the new
        # one is complete; never a missing or mixed folder.
        assert rc in (expected_rc, 0), run.log
        assert tree(out / NAME) == before or sdk_tree(out / NAME) == baseline.sdk
    else:
        assert rc == expected_rc, run.log
        assert tree(out / NAME) == before, "the previous output changed"
    assert_cache_consistent(cache, baseline.cache)
    if sig != signal.SIGKILL:
        # Ctrl-C and SIGTERM run every ``finally``: no temporary folder, no staging, no compiler left running.
        assert "interrupted (" in run.log
        assert temporaries(cache) == []
        assert [p.name for p in out.iterdir()] == [NAME]
        assert orphans == 0
    killed_entry = folder is not None and not any((cache / folder).glob("[!.]*"))

    rebuild = Build(out, cache)
    assert rebuild.wait() == 0, rebuild.log
    assert sdk_tree(out / NAME) == baseline.sdk
    assert sorted(p.name for p in out.iterdir()) == [NAME], "staging, old copies or the lock file were left"
    assert temporaries(cache) == [], "temporary folders of the killed build were not swept"
    assert_cache_consistent(cache, baseline.cache)
    if killed_entry:
        assert f"[{label}] running ..." in rebuild.lines, "the killed stage was not run again"


def processes_mentioning(marker: str) -> list[int]:
    """PIDs of the programs (not Python) whose command line mentions ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if "python" not in Path(argv[0].decode(errors="replace")).name and marker.encode() in b" ".join(argv):
            found.append(int(proc.name))
    return found


def test_rebuild_while_the_killed_builds_compiler_still_runs(baseline: Baseline, tmp_path: Path) -> None:
    """SIGKILL while ``check android`` runs the Kotlin compiler: the compiler (its own session) outlives the
    build and goes on writing into the dead build's temporary folder. A rebuild started at once succeeds, and
    nothing the compiler writes reaches the output or a cache entry."""
    cache = cache_without(baseline, "check-android", tmp_path / "cache")
    out = tmp_path / "dist"
    before = previous_output(baseline, out)
    run = Build(out, cache)
    run.wait_for("[check android] running ...")
    compilers: list[int] = []
    while run.proc.poll() is None and not compilers:
        compilers = processes_mentioning(str(cache / "check-android"))
        time.sleep(0.005)
    assert compilers, f"the build finished before a compiler started:\n{run.log}"
    run.proc.send_signal(signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL
    try:
        survivors = [pid for pid in compilers if Path(f"/proc/{pid}").exists()]
        print(f"\ncompiler processes still running after SIGKILL of the build: {len(survivors)}")
        assert tree(out / NAME) == before
        rebuild = Build(out, cache)
        assert rebuild.wait() == 0, rebuild.log
    finally:
        kill_orphans(str(cache))
    assert sdk_tree(out / NAME) == baseline.sdk
    assert sorted(p.name for p in out.iterdir()) == [NAME]
    assert_cache_consistent(cache, baseline.cache)
    # Only the dead build's own temporary folder can be there again (the compiler recreated it after the sweep).
    assert all(f"-{run.proc.pid}-" in p.name for p in temporaries(cache))


def test_second_build_into_the_same_output_refuses_or_waits(baseline: Baseline, tmp_path: Path) -> None:
    """A build held (SIGSTOP) inside ``check ios`` owns the output's lock: a second build with the default
    ``--lock-timeout 0`` exits 8 naming the folder and the holder's PID at once and writes nothing; a third
    one with a timeout waits, runs no stage while the first is held, and finishes after it."""
    cache = cache_without(baseline, "check-ios", tmp_path / "cache")
    out = tmp_path / "dist"
    before = previous_output(baseline, out)
    first = Build(out, cache)
    try:
        first.wait_for("[check ios] running ...")
        os.kill(first.proc.pid, signal.SIGSTOP)

        refused = Build(out, cache)
        assert refused.wait() == 8, refused.log
        assert f"output folder {str(out / NAME)!r} is in use" in refused.log
        assert f"pid {first.proc.pid}" in refused.log
        assert "hint: " in refused.log and "--lock-timeout" in refused.log
        assert not any("running ..." in line for line in refused.lines)
        assert tree(out / NAME) == before

        waiting = Build(out, cache, "--lock-timeout", "600")
        waiting.wait_for(f"pid {first.proc.pid}")
        assert "[lock]" in waiting.log and "waiting up to 600s" in waiting.log
        assert not any("running ..." in line or "reused" in line for line in waiting.lines)
    finally:
        os.kill(first.proc.pid, signal.SIGCONT)
    assert first.wait() == 0, first.log
    assert waiting.wait() == 0, waiting.log
    assert "[check ios] reused from cache" in waiting.log
    assert sdk_tree(out / NAME) == baseline.sdk
    assert sorted(p.name for p in out.iterdir()) == [NAME]


def test_two_builds_of_one_stage_key_share_the_cache(baseline: Baseline, tmp_path: Path) -> None:
    """Two builds into different folders both run ``check ios`` under the same key in one cache: the first
    (held by SIGSTOP) commits last, finds the other's complete entry and drops its own copy."""
    cache = cache_without(baseline, "check-ios", tmp_path / "cache")
    first = Build(tmp_path / "a", cache)
    try:
        first.wait_for("[check ios] running ...")
        os.kill(first.proc.pid, signal.SIGSTOP)
        second = Build(tmp_path / "b", cache)
        assert second.wait() == 0, second.log
        assert "[check ios] running ..." in second.lines
        entries = list((cache / "check-ios").glob("[!.]*"))
        assert len(entries) == 1
        winner = tree(entries[0])
    finally:
        os.kill(first.proc.pid, signal.SIGCONT)
    assert first.wait() == 0, first.log
    assert [p.name for p in (cache / "check-ios").iterdir()] == [entries[0].name]
    assert tree(entries[0]) == winner, "the loser replaced the entry the winner had committed"
    assert temporaries(cache) == []
    assert_cache_consistent(cache, baseline.cache)
    for out in (tmp_path / "a", tmp_path / "b"):
        assert sdk_tree(out / NAME) == baseline.sdk


# The commit race in isolation: two processes write one key, the first commits, the second commits over it
# while the first still reads its entry. Files tell each process when to go on.
_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sdkgen.cache import StageCache

    root, who, sync = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

    def signal_and_wait(done, go):
        (sync / done).touch()
        while not (sync / go).exists():
            time.sleep(0.01)

    cache = StageCache(root)
    with cache.write("stage", "k" * 32) as (tmp, meta):
        for i in range(50):
            (tmp / f"part-{i}.txt").write_text(f"{who} {i}\\n" * 1000)
        meta["writer"] = who
        signal_and_wait(f"{who}-written", f"{who}-commit")
    entry = cache.lookup("stage", "k" * 32)
    signal_and_wait(f"{who}-committed", f"{who}-read")
    print(entry, cache.meta("stage", "k" * 32)["writer"], sorted({p.read_text()[:1] for p in entry.glob("part-*")}))
    """
)


def test_concurrent_commit_of_one_key_keeps_the_first_entry(tmp_path: Path) -> None:
    sync = tmp_path / "sync"
    sync.mkdir()
    procs = {
        who: subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path / "cache"), who, str(sync)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("a", "b")
    }

    def step(done: str, go: str | None = None) -> None:
        while not (sync / done).exists():
            assert all(p.poll() is None for p in procs.values()), [p.communicate() for p in procs.values()]
            threading.Event().wait(0.01)
        if go:
            (sync / go).touch()

    step("a-written")
    step("b-written", "a-commit")
    step("a-committed", "b-commit")
    step("b-committed", "a-read")
    (sync / "b-read").touch()
    results = {who: p.communicate(timeout=120) for who, p in procs.items()}
    for who, p in procs.items():
        assert p.returncode == 0, results[who]
    entry = tmp_path / "cache" / "stage" / ("k" * 32)
    # Both see the first commit's entry, whole; the second writer's copy was dropped.
    assert results["a"][0].split() == [str(entry), "a", "['a']"]
    assert results["b"][0].split() == [str(entry), "a", "['a']"]
    assert sorted(p.name for p in (tmp_path / "cache" / "stage").iterdir()) == ["k" * 32]


def test_recover_restores_an_output_killed_between_the_two_renames(tmp_path: Path) -> None:
    """The fallback swap (no RENAME_EXCHANGE) killed after ``final -> .old`` and before ``staging -> final``."""
    out = tmp_path / "dist"
    (out / f".{NAME}.old-1700000000000000000").mkdir(parents=True)
    (out / f".{NAME}.old-1700000000000000000" / "model.pte").write_text("previous")
    (out / f".{NAME}.staging-x1y2").mkdir()
    (out / f".{NAME}.staging-x1y2" / "model.pte").write_text("unfinished")
    (out / f".{NAME}.lock").write_text("12345 host\n")  # a dead build's lock file: the kernel freed its lock
    notes: list[str] = []
    recover(out, NAME, notes.append)
    assert sorted(p.name for p in out.iterdir()) == sorted([NAME, f".{NAME}.lock"])
    assert (out / NAME / "model.pte").read_text() == "previous"
    assert notes and "restored" in notes[0]


def test_recover_drops_old_copies_when_the_output_is_there(tmp_path: Path) -> None:
    """Killed while deleting the replaced output after the swap: the new output stays, the old copy goes."""
    out = tmp_path / "dist"
    (out / NAME).mkdir(parents=True)
    (out / NAME / "model.pte").write_text("new")
    (out / f".{NAME}.old-1").mkdir()
    (out / f".{NAME}.rejected.old-2").mkdir()
    recover(out, NAME)
    assert sorted(p.name for p in out.iterdir()) == [NAME, f"{NAME}.rejected"]
    assert (out / NAME / "model.pte").read_text() == "new"


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "two-renames"])
def test_swap_replaces_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic: bool) -> None:
    if not atomic:
        monkeypatch.setattr("sdkgen.output.exchange", lambda a, b: False)
    final, staging = tmp_path / NAME, tmp_path / f".{NAME}.staging-1"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging.mkdir()
    (staging / "new.txt").write_text("new")
    swap_into_place(staging, final)
    assert [p.name for p in tmp_path.iterdir()] == [NAME]
    assert [p.name for p in final.iterdir()] == ["new.txt"]


@pytest.mark.parametrize("value", ["-1", "soon", "nan", "inf"])
def test_lock_timeout_must_be_seconds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    from sdkgen.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(SAMPLE), "--lock-timeout", value])
    assert exit_info.value.code == 2
    assert "is not a number of seconds (0 or more" in capsys.readouterr().err


def test_sweep_tells_a_dead_or_reused_pid_from_a_live_writer(tmp_path: Path) -> None:
    """A temporary folder is abandoned when its PID is gone, or names a process started at another time."""
    from sdkgen.cache import _HOST, _abandoned, _started

    parent = os.getppid()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    cases = {
        f".k.tmp-{_HOST}-{parent}-{_started(parent)}-x1": False,  # a live writer
        f".k.tmp-{_HOST}-{parent}-1-x2": True,  # its PID, reused by a process that started later
        f".k.tmp-{_HOST}-{dead.stdout.strip()}-5-x3": True,  # ended
        f".k.tmp-0000beef-{dead.stdout.strip()}-5-x4": False,  # another host's: never judged from here
    }
    assert {name: _abandoned(tmp_path / name) for name in cases} == cases


def test_an_interrupt_a_library_swallows_is_raised_again() -> None:
    """A bare ``except:`` in a converter or an import hook can catch the KeyboardInterrupt of Ctrl-C (seen
    once in CI: SIGINT inside ExecuTorch's lowering, and the build finished with exit 0). The signal is noted,
    and the pipeline's stage boundaries raise it again."""
    from sdkgen.interrupt import Interrupted, handle_signals, raise_pending

    restore = handle_signals()
    try:
        raise_pending()  # nothing pending: nothing raised
        with contextlib.suppress(BaseException):  # what a careless library does
            signal.raise_signal(signal.SIGTERM)
        with pytest.raises(Interrupted) as e:
            raise_pending()
        assert e.value.signum == signal.SIGTERM
    finally:
        restore()
        handle_signals()()  # clears the pending signal for the tests after this one
    assert signal.getsignal(signal.SIGTERM) is not None
