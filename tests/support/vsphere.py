"""vSphere API helpers for building test scenarios in vcsim (pyVmomi)."""

from __future__ import annotations

import time
from typing import Any

from pyVim.connect import SmartConnect

from tests.support.vcsim import VcsimServer


def connect(sim: VcsimServer) -> Any:
    """A pyVmomi ServiceInstance on the simulator (its certificate is self-signed)."""
    return SmartConnect(
        host=sim.host,
        port=sim.port,
        user=sim.username,
        pwd=sim.password,
        disableSslCertValidation=True,
    )


def find(content: Any, kind: type, name: str) -> Any:
    """The managed object of a type with a name (StopIteration if none)."""
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return next(o for o in view.view if o.name == name)
    finally:
        view.Destroy()


def wait_for_task(task: Any, timeout: float = 60) -> None:
    """Wait for a vSphere task (pyVim's helper trips over vcsim's task names)."""
    deadline = time.monotonic() + timeout
    while task.info.state not in ("success", "error"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"task {task} did not finish")
        time.sleep(0.05)
    if task.info.state == "error":
        raise RuntimeError(task.info.error)
