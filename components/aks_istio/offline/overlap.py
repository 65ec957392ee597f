"""`check` / `preview --stack` on two cores: one process validates the stack file while another loads the program.

Validating a stack file (pydantic over the value types) and loading what the program imports (pulumi, the provider
SDKs, the components) do not depend on each other, and each keeps a core busy. So the command forks once it has
read its arguments and found the stack file:

- this process validates the stack file as the one-process command does (`cli.open_stack`). With problems it tells
  the runner to stop and reports them itself (exit 2). Otherwise it hands the runner what it validated, and ends
  with the runner's exit code.
- the runner (the forked child) imports the program's modules meanwhile. Once handed the validated stack, it starts
  the policy pack (as the engine does), runs the program under mocks and reports, exactly as the one-process
  command does from there on. The program takes the config already validated (`run_program(validated=...)`), so
  the stack file is still validated once.

Nothing runs differently from the one-process command: the same functions, with the same inputs, in the same
order within each process; only the two halves overlap in time. Where `os.fork` is missing (Windows), or this
process already runs other threads (fork would copy their locks mid-use), the command runs in one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any, Final

from aks_istio.offline import stack_files
from aks_istio.offline.pack_process import PACK_DIR, PolicyPackProcess

SIZE: Final = struct.Struct("!Q")
"""The hand-over's length prefix."""


def fork_runner(argument: str) -> Parent | Runner | None:
    """Fork the runner for the stack `argument` names: this process gets its `Parent` side, the child its `Runner`
    side; None (nothing forked) where the stack file is not found (the caller reports that as always), or fork is
    not available or not safe here."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    try:
        _, path = stack_files.locate(argument)
    except stack_files.StackFileError:
        return None
    from aks_istio.offline.revisions_cli import use_catalog_beside

    # Before the fork, so the runner, its program and its pack judge revisions by the catalog this process does.
    use_catalog_beside(str(path))
    sys.stdout.flush()
    sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(write)
        return Runner(read)
    os.close(read)
    return Parent(pid, write)


class Parent:
    """The validating side: hands the validated stack over (or says stop) and waits for the runner's exit code."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe

    def stop(self) -> None:
        """The stack is invalid (this process reports it): the runner ends without a word."""
        os.close(self._pipe)
        self._wait()

    def hand_over(self, opened: Any) -> int:
        """Give the runner the validated stack (`cli.OpenedStack`); its exit code once it has reported."""
        data = pickle.dumps(opened, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(SIZE.pack(len(data)) + data)
        while view:
            view = view[os.write(self._pipe, view) :]
        # The pipe stays open while the runner works: should this process die, the runner sees it close and stops.
        try:
            return self._wait()
        finally:
            os.close(self._pipe)

    def _wait(self) -> int:
        while True:
            try:
                _, status = os.waitpid(self._pid, 0)
            except KeyboardInterrupt:
                continue  # Ctrl-C reached the runner too: it stops and reports 130 itself
            code = os.waitstatus_to_exitcode(status)
            return code if code >= 0 else 128 - code  # killed by a signal: the shell's convention


class Runner:
    """The forked side: loads the program's modules while the parent validates, then takes the validated stack."""

    def __init__(self, pipe: int) -> None:
        self._ready = threading.Event()
        self._handed: tuple[Any, PolicyPackProcess] | None = None
        self._error: BaseException | None = None
        threading.Thread(target=self._receive, args=(pipe,), name="validated-stack", daemon=True).start()

    def handed(self, warm_up: Callable[[], object]) -> tuple[Any, PolicyPackProcess]:
        """`warm_up()` (import what the program and the verdict will), then the parent's validated stack
        (`cli.OpenedStack`) and the policy pack started for it."""
        try:
            with contextlib.suppress(Exception):  # the same import fails again where the program needs it, and says so
                warm_up()
            self._ready.wait()
        except BaseException:  # Ctrl-C: stop the pack the hand-over may have started meanwhile
            if self._handed is not None:
                self._handed[1].close()
            raise
        if self._error is not None:
            raise self._error
        assert self._handed is not None
        return self._handed

    def _receive(self, pipe: int) -> None:
        with os.fdopen(pipe, "rb") as reader:
            header = reader.read(SIZE.size)
            if len(header) < SIZE.size:
                os._exit(0)  # the parent reports the stack's problems (or is gone): nothing to run
            try:
                # Imports nothing: a module this thread imported could wait on the lock of one the warm-up is loading.
                opened = pickle.loads(reader.read(SIZE.unpack(header)[0]))  # our own parent's pickle
                # Started as soon as the stack is known valid: its start-up overlaps the rest of the warm-up.
                pack = PolicyPackProcess(PACK_DIR, project=stack_files.PROJECT, stack=opened.stack)
                self._handed = (opened, pack)
            except BaseException as error:  # raised again in the main thread, which reports it
                self._error = error
            self._ready.set()
            reader.read(1)  # returns when the parent's end closes: only if the parent died before this process
        if self._handed is not None:
            self._handed[1].close()
        os._exit(1)
