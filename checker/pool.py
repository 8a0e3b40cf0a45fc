"""Read and normalise many local folders on every core: ``gather``'s process pool.

Reading a folder and building its facts is pure Python, so threads would share one GIL. When an
audit has at least ``POOL_MIN`` local folders and more than one job (``--jobs``; by default the
number of cores this process may run on), ``gather`` hands them to ``read_in_pool``: ``jobs - 1``
worker processes take chunks of ``CHUNK`` folders from the front of the list while the calling
process takes chunks from the back, so no core waits (two jobs on two cores: one worker and the
caller). Hub models are not read here: their time is spent waiting for requests, which threads
overlap (``api.gather``).

What holds as for a serial read:

- the facts are those a serial read builds, in the same order (``checker/transfer.py`` carries
  them back, with the caller's own knowledge-base entries in them);
- the progress callback runs in the caller for every folder, as its chunk comes back;
- a folder whose read raised in a worker is read again in the caller, so the error is the one a
  serial read gives, never a worker's traceback; so are the folders of a worker that died;
- Ctrl-C: workers ignore SIGINT; the caller cancels what has not started, terminates the
  workers and lets ``KeyboardInterrupt`` go on up, so no worker outlives it.

Workers start with ``fork`` on Linux: they inherit the knowledge base and the policy's
curations already loaded. Elsewhere (``spawn``) each worker loads the shipped knowledge base once,
from the compiled cache, and checks that its digest is the caller's; if it is not (a knowledge
base from another folder), the caller reads every folder itself.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from checker.facts.binding import bind
from checker.facts.build import build_facts
from checker.facts.curations import NO_CURATIONS, Curations
from checker.sources import SOURCES, Session, Target

if TYPE_CHECKING:
    from concurrent.futures import Future

    from checker.facts import ModelFacts
    from checker.knowledge import Knowledge
    from checker.sources.raw import RawModel

POOL_MIN = 200  # fewer folders are read in the calling process: starting workers costs more
CHUNK = 32  # folders per task: about 40 ms of work, so transfers stay a small share of it
QUEUED = 2  # chunks given to each worker ahead of its work

Reader = Callable[[Target], "ModelFacts"]


def default_jobs() -> int:
    """The number of cores this process may run on (its CPU affinity where the OS says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this platform
        return max(1, os.cpu_count() or 1)


def use_pool(jobs: int, folders: int) -> bool:
    """Whether ``folders`` local folders are read in worker processes with ``jobs`` jobs."""
    return jobs > 1 and folders >= POOL_MIN


def read_raw(target: Target, session: Session) -> RawModel:
    """What one target's source reads."""
    source = SOURCES.get(target.kind)
    if source is None:
        raise ValueError(f"no source for target kind {target.kind!r}")
    return source.read(target, session)


def ready_to_read(target: Target, session: Session) -> bool:
    """Whether the target's source says reading it needs no network request (a source that
    cannot say is read on a thread, as every source was before ``Source.ready``)."""
    ready = getattr(SOURCES.get(target.kind), "ready", None)
    return ready is not None and bool(ready(target, session))


def read_target(
    target: Target, kb: Knowledge, curations: Curations, session: Session
) -> ModelFacts:
    """One target through its source into facts, bound to their licences (``bind``: where the
    process pool reads, so the caller's serial tail is shorter), not yet linked: linking gives
    them back unbound where the audit's other models change their lineage."""
    return bind(build_facts(read_raw(target, session), kb, curations), kb)


# -- in a worker ---------------------------------------------------------------------------

_worker: tuple[Knowledge | None, Curations] = (None, NO_CURATIONS)
_hash_weights = False


def _start(kb: Knowledge | None, digest: str, curations: bytes, hash_weights: bool) -> None:
    """A worker's initializer: the knowledge base (inherited, else loaded once), curations and
    whether weight files are hashed (``--hash-weights``; the bytes' progress stays unshown)."""
    from checker import transfer

    global _worker, _hash_weights
    _hash_weights = hash_weights
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the caller's to handle
    # A forked worker inherits the caller's collector paused (``collector.bulk``), and nothing
    # it reads outlives its chunk: with the collector off, the few cycles each model leaves
    # (a parser, a traceback) were never freed, 34 KiB a model. The inherited heap is frozen
    # (``read_in_pool``), so collections here walk only the worker's own objects.
    gc.enable()
    if kb is None:
        from checker.knowledge import load_knowledge

        try:
            kb = load_knowledge()
        except Exception:  # the caller reads every folder itself, and says what is wrong
            kb = None
    if kb is not None and kb.digest != digest:
        kb = None
    try:
        _worker = (kb, transfer.loads(curations, kb))
    except Exception:
        _worker = (None, NO_CURATIONS)


def _work(payload: bytes) -> bytes:
    """A chunk of targets -> their facts, None for each read that raised (and for all of them
    when this worker has no knowledge base of the caller's digest)."""
    from checker import transfer

    kb, curations = _worker
    targets: list[Target] = transfer.loads(payload)
    out: list[ModelFacts | None] = []
    session = Session(hash_weights=_hash_weights)
    for target in targets:
        try:
            out.append(None if kb is None else read_target(target, kb, curations, session))
        except Exception:  # read again by the caller, which then raises as a serial read does
            out.append(None)
    return transfer.dumps(out, kb)


# -- in the caller -------------------------------------------------------------------------


def _start_method() -> str:
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


def read_in_pool(
    targets: Sequence[Target],
    kb: Knowledge,
    curations: Curations,
    jobs: int,
    read: Reader,
    progress: Callable[[Target], None] | None = None,
    *,
    hash_weights: bool = False,
) -> list[ModelFacts]:
    """The facts of ``targets`` read by ``jobs - 1`` workers and the caller, in order. ``read``
    is the caller's serial read (it reports its own progress); ``progress`` is called for each
    folder a worker read; ``hash_weights`` is the caller's session's (workers hash too)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from checker import transfer

    chunks = [list(targets[i : i + CHUNK]) for i in range(0, len(targets), CHUNK)]
    results: list[list[ModelFacts] | None] = [None] * len(chunks)
    method = _start_method()
    workers = max(1, min(jobs - 1, len(chunks) - 1))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start,
        initargs=(
            kb if method == "fork" else None,
            kb.digest,
            transfer.dumps(curations, kb),
            hash_weights,
        ),
    )
    # Forked workers inherit this process's heap (the manifest's targets, the knowledge base).
    # Their collector, which runs there (``_start``), would walk every object of it, writing
    # to each one's header, and the kernel would copy every page it touched: frozen
    # (``gc.freeze``) while the workers are forked, the inherited objects are never walked
    # there; unfrozen here once they are (not when the embedding program froze objects itself:
    # unfreezing would undo its freeze too).
    frozen = method == "fork" and gc.get_freeze_count() == 0
    if frozen:
        gc.freeze()
    sent: dict[int, Future[bytes]] = {}  # chunks given to the workers, not yet back
    front, back = 0, len(chunks)  # the chunks nobody has taken yet: front to back
    broken = False

    def settle(index: int) -> None:
        """A worker's chunk back: its facts, progress, and serial reads where it raised."""
        try:
            got: list[ModelFacts | None] = transfer.loads(sent.pop(index).result(), kb)
        except Exception:  # a worker died (BrokenProcessPool) or sent nothing usable
            got = [None] * len(chunks[index])
        facts = []
        for target, found in zip(chunks[index], got, strict=True):
            if found is None:
                found = read(target)
            elif progress is not None:
                progress(target)
            facts.append(found)
        results[index] = facts

    try:
        while front < back:
            # Never more than QUEUED chunks queued per worker, so the caller's share stays open;
            # nothing is ever cancelled (Python 3.11's pool mishandles a cancelled future when
            # a worker dies).
            while not broken and front < back and len(sent) < QUEUED * workers:
                try:
                    sent[front] = pool.submit(_work, transfer.dumps(chunks[front]))
                except RuntimeError:  # BrokenProcessPool: the caller reads the rest
                    broken = True
                    break
                finally:
                    if frozen:  # the first submit forked the workers
                        gc.unfreeze()
                        frozen = False
                front += 1
            if front < back:  # the caller's own chunk, from the back
                back -= 1
                results[back] = [read(t) for t in chunks[back]]
            for index in [i for i, f in sent.items() if f.done()]:  # the bar moves on
                settle(index)
        for index in sorted(sent):
            settle(index)
    except BaseException:
        _terminate(pool)
        raise
    finally:
        if frozen:  # no chunk was ever sent
            gc.unfreeze()
        pool.shutdown(wait=True)
    return [facts for chunk in results if chunk is not None for facts in chunk]


def _terminate(pool: Any) -> None:
    """Stop the workers now (Ctrl-C or an error in the caller): none is left behind."""
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
