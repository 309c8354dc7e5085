"""``tsrnn fit --nproc N``: run the command in N local worker processes under torchrun.

The launcher is torch's own elastic agent (``torch.distributed.run``, as ``torchrun
--standalone``): it starts ``python -m tsrnn.cli fit ...`` N times with the rendezvous variables
set, watches them every half second, and when one dies it stops the others, so the run ends
with one error instead of hanging. Rank 0 writes to the console; the other ranks' output goes
to log files, whose last error line is shown if that rank fails.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tsrnn import TrainingError, TsrnnError, forecast
from tsrnn.forecast import launched

__all__ = ["end_worker", "launch", "peer_errors", "resume_hint"]


def _without_nproc(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            out.append(arg)
    return out


def _torchrun_args(nproc: int, log_dir: str, argv: list[str]) -> list[str]:
    quiet_ranks = ",".join(f"{r}:3" for r in range(1, nproc))  # ranks > 0: both streams to files
    return ["--standalone", "--nnodes=1", f"--nproc-per-node={nproc}", "--max-restarts=0",
            "--monitor-interval=0.5", f"--log-dir={log_dir}", f"--redirects={quiet_ranks}",
            "-m", "tsrnn.cli", *argv]


def launch(nproc: int, model_dir: Path, debug: bool = False) -> None:
    """Run this process's ``tsrnn`` command (without ``--nproc``) in ``nproc`` workers; return
    when all succeed, else exit with one error naming the worker that failed."""
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # workers share the cores
    if not debug:  # the agent's own log lines; failures are reported below in one sentence
        for name in list(logging.Logger.manager.loggerDict):
            if name.startswith("torch.distributed.elastic"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
    log_dir = tempfile.mkdtemp(prefix="tsrnn-workers-")
    try:
        run(get_args_parser().parse_args(_torchrun_args(nproc, log_dir,
                                                        _without_nproc(sys.argv[1:]))))
    except ChildFailedError as exc:
        _report(exc, Path(log_dir), nproc, model_dir)
    except SignalException:
        sys.exit(130)  # rank 0 has said where the checkpoint is
    finally:
        if not os.environ.get("TSRNN_KEEP_LOGS"):
            shutil.rmtree(log_dir, ignore_errors=True)


def _last_error(log_dir: Path, local_rank: int, signalled: bool = False) -> str | None:
    """The last ``Error:`` line of a worker's stderr log, else its last line; for a worker that
    died of a signal only a line that says why (an abort's ``terminate called ...``)."""
    for log in sorted(log_dir.glob(f"**/attempt_*/{local_rank}/stderr.log")):
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith(_ERROR_STARTS)]
        if signalled:
            lines = []
        if errors or lines:
            return (errors or lines)[-1][:300]
    return None


_ERROR_STARTS = ("Error:", "terminate called", "what():", "Fatal Python error")


def _report(exc, log_dir: Path, nproc: int, model_dir: Path) -> None:
    rank, failure = exc.get_first_failure()
    if failure.exitcode > 0 and rank == 0:
        sys.exit(failure.exitcode)  # rank 0 printed its error on the console already
    found = _last_error(log_dir, failure.local_rank, signalled=failure.exitcode < 0)
    what = (f"was killed by {failure.signal_name()}" if failure.exitcode < 0
            else f"failed with exit code {failure.exitcode}") + (f" ({found})" if found else "")
    message = (f"worker process {rank} of {nproc} (pid {failure.pid}) {what}; all workers "
               "were stopped")
    info = None
    with contextlib.suppress(TsrnnError, OSError):
        info = forecast.checkpoint_info(model_dir) if Path(model_dir).is_dir() else None
    if info is not None:
        message += (f". The checkpoint of epoch {info['epoch']} is in {model_dir}/; continue "
                    f"with: tsrnn fit --resume {model_dir} --nproc {nproc}")
    raise TrainingError(message)


def resume_hint() -> str:
    """`` --nproc N`` inside a worker of N processes, else nothing."""
    return f" --nproc {os.environ['WORLD_SIZE']}" if launched() else ""


@contextlib.contextmanager
def peer_errors():
    """Turn a collective that failed because another worker died into one TrainingError."""
    try:
        yield
    except RuntimeError as exc:  # DDP's reducer raises plain RuntimeErrors from gloo
        import torch.distributed as dist  # here: reading the data must not wait for torch

        text = str(exc)
        if not (isinstance(exc, getattr(dist, "DistError", ())) or any(
                word in text for word in _COMMS_WORDS)):
            raise
        first = (text.strip().splitlines() or ["no details"])[0]
        raise TrainingError(f"lost contact with the other training processes ({first[:160]}); "
                            "this one stops too") from exc


_COMMS_WORDS = ("gloo", "NCCL", "ProcessGroup", "Connection reset", "Connection closed",
                "c10d", "timed out")


def end_worker() -> None:
    """End a worker whose part of the command succeeded: wait for the other workers, leave the
    process group, and exit with status 0 at once.

    Skipping the interpreter's teardown is deliberate: objects that torch.distributed's threads
    still hold (DDP's reducer, finished gloo work) can be freed while the interpreter shuts
    down, and taking the GIL then aborts the process (SIGABRT; seen once in CI, on a resumed
    fit whose model rank 0 had already written). Rank 0 has written the model by now.
    """
    import torch.distributed as dist

    gc.collect()  # free DDP's replica and its hooks while the interpreter is whole
    with peer_errors():
        if dist.is_available() and dist.is_initialized():
            dist.barrier()  # rank 0 has saved and reported
            dist.destroy_process_group()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
