"""A kernel manager that talks to its kernel over Unix sockets in a private temporary directory.

With the default TCP transport, jupyter_client picks free ports, releases them and the kernel binds
them a moment later, so notebooks started in parallel can collide ("Address already in use"). IPC
sockets in a directory of their own cannot collide, and need no port at all.

Each kernel also gets the kit's fixed number of BLAS and OpenMP threads (:mod:`mlsd.threads`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from mlsd.threads import thread_environment


class IPCKernelManager(AsyncKernelManager):
    """:class:`AsyncKernelManager` with ``transport="ipc"``, sockets under a fresh temp dir, and the
    kit's thread count in the kernel's environment."""

    def __init__(self, **kwargs):
        socket_dir = tempfile.mkdtemp(prefix="mlsd-kernel-")
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", str(Path(socket_dir) / "kernel"))
        super().__init__(**kwargs)
        self._socket_dir = socket_dir

    async def _async_pre_start_kernel(self, **kw):
        environment = dict(kw.pop("env", os.environ))
        kw["env"] = {**environment, **thread_environment(environment)}
        return await super()._async_pre_start_kernel(**kw)

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt, except as part of a shutdown.

        jupyter_client interrupts every kernel it shuts down; ours are idle by then (nbclient
        interrupts a timed-out cell itself first), and an idle ipykernel reports the interrupt
        as an error line on the terminal.
        """
        if not self.shutting_down:
            await super()._async_interrupt_kernel()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
